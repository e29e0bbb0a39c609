"""A slate's clips and cuts in the S3 store (a real radosgw): the machine that makes a clip puts it at
clips/<key>.mp4 and the film's assembler publishes films/<film>/final.mp4 and its side files; another machine
gets the clips from the store (not from the provider), and a machine whose local clips are gone takes them
from the store again, even once the provider has forgotten their jobs. `slate status` names every film,
shot, holder and the spend."""

from __future__ import annotations

import json
import shutil
import subprocess

import boto3
import httpx

from pipeline.fake_luma import FakeOptions, running

from .runs import cli, frames_digest, luma_env, stats
from .test_slate import boards

FAST = {"latency": 0.4}


def slate(*args: str, env) -> subprocess.CompletedProcess:
    done = subprocess.run(cli("slate", *args), env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def test_clips_and_cuts_travel_through_the_store(tmp_path, pg_url, bucket):
    paths = [str(p) for p in boards(tmp_path / "boards")][:2]
    films = [p.rsplit("/", 1)[1].removesuffix(".yaml") for p in paths]
    with running(FakeOptions(**FAST)) as fake:
        env = {**luma_env(fake), "PIPELINE_JOURNAL": pg_url, "PIPELINE_CLIPS": f"s3://{bucket}/slate/"}
        first = slate("run", *paths, "--provider", "luma", "--yes", "--out", str(tmp_path / "one"), "--json",
                      env=env)
        made = [json.loads(line) for line in first.stdout.splitlines() if '"cut"' in line]
        assert sorted(r["film"] for r in made if r["assembled_here"]) == films
        downloads = stats(fake)["downloads"]
        second = slate("run", *paths, "--provider", "luma", "--yes", "--out", str(tmp_path / "two"), "--json",
                       env=env)
        assert stats(fake)["downloads"] == downloads and stats(fake)["creates"] == 4  # all from the store
        assert not any(json.loads(line).get("assembled_here") for line in second.stdout.splitlines())
        shutil.rmtree(tmp_path / "one" / films[0] / "clips")
        httpx.post(f"{fake.root}/_fake/forget")  # and the provider no longer knows the jobs: the store has them
        slate("run", *paths, "--provider", "luma", "--yes", "--out", str(tmp_path / "one"), env=env)
        assert stats(fake)["downloads"] == downloads and stats(fake)["creates"] == 4
        status = json.loads(slate("status", *paths, "--provider", "luma", "--json", env=env).stdout)
    objects = {o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix="slate/")["Contents"]}
    assert sum(k.startswith("slate/clips/") and k.endswith(".mp4") for k in objects) == 4
    for film in films:
        assert {f"slate/films/{film}/final.mp4", f"slate/films/{film}/assembly.json"} <= objects
    assert [f["film"] for f in status["films"]] == films
    assert all(f["assembled"] and f["assembled_by"] and f["published"] for f in status["films"])
    assert all(s["state"] == "fetched" and s["holder"] is None for f in status["films"] for s in f["shots"])
    assert status["spent_usd"] == 0 and status["rehearsal_usd"] > 0  # the fake's creates are not money
    published = tmp_path / "published.mp4"
    boto3.client("s3").download_file(bucket, f"slate/films/{films[0]}/final.mp4", str(published))
    assert frames_digest(published) == frames_digest(tmp_path / "one" / films[0] / "final.mp4")
