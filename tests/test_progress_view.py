"""The live table: its footer breaks between phrases, and a finished shot's time stops counting."""

from __future__ import annotations

import io

from rich.console import Console

from pipeline.cli.progress import LiveView, Tracker, footer
from pipeline.engine.runner import Progress
from pipeline.storyboard.load import load

BOARD = "shots:\n  - id: a\n    prompt: a quiet harbour\n  - id: b\n    prompt: a boat leaves the harbour\n"


def plan_of(tmp_path):
    path = tmp_path / "board.yaml"
    path.write_text(BOARD)
    return load(path).plan()


def test_the_footer_breaks_between_phrases():
    phrases = ["12s elapsed", "spent $1.20", "rehearsal $0.40 (not money)", "3 shots left",
               "about $2.00 still to spend"]
    for width in range(20, 120):
        lines = footer(phrases, width)
        assert [p for line in lines.splitlines() for p in line.split(" · ")] == phrases
        assert all(len(line) <= width for line in lines.splitlines() if " · " in line)


def test_the_live_footer_keeps_phrases_whole_at_any_width(tmp_path):
    for width in (30, 45, 60):
        screen = io.StringIO()
        with LiveView(plan_of(tmp_path), Console(file=screen, force_terminal=True, width=width)) as live:
            live(Progress("a", "dreaming", "job-1", rehearsal_usd=0.4))
            live(Progress("b", "done", "clip.mp4", rehearsal_usd=0.4))
        text = screen.getvalue()
        assert "rehearsal $0.40 (not money)" in text and "1 shot left" in text and "1 shots" not in text


def test_a_finished_shots_time_is_frozen(tmp_path):
    tracker = Tracker(plan_of(tmp_path))
    tracker.update(Progress("a", "queued"), now=100.0)
    tracker.update(Progress("a", "dreaming"), now=104.0)
    tracker.update(Progress("a", "done"), now=110.0)
    tracker.update(Progress("b", "queued"), now=105.0)
    assert tracker.seconds("a", 500.0) == tracker.seconds("a", 110.0) == 10.0  # queued to done
    assert tracker.seconds("b", 500.0) == 395.0  # still counting
    tracker.update(Progress("a", "retrying"), now=600.0)  # a shot that starts again counts again
    assert tracker.seconds("a", 610.0) == 10.0
    assert tracker.left()[0] == 2
    tracker.update(Progress("b", "done"), now=700.0)
    assert tracker.left()[0] == 1
