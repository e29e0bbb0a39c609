"""Local keyframes reach Luma (the fake, on loopback) through an S3 bucket (radosgw, on loopback): the
examples run unchanged with --assets; a second run publishes nothing; a signature never lands in a file or
in the output; a URL the store refuses fails its shot with the shot, the object and the store named."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.fake_luma import FakeOptions, running
from pipeline.fake_luma.testing import quick_render
from pipeline.providers import download
from pipeline.providers.base import ImageKeyframe

from .runs import stats

EXAMPLES = Path(__file__).parent.parent / "storyboards"
SIGNED = ("X-Amz-Signature", "X-Amz-Credential", "Signature=")


def fetching_render(request, dest: Path, *, burn_in=None) -> None:
    """Fetch each keyframe URL as Luma would (a refused one fails the generation), then render quickly."""
    for keyframe in (request.start, request.end):
        if isinstance(keyframe, ImageKeyframe) and keyframe.url:
            asyncio.run(download.fetch_image(keyframe.url, dest.with_suffix(".keyframe")))
            dest.with_suffix(".keyframe").unlink()
    quick_render(request, dest)


def copy_example(name: str, folder: Path) -> Path:
    shutil.copytree(EXAMPLES / "assets", folder / "assets")
    return Path(shutil.copy(EXAMPLES / name, folder / name))


def everything_written(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("example", ["rocket.yaml", "watch.yaml"])
def test_an_example_runs_with_its_keyframes_in_a_bucket(example, bucket, rgw, point_at_fake, tmp_path, capsys):
    board = copy_example(example, tmp_path)
    before = board.read_text()
    out = tmp_path / "out"
    args = ["run", str(board), "--provider", "luma", "--yes", "--out", str(out), "--assets", f"s3://{bucket}/films/"]
    with running(FakeOptions(latency=0.1, render=fetching_render)) as fake:
        point_at_fake(fake)
        assert main(args) == 0, capsys.readouterr().err
        first = stats(fake)
        uploads = rgw.requests("PUT", bucket)
        assert uploads and all(p.startswith(f"/{bucket}/films/sha256/") for p in uploads)
        assert len(uploads) == len(set(uploads))  # each keyframe once, however many shots use it
        shown = capsys.readouterr()
        (out / "clips").rename(tmp_path / "lost-clips")  # the clips are lost: fetched again, nothing created
        assert main(args) == 0, capsys.readouterr().err
        assert stats(fake)["creates"] == first["creates"]
    assert rgw.requests("PUT", bucket) == uploads  # the second run published nothing
    assert board.read_text() == before and (out / "final.mp4").is_file()
    written, printed = everything_written(out), shown.out + shown.err + "".join(capsys.readouterr())
    for mark in (*SIGNED, rgw.secret_key, rgw.access_key):
        assert mark.encode() not in written and mark not in printed


def test_a_paid_run_without_a_bucket_refuses_and_with_one_estimates(bucket, capsys):
    board = EXAMPLES / "rocket.yaml"
    assert main(["validate", str(board), "--provider", "luma", "--assets", f"s3://{bucket}/"]) == 0
    assert "local file" not in capsys.readouterr().err  # a store is set: nothing to warn about


def test_an_expired_url_fails_the_shot_naming_the_object_and_the_store(bucket, point_at_fake, tmp_path, capsys):
    board = copy_example("rocket.yaml", tmp_path)
    board.write_text(board.read_text().replace("shots:", "assets_url_ttl: 1s\nshots:", 1))

    def late_render(request, dest, *, burn_in=None):
        time.sleep(2.5)  # the provider's queue outlasts the URL
        fetching_render(request, dest)

    out = tmp_path / "out"
    with running(FakeOptions(latency=0.1, render=late_render)) as fake:
        point_at_fake(fake)
        status = main(["run", str(board), "--provider", "luma", "--yes", "--out", str(out),
                       "--assets", f"s3://{bucket}/k/"])
    err = capsys.readouterr().err
    assert status == 1
    assert "shot launch: Luma could not read the keyframe image(s)" in err and "shot launch: shot" not in err
    assert f"the asset store s3://{bucket}/k/ as s3://{bucket}/k/sha256/" in err
    assert "assets_url_ttl outlasts the provider's queue" in err
    for mark in SIGNED:
        assert mark not in err and mark.encode() not in everything_written(out)


def test_a_tampered_url_fails_the_shot(bucket, point_at_fake, tmp_path, monkeypatch, capsys):
    from pipeline.assets.s3 import S3Store

    signed = S3Store._url
    monkeypatch.setattr(S3Store, "_url", lambda self, key: signed(self, key).replace("X-Amz-Signature=",
                                                                                     "X-Amz-Signature=0"))
    board = copy_example("watch.yaml", tmp_path)
    with running(FakeOptions(latency=0.1, render=fetching_render)) as fake:
        point_at_fake(fake)
        status = main(["run", str(board), "--provider", "luma", "--yes", "--out", str(tmp_path / "out"),
                       "--assets", f"s3://{bucket}/"])
    err = capsys.readouterr().err
    assert status == 1 and "Luma could not read the keyframe image(s)" in err
    assert f"from the asset store s3://{bucket}/ as s3://{bucket}/sha256/" in err


def test_a_create_killed_in_flight_is_found_again_though_its_url_is_signed_anew(bucket, tmp_path):
    """SIGKILL while the create's answer is held: the resumed run signs a new URL, and still recognises the
    generation the lost create made (the object, not the signature, identifies the keyframe)."""
    import signal
    import subprocess

    from .runs import cli, journal_states, luma_env
    from .test_resume import wait_until

    board, out = copy_example("watch.yaml", tmp_path), tmp_path / "out"
    args = cli("run", str(board), "--provider", "luma", "--yes", "--out", str(out), "--assets", f"s3://{bucket}/")
    with running(FakeOptions(latency=0.3, create_answer_delay_s=3.0, render=fetching_render)) as fake:
        env = luma_env(fake)
        victim = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: ("intent" in journal_states(out) and stats(fake)["creates"] >= 1)
                       or victim.poll() is not None)
        finally:
            victim.send_signal(signal.SIGKILL)
            victim.wait()
        assert victim.returncode == -signal.SIGKILL, "the run finished before it could be killed"
        time.sleep(1.1)  # a signature made in another second: the URLs differ
        resumed = subprocess.run(args, env=env, capture_output=True, text=True)
        assert resumed.returncode == 0, resumed.stderr
        assert "found the interrupted create" in resumed.stderr + resumed.stdout or stats(fake)["creates"] == 2
        assert stats(fake)["creates"] == 2  # watch.yaml has two shots: none paid twice


def test_a_missing_bucket_stops_the_run_before_the_estimate(bucket, point_at_fake, tmp_path, capsys):
    board = copy_example("watch.yaml", tmp_path)
    with running(FakeOptions(latency=0.1)) as fake:
        point_at_fake(fake)
        status = main(["run", str(board), "--provider", "luma", "--yes", "--out", str(tmp_path / "out"),
                       "--assets", f"s3://{bucket}-gone/"])
        assert stats(fake)["creates"] == 0
    err = capsys.readouterr().err
    assert status == 1 and f"s3://{bucket}-gone/: there is no bucket '{bucket}-gone'" in err
    assert "spending with luma" not in err and "Traceback" not in err
