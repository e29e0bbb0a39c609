"""The live table: its footer breaks between phrases, and a finished shot's time stops counting."""

from __future__ import annotations

import io
import random
from collections import Counter

from rich.console import Console

from pipeline.cli.progress import FINISHED, LiveView, Screen, Tracker, footer
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


def long_plan(tmp_path, shots: int):
    path = tmp_path / f"long-{shots}.yaml"
    path.write_text("shots:\n" + "".join(f"  - id: s{i:05d}\n    start: none\n    prompt: shot {i}\n"
                                         for i in range(shots)))
    return load(path, provider="luma").plan()


def test_the_running_counts_agree_with_counting_every_shot(tmp_path):
    """The counters and what is left are kept event by event; they must equal a count over all shots."""
    plan = long_plan(tmp_path, 40)
    tracker, rng = Tracker(plan), random.Random(7)
    states = ["waiting", "queued", "dreaming", "downloading", "retrying", "failed", "skipped", "done", "cached"]
    for n in range(2000):
        tracker.update(Progress(rng.choice(plan.shots).id, rng.choice(states)), now=float(n))
        shown = {p.id: tracker.states[p.id][0] for p in plan.shots}
        assert tracker.counts + Counter() == Counter(shown.values())  # + drops the zeros
        open_ = [p for p in plan.shots if shown[p.id] not in FINISHED]
        cost = round(sum(p.estimated_cost_usd for p in open_ if shown[p.id] == "waiting"), 2)
        assert tracker.left() == (len(open_), cost)
        assert list(tracker.active) == [s for s in tracker.active if shown[s] not in FINISHED | {"waiting"}]
        assert set(tracker.active) == {s for s, state in shown.items() if state not in FINISHED | {"waiting"}}
        assert all(shown[s] in FINISHED for s in tracker.recent)


def screen_lines(tracker: Tracker, width: int, height: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, height=height, color_system=None)
    with console.capture() as captured:
        console.print(Screen(tracker).render(width, height))
    return captured.get().rstrip("\n").splitlines()


def test_a_long_film_shows_what_fits_the_terminal(tmp_path):
    plan = long_plan(tmp_path, 5000)
    tracker = Tracker(plan)
    for p in plan.shots[:3000]:
        tracker.update(Progress(p.id, "done"))
    for p in plan.shots[3000:3200]:
        tracker.update(Progress(p.id, "dreaming", "job"))
    for height in (8, 24, 60):
        lines = screen_lines(tracker, 100, height)
        assert len(lines) <= height
        assert lines[0] == "3000 done · 200 dreaming · 1800 waiting"
        assert "more in flight" in lines[-2] and "2000 shots left" in lines[-1]
        shown = [line.split()[0] for line in lines[2:-2]]
        assert shown == [p.id for p in plan.shots[3000:3000 + len(shown)]]  # the oldest in flight first


def test_a_screen_with_room_shows_the_last_finished_under_those_in_flight(tmp_path):
    plan = long_plan(tmp_path, 1000)
    tracker = Tracker(plan)
    for p in plan.shots[:50]:
        tracker.update(Progress(p.id, "done"))
    tracker.update(Progress("s00060", "queued"))
    tracker.update(Progress("s00061", "failed", "refused"))
    lines = screen_lines(tracker, 100, 40)
    shots = [line.split()[0] for line in lines[2:-1]]
    assert shots == ["s00060", "s00061", "s00047", "s00048", "s00049"]
    assert len(lines) == 2 + 5 + 1  # counters, header, rows, footer: no row for each of the 1,000


def test_a_refresh_draws_as_many_rows_for_5000_shots_as_for_10(tmp_path):
    """What a refresh builds depends on the screen, not the film: the same rows for 10 and 5,000 shots."""
    built = {}
    for shots in (10, 5000):
        tracker = Tracker(long_plan(tmp_path, shots))
        for p in tracker.plan.shots[:8]:
            tracker.update(Progress(p.id, "dreaming"))
        group = Screen(tracker).render(100, 30)
        built[shots] = group.renderables[1].row_count
    assert built[10] == built[5000] == 8
