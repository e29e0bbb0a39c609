"""`pipeline slate` and `--journal` as a user meets them: mistakes are one clear line (no traceback), and the
commands of one film read the shared journal a slate wrote."""

from __future__ import annotations

import json
import subprocess

from .runs import cli
from .test_slate import boards


def pipeline(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(cli(*args), capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PIPELINE_JOURNAL": "", **(env or {})})


def test_a_slate_without_a_shared_journal_says_how_to_give_one(tmp_path):
    [board, *_] = boards(tmp_path)
    done = pipeline("slate", "run", str(board), "--out", str(tmp_path / "out"))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "a slate needs a shared journal: give --journal postgresql://" in done.stderr


def test_a_journal_that_is_not_a_postgresql_url_is_named(tmp_path):
    [board, *_] = boards(tmp_path)
    for args in (["status", str(board), "--journal", "mysql://db/films"],
                 ["slate", "status", str(board), "--journal", "mysql://db/films"]):
        done = pipeline(*args)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert "--journal 'mysql://db/films' is not a PostgreSQL URL" in done.stderr
    done = pipeline("status", str(board), env={"PIPELINE_JOURNAL": "sqlite:///x"})
    assert done.returncode == 1 and "PIPELINE_JOURNAL 'sqlite:///x' is not a PostgreSQL URL" in done.stderr


def test_an_unreachable_database_is_one_line_without_its_password(tmp_path):
    [board, *_] = boards(tmp_path)
    done = pipeline("slate", "status", str(board), "--journal", "postgresql://me:hunter2@127.0.0.1:1/films")
    assert done.returncode == 1 and "Traceback" not in done.stderr and "hunter2" not in done.stderr
    assert "cannot reach the journal database" in done.stderr


def test_two_films_of_one_name_are_refused_before_anything_runs(tmp_path, pg_url):
    one = boards(tmp_path / "one")[0]
    two = boards(tmp_path / "two")[0]
    done = pipeline("slate", "run", str(one), str(two), "--journal", pg_url, "--out", str(tmp_path / "out"))
    assert done.returncode == 1 and "both called film0" in done.stderr


def test_the_animatic_slate_and_the_films_commands_on_the_shared_journal(tmp_path, pg_url):
    paths = [str(p) for p in boards(tmp_path)[:2]]
    out = tmp_path / "out"
    run = pipeline("slate", "run", *paths, "--journal", pg_url, "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert (out / "film0" / "final.mp4").is_file() and (out / "film1" / "final.mp4").is_file()
    shown = pipeline("slate", "status", *paths, "--journal", pg_url)
    assert shown.returncode == 0, shown.stderr
    assert "film0" in shown.stdout and "film1" in shown.stdout and "assembled by" in shown.stdout
    status = pipeline("status", paths[0], "--journal", pg_url, "--out", str(out / "film0"), "--json")
    assert status.returncode == 0, status.stderr
    shots = json.loads(status.stdout)["shots"]
    assert [(s["state"], s["action"]) for s in shots] == [("fetched", "cached")] * 2
    again = pipeline("slate", "run", *paths, "--journal", pg_url, "--out", str(out), "--json")
    assert again.returncode == 0, again.stderr
    assert not any(json.loads(line).get("assembled_here") for line in again.stdout.splitlines())
