"""How a run shows its progress (part of the CLI layer): a live table on a terminal, plain lines otherwise,
JSON lines for scripts, or nothing. A detail may quote a server's words: it is redacted before any of them.

The live table costs what it shows, not what the film holds: an event updates counters and a few sets in
O(1), and each refresh draws the counters, the shots in flight and the last few finished, cut to the
terminal's height, so a film of 5,000 shots refreshes as cheaply as one of ten.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import Counter, deque
from contextlib import AbstractContextManager

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.live import Live
from rich.table import Table
from rich.text import Text

from ..engine.runner import Progress
from ..plan import Plan
from ..secrets import redact

FINISHED = {"done", "cached", "footage"}
STYLES = {"done": "green", "cached": "cyan", "footage": "cyan", "failed": "bold red", "skipped": "red",
          "queued": "yellow", "dreaming": "magenta", "downloading": "blue", "retrying": "bold yellow"}
ORDER = ("done", "cached", "footage", "failed", "skipped", "retrying", "downloading", "dreaming", "queued",
         "waiting")  # how the counters line names the states
RECENT = 3  # finished shots kept on screen under the ones in flight


class Tracker:
    """The latest state of every shot, and what is left to do and pay, kept up to date event by event."""

    def __init__(self, plan: Plan):
        self.plan, self.started = plan, time.monotonic()
        self.states = {p.id: ("waiting", "") for p in plan.shots}
        self.since = {p.id: self.started for p in plan.shots}  # when the shot entered its state
        self.began: dict[str, float] = {}  # when the shot's work began (its first state past waiting)
        self.took: dict[str, float] = {}  # a finished shot's time from beginning to end, frozen
        self.spent = self.rehearsal = 0.0
        self.costs = {p.id: p.estimated_cost_usd for p in plan.shots}
        self.counts = Counter({"waiting": len(plan.shots)})
        self.active: dict[str, None] = {}  # shots past waiting and not finished, in the order they got there
        self.recent: deque[str] = deque(maxlen=RECENT)  # the last shots to finish, newest last
        self._open, self._to_pay = len(plan.shots), sum(self.costs.values())
        self.lock = threading.Lock()  # the refresh thread reads while the run's thread writes

    def update(self, event: Progress, now: float | None = None) -> None:
        now, shot = time.monotonic() if now is None else now, event.shot_id
        with self.lock:
            before = self.states.get(shot, ("waiting", ""))[0]
            if before != event.state:
                self.since[shot] = now
            if event.state != "waiting":
                self.began.setdefault(shot, now)
            if event.state in FINISHED:
                self.took.setdefault(shot, now - self.began[shot])
            else:
                self.took.pop(shot, None)
            self.states[shot] = (event.state, redact(event.detail))
            self.spent, self.rehearsal = event.spent_usd, event.rehearsal_usd
            if shot in self.costs:  # the cut's own steps ("assembling") show, but are not shots to count
                self._count(shot, before, event.state)
            self._place(shot, event.state)

    def _count(self, shot: str, before: str, after: str) -> None:
        self.counts[before] -= 1
        self.counts[after] += 1
        self._open += (before in FINISHED) - (after in FINISHED)
        self._to_pay += self.costs[shot] * ((after == "waiting") - (before == "waiting"))

    def _place(self, shot: str, after: str) -> None:
        """Where the shot shows: in flight, among the last finished, or (waiting) only in the counters."""
        self.active.pop(shot, None)
        if shot in self.recent:
            self.recent.remove(shot)  # at most RECENT long
        if after in FINISHED:
            self.recent.append(shot)
        elif after != "waiting":
            self.active[shot] = None

    def seconds(self, shot_id: str, now: float) -> float:
        """The "for" column: how long the shot has been in its state; a finished shot's whole time, frozen."""
        return self.took.get(shot_id, now - self.since.get(shot_id, self.started))

    def left(self) -> tuple[int, float]:
        """(shots not finished, what the waiting ones are estimated to cost)."""
        return self._open, round(self._to_pay, 2) if self.counts["waiting"] else 0.0


class Screen:
    """What one refresh draws: counters, then as many shots in flight and last finished as the height
    allows, then the footer. Built when rich asks for it, so an event costs no drawing."""

    def __init__(self, tracker: Tracker):
        self.tracker = tracker

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.render(options.max_width, options.height or console.height)

    def render(self, width: int, height: int) -> Group:
        t, now = self.tracker, time.monotonic()
        with t.lock:
            counters = counter_line(t.counts)
            foot = footer(footer_phrases(t, now), width)
            room = max(1, height - 2 - foot.count("\n") - 1)  # the counters, the header, the footer's lines
            shown, more = visible(t, room)
            rows = [(shot, *t.states[shot], t.seconds(shot, now)) for shot in shown]
        table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
        for column in ("shot", "state", "for", "detail"):
            table.add_column(column, no_wrap=True, overflow="ellipsis")
        for shot, state, detail, seconds in rows:
            table.add_row(Text(shot), Text(state, style=STYLES.get(state, "dim")), f"{seconds:4.0f}s",
                          Text(detail, style="dim"))
        if more:
            table.add_row(Text(f"… {more} more in flight", style="dim"), "", "", "")
        return Group(Text(counters), table, Text(foot, style="dim"))


def visible(t: Tracker, room: int) -> tuple[list[str], int]:
    """The shots one screen shows in `room` rows: those in flight first (the oldest first), then the last
    finished; and how many in flight did not fit (one row is kept to say so)."""
    active, finished = len(t.active), list(t.recent)
    if active > room:
        return [shot for shot, _ in zip(t.active, range(room - 1), strict=False)], active - (room - 1)
    return [*t.active, *finished[max(0, len(finished) - (room - active)):]], 0


def counter_line(counts: Counter) -> str:
    """e.g. "12 done · 4 dreaming · 980 waiting": the states in a fixed order, none that no shot is in."""
    return " · ".join(f"{counts[state]} {state}" for state in ORDER if counts[state]) or "no shots"


class LiveView(AbstractContextManager):
    def __init__(self, plan: Plan, console: Console):
        self.tracker, self.console = Tracker(plan), console
        self.screen = Screen(self.tracker)
        self.live = Live(console=console, refresh_per_second=4, transient=False, get_renderable=lambda: self.screen)

    def __enter__(self):
        self.live.__enter__()
        return self

    def __exit__(self, *exc):
        return self.live.__exit__(*exc)

    def __call__(self, event: Progress) -> None:
        self.tracker.update(event)  # the refresh thread draws it at its next tick

    def ask(self, question: str) -> str:
        """A question put while the table is live: the table stops meanwhile, so the question shows whole."""
        self.live.stop()
        try:
            return self.live.console.input(Text(question))  # Text: "[y/N]" is no markup tag
        finally:
            self.live.start()


def footer_phrases(t: Tracker, now: float) -> list[str]:
    shots_left, cost_left = t.left()
    phrases = [f"{now - t.started:.0f}s elapsed", f"spent ${t.spent:.2f}"]
    phrases += [f"rehearsal ${t.rehearsal:.2f} (not money)"] if t.rehearsal else []
    phrases.append(f"{shots_left} shot{'s' * (shots_left != 1)} left")
    return phrases + ([f"about ${cost_left:.2f} still to spend"] if cost_left else [])


def footer(phrases: list[str], width: int) -> str:
    """The phrases joined by " · ", broken into lines between phrases, never inside one."""
    lines: list[str] = []
    for phrase in phrases:
        if lines and len(lines[-1]) + 3 + len(phrase) <= width:
            lines[-1] += f" · {phrase}"
        else:
            lines.append(phrase)
    return "\n".join(lines)


class Lines(AbstractContextManager):
    """Plain lines on stderr, for logs and pipes."""

    def __init__(self, plan: Plan):
        self.started = time.monotonic()

    def __exit__(self, *exc):
        return None

    def ask(self, question: str) -> str:
        """The question on stderr (stdout may be a script's), the answer from stdin."""
        print(question, end="", file=sys.stderr, flush=True)
        return input()

    def __call__(self, event: Progress) -> None:
        detail = f" {redact(event.detail)}" if event.detail else ""
        print(f"[{time.monotonic() - self.started:7.1f}s] {event.shot_id}: {event.state}{detail}"
              f" (spent ${event.spent_usd:.2f})", file=sys.stderr, flush=True)


class JsonLines(Lines):
    """One JSON object per event on stdout, for scripts."""

    def __call__(self, event: Progress) -> None:
        print(json.dumps({"t": round(time.monotonic() - self.started, 3), "shot": event.shot_id,
                          "state": event.state, "detail": redact(event.detail), "spent_usd": event.spent_usd,
                          "rehearsal_usd": event.rehearsal_usd}),
              flush=True)


class Quiet(Lines):
    def __call__(self, event: Progress) -> None:
        return None


def reporter(plan: Plan, *, json_events: bool, quiet: bool) -> AbstractContextManager:
    if json_events:
        return JsonLines(plan)
    if quiet:
        return Quiet(plan)
    console = Console(stderr=True)
    return LiveView(plan, console) if console.is_terminal else Lines(plan)
