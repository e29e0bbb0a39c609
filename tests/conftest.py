"""Shared fixtures: tiny real media made by ffmpeg's lavfi sources (no binary test files in git)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import ffmpeg


def make_media(folder: Path) -> dict[str, Path]:
    """A still image, a video, a sound and a non-media file, all small and real."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "image": folder / "still.png",
        "video": folder / "footage.mp4",
        "audio": folder / "music.wav",
        "text": folder / "notes.png",  # a text file wearing an image's name
    }
    ffmpeg.run(["-f", "lavfi", "-i", "testsrc2=size=128x72", "-frames:v", "1", str(files["image"])], what="image")
    ffmpeg.run(["-f", "lavfi", "-i", "testsrc2=size=128x72:rate=24:duration=2", "-c:v", "libx264",
                "-pix_fmt", "yuv420p", str(files["video"])], what="video")
    ffmpeg.run(["-f", "lavfi", "-i", "sine=frequency=440:duration=2", str(files["audio"])], what="audio")
    files["text"].write_text("not an image\n")
    return files


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> dict[str, Path]:
    return make_media(tmp_path_factory.mktemp("media"))


@pytest.fixture
def point_at_fake(monkeypatch):
    """Point the luma provider at a running fake: `point_at_fake(fake, key=...)` sets the environment."""
    def point(fake, key: str = "test-key-not-secret"):
        monkeypatch.setenv("LUMAAI_BASE_URL", fake.api)
        monkeypatch.setenv("LUMAAI_API_KEY", key)
        return fake
    return point


@pytest.fixture
def fake(point_at_fake):
    """The fake Luma server on loopback (fast generations), with the provider pointed at it."""
    from pipeline.fake_luma import FakeOptions, running

    with running(FakeOptions(latency=0.2)) as server:
        yield point_at_fake(server)


@pytest.fixture(scope="session")
def rgw(tmp_path_factory):
    """A real S3 server (Ceph's radosgw) on loopback for the session; skips where Ceph is not installed."""
    from . import ceph_rgw

    why = ceph_rgw.missing()
    if why:
        pytest.skip(why)
    with ceph_rgw.running(tmp_path_factory.mktemp("ceph")) as gateway:
        yield gateway


@pytest.fixture
def bucket(rgw, monkeypatch, request) -> str:
    """A new bucket on the test S3 server, with the standard AWS settings pointing every client at it."""
    import re
    import uuid

    import boto3

    for name, value in rgw.env().items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")  # the machine's own settings stay out
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:40].strip("-") + "-" + uuid.uuid4().hex[:8]
    boto3.client("s3").create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server on loopback for the session (its URL); skips where it is not installed."""
    from . import postgres_server

    why = postgres_server.missing()
    if why:
        pytest.skip(why)
    with postgres_server.running() as url:
        yield url


@pytest.fixture
def pg_url(postgres) -> str:
    """A new, empty database on the test server, for one test."""
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres, autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    return postgres.rsplit("/", 1)[0] + f"/{name}"
