"""The S3 asset store against a real S3 server (radosgw on loopback): content-addressed uploads, made once;
presigned URLs that the server checks (a tampered or expired one is refused); clear errors for a missing
bucket, refused credentials, an unreachable endpoint and a skewed clock."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from pipeline.assets import AssetError
from pipeline.assets.s3 import Location, S3Store


def image(folder: Path, name: str = "pad.png", colour=(200, 90, 30)) -> tuple[Path, str]:
    path = folder / name
    Image.new("RGB", (64, 36), colour).save(path)
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def store(bucket: str, prefix: str = "frames/", **options) -> S3Store:
    return S3Store(Location.parse(f"s3://{bucket}/{prefix}"), **options)


def test_a_file_is_stored_under_its_digest_once(bucket, rgw, tmp_path):
    path, digest = image(tmp_path)
    first = store(bucket).publish(path, digest)
    assert first.uploaded and first.size == path.stat().st_size
    assert first.location == f"s3://{bucket}/frames/sha256/{digest[:2]}/{digest}.png"
    again = store(bucket).publish(path, digest)  # a new run: one HEAD, no upload
    assert not again.uploaded
    assert rgw.requests("PUT", bucket) == [f"/{bucket}/frames/sha256/{digest[:2]}/{digest}.png"]
    fetched = httpx.get(first.url)
    assert fetched.status_code == 200 and fetched.content == path.read_bytes()
    assert fetched.headers["content-type"] == "image/png"


def test_a_run_looks_at_each_object_once(bucket, rgw, tmp_path):
    path, digest = image(tmp_path)
    one_run = store(bucket)
    urls = {one_run.publish(path, digest).url for _ in range(3)}
    assert len(rgw.requests("HEAD", bucket)) == 1 and len(rgw.requests("PUT", bucket)) == 1
    assert len(urls) >= 1 and all("X-Amz-Signature=" in url for url in urls)


def test_two_machines_publishing_at_once_upload_it_once(bucket, tmp_path):
    path, digest = image(tmp_path)
    machines, results, start = [store(bucket) for _ in range(4)], [], threading.Barrier(4)

    def publish(machine: S3Store) -> None:
        start.wait()
        results.append(machine.publish(path, digest))

    threads = [threading.Thread(target=publish, args=(m,)) for m in machines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and sum(r.uploaded for r in results) == 1  # If-None-Match: the others got 412
    assert httpx.get(results[0].url).content == path.read_bytes()


def test_the_store_refuses_a_tampered_url(bucket, tmp_path):
    path, digest = image(tmp_path)
    _, other = image(tmp_path, "other.png", (10, 10, 10))
    s3 = store(bucket)
    url = s3.publish(path, digest).url
    s3.publish(tmp_path / "other.png", other)
    assert httpx.get(url).status_code == 200
    assert httpx.get(url.replace(digest, other)).status_code == 403  # the signature covers the object
    longer = url.replace("X-Amz-Expires=86400", "X-Amz-Expires=604800")
    assert longer != url and httpx.get(longer).status_code == 403


def test_the_store_refuses_an_expired_url(bucket, tmp_path):
    import time

    path, digest = image(tmp_path)
    url = store(bucket, ttl_s=1).publish(path, digest).url
    assert "X-Amz-Expires=1&" in url
    time.sleep(2.2)
    refused = httpx.get(url)
    assert refused.status_code == 403 and "AccessDenied" in refused.text


def test_a_public_url_is_unsigned(bucket, tmp_path):
    path, digest = image(tmp_path)
    published = store(bucket, public_url="https://cdn.example.com/films").publish(path, digest)
    assert published.url == f"https://cdn.example.com/films/frames/sha256/{digest[:2]}/{digest}.png"


def test_a_missing_bucket_is_named(bucket):
    with pytest.raises(AssetError, match=r"s3://no-such-bucket-here/frames/: there is no bucket 'no-such-bucket-here'"):
        store("no-such-bucket-here").check()


def test_refused_credentials_say_which_settings(bucket, monkeypatch):
    store(bucket).check()
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret-wrong-secret")
    with pytest.raises(AssetError, match="refused the credentials: check AWS_ACCESS_KEY_ID"):
        store(bucket).check()


def test_denied_access_says_what_to_grant(bucket, rgw, monkeypatch):
    access, secret = rgw.another_user("stranger")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", access)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    with pytest.raises(AssetError, match=f"access denied: the credentials may not read objects in '{bucket}'"):
        store(bucket).check()


def test_an_unreachable_endpoint_is_said(bucket, monkeypatch):
    from tests.ceph_rgw import free_port

    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(AssetError, match=r"cannot be reached \(http://127\.0\.0\.1:\d+"):
        store(bucket).check()


def test_a_skewed_clock_is_said(bucket, monkeypatch):
    """The store compares the signature's time with its own: this machine's clock an hour ahead fails."""
    import botocore.auth

    real = botocore.auth.datetime.datetime

    class Ahead(real):
        @classmethod
        def utcnow(cls):
            return real.utcnow() + dt.timedelta(hours=1)

        @classmethod
        def now(cls, tz=None):
            return real.now(tz) + dt.timedelta(hours=1)

    monkeypatch.setattr(botocore.auth.datetime, "datetime", Ahead)
    with pytest.raises(AssetError, match="clock is too far from the store's"):
        store(bucket).check()


def test_no_credentials_at_all(bucket, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(AssetError, match="no credentials: set AWS_ACCESS_KEY_ID"):
        store(bucket).check()


def test_a_bucket_url_is_checked():
    with pytest.raises(AssetError, match="give a bucket as s3://BUCKET/PREFIX/"):
        Location.parse("https://example.com/x")
    assert str(Location.parse("s3://films")) == "s3://films/"
    assert str(Location.parse("s3://films/a/b")) == "s3://films/a/b/"


def test_a_parents_last_frame_is_published_exactly(bucket, media, tmp_path):
    from pipeline import ffmpeg
    from pipeline.assets.join_frames import publish_last_frame

    published = publish_last_frame(store(bucket), media["video"], tmp_path / "joins")
    got = tmp_path / "got.png"
    got.write_bytes(httpx.get(published.url).content)
    assert np.array_equal(np.asarray(Image.open(got).convert("RGB")), ffmpeg.frame_at(media["video"], -1))
    assert not publish_last_frame(store(bucket), media["video"], tmp_path / "joins").uploaded  # once
