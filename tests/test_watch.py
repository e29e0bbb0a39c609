"""`pipeline watch`: a real process watching a real storyboard, edited on disk as an editor saves it, with
the preview it serves followed through its event stream on loopback."""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from pipeline.cli import main
from pipeline.layout import Layout
from pipeline.storyboard.load import load
from tests.runs import cli

BOARD = """\
title: Watched
resolution: 540p
shots:
  - id: dawn
    prompt: A lighthouse at dawn above a calm violet sea
    camera: push_in
  - id: boats
    prompt: Fishing boats leave the harbour one by one
  - id: storm
    start: none
    prompt: Night. A storm lashes the lighthouse on its rock
    camera: dolly in
"""


class Watching:
    """`pipeline watch` in its own process; its stderr lines read as they come."""

    def __init__(self, board: Path, out: Path):
        self.process = subprocess.Popen(cli("watch", str(board), "--out", str(out)), stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, cwd=board.parent)
        self.lines: queue.Queue[str] = queue.Queue()
        self.said: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.process.stdout.readline().strip()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.said.append(line)
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"no line like {pattern!r} in:\n" + "\n".join(self.said))

    def rest(self) -> list[str]:
        """Everything said so far, the lines not waited for included."""
        while not self.lines.empty():
            self.said.append(self.lines.get())
        return self.said

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # as Ctrl-C does
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()


class Stream:
    """The preview's event stream, read in a thread: every event, in order."""

    def __init__(self, url: str):
        self.events: queue.Queue[tuple[str, dict]] = queue.Queue()
        self.done = threading.Event()
        threading.Thread(target=self._read, args=(url + "events",), daemon=True).start()

    def _read(self, url: str) -> None:
        last = None
        with httpx.Client(timeout=30) as client:
            while not self.done.is_set():  # the server ends a stream now and then; a browser reconnects
                try:
                    with client.stream("GET", url, headers={"Last-Event-ID": last} if last else {}) as answer:
                        event: dict[str, str] = {}
                        for line in answer.iter_lines():
                            if self.done.is_set():
                                return
                            if not line and "event" in event:
                                last = event["id"]
                                self.events.put((event["event"], json.loads(event["data"])))
                                event = {}
                            elif line and not line.startswith(":"):
                                name, _, value = line.partition(": ")
                                event[name] = value
                except httpx.HTTPError:
                    time.sleep(0.2)

    def next(self, name: str, accept=lambda data: True, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                got, data = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if got == name and accept(data):
                return data
        raise AssertionError(f"no {name} event came")


def clips(out: Path) -> dict[str, int]:
    """Clip file name -> mtime (ns)."""
    return {p.name: p.stat().st_mtime_ns for p in (out / "clips").glob("*.mp4")}


@pytest.mark.slow
def test_a_save_renders_only_the_changed_shots_and_the_page_follows(tmp_path):
    board = tmp_path / "watched.yaml"
    board.write_text(BOARD)
    out = tmp_path / "out"
    watching = Watching(board, out)
    stream = None
    try:
        assert watching.url.startswith("http://127.0.0.1:") and watching.url.endswith("/preview/")
        watching.wait_for(r"rendered dawn, boats, storm; reused 0")
        watching.wait_for(r"watching .*watched\.yaml")
        first_cut = str((out / "final.mp4").stat().st_mtime_ns)
        before = clips(out)
        stream = Stream(watching.url)
        stream.next("update", lambda d: d["cut"] and d["cut"]["version"] == first_cut)  # what the page has now

        board.write_text(BOARD.replace("at dawn", "at first light"))  # dawn changed; boats extends it
        said = watching.wait_for(r"rendered (.*); reused (\d+)")
        assert said.group(1) == "dawn, boats" and said.group(2) == "1"
        plan = load(board).plan({"burn_in": True})
        after = clips(out)
        made = set(after) - set(before)
        assert made == {Layout(out).clip(p.id, p.key).name for p in plan.shots if p.id in ("dawn", "boats")}
        storm = Layout(out).clip("storm", plan.by_id("storm").key).name
        assert after[storm] == before[storm]  # not rendered again: the same file, untouched
        update = stream.next("update", lambda d: d["cut"] and d["cut"]["version"] != first_cut and d["cut"]["current"])
        assert [s["state"] for s in update["shots"]] == ["done"] * 3
        assert update["cut"]["version"] == str((out / "final.mp4").stat().st_mtime_ns)
        good_cut = int(update["cut"]["version"])

        board.write_text(BOARD.replace("    prompt: Fishing", "    promt: Fishing"))  # a save with a mistake
        watching.wait_for(r"watched\.yaml:8:5: shots\[1\]\.promt: unknown key; did you mean `prompt`\?")
        watching.wait_for(r"the last good cut stays")
        problem = stream.next("problem")
        assert "watched.yaml:8:5: shots[1].promt" in problem["message"]
        assert (out / "final.mp4").stat().st_mtime_ns == good_cut  # the last good cut, untouched
        page = httpx.get(watching.url)
        assert page.status_code == 200 and "final.mp4" in page.text  # and still on the page

        board.write_text(BOARD.replace("at dawn", "at first light"))  # fixed: as before the mistake
        watching.wait_for(r"rendered nothing \(no shot changed\); reused 3")
        stream.next("update")  # the problem is gone from the page
    finally:
        if stream:
            stream.done.set()
        code = watching.stop()
    assert code == 0
    watching.wait_for(r"stopped watching", timeout=5)
    assert sum("is read as Luma's `push_in`" in line for line in watching.rest()) == 1  # said once, not per save


def test_watch_never_uses_a_paid_provider(tmp_path, capsys):
    board = tmp_path / "watched.yaml"
    board.write_text(BOARD)
    assert main(["watch", str(board), "--provider", "luma", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "watch renders the animatic only, for free, and never calls luma" in err
    assert not (tmp_path / "out").exists()


def test_a_missing_storyboard_is_a_clear_error(tmp_path, capsys):
    assert main(["watch", str(tmp_path / "nope.yaml")]) == 1
    assert "no such storyboard file" in capsys.readouterr().err


@pytest.mark.parametrize(("extra", "said"), [
    (["--port", "70000"], "give a --port from 1 to 65535"),
    (["--out", "AFILE"], "is a file"),
])
def test_mistakes_in_the_command_are_refused_at_once(extra, said, tmp_path, capsys):
    board = tmp_path / "watched.yaml"
    board.write_text(BOARD)
    (tmp_path / "afile").write_text("mine\n")
    extra = [str(tmp_path / "afile") if a == "AFILE" else a for a in extra]
    out = [] if "--out" in extra else ["--out", str(tmp_path / "out")]
    assert main(["watch", str(board), *out, *extra]) == 1
    assert said in capsys.readouterr().err
    assert (tmp_path / "afile").read_text() == "mine\n"


def test_help_says_it_is_free(capsys):
    with pytest.raises(SystemExit) as done:
        main(["watch", "--help"])
    assert done.value.code == 0 and "never a paid provider" in " ".join(capsys.readouterr().out.split())


@pytest.mark.slow
def test_a_saved_keyframe_renders_the_shots_that_start_from_it(tmp_path):
    from PIL import Image

    Image.new("RGB", (192, 108), (40, 60, 200)).save(tmp_path / "shore.png")
    board = tmp_path / "watched.yaml"
    board.write_text(BOARD.replace("    camera: push_in\n", "    camera: push_in\n    start: shore.png\n", 1))
    watching = Watching(board, tmp_path / "out")
    try:
        watching.wait_for(r"rendered dawn, boats, storm; reused 0")
        watching.wait_for(r"watching .*watched\.yaml and the 1 file it names")
        Image.new("RGB", (192, 108), (200, 90, 40)).save(tmp_path / "shore.png")  # the picture changed
        said = watching.wait_for(r"rendered (.*); reused (\d+)")
        assert (said.group(1), said.group(2)) == ("dawn, boats", "1")
    finally:
        assert watching.stop() == 0


def test_watch_plays_the_takes_picked_in_the_folder(tmp_path):
    board, out = tmp_path / "takes.yaml", tmp_path / "out"
    board.write_text("shots:\n  - id: quay\n    prompt: a quay at dawn\n    takes: 2\n"
                     "  - id: gulls\n    start: none\n    prompt: gulls over the market\n")
    assert main(["run", str(board), "--out", str(out), "--quiet"]) == 0
    assert main(["pick", str(board), "--out", str(out), "quay", "2"]) == 0
    (out / "final.mp4").unlink()  # so watch's first render assembles the cut itself
    watching = Watching(board, out)
    try:
        watching.wait_for(r"rendered nothing \(no shot changed\); reused 3")
    finally:
        assert watching.stop() == 0
    report = json.loads((out / "assembly.json").read_text())
    assert next(s for s in report["shots"] if s["id"] == "quay")["take"] == 2
