"""How a run shows its progress (part of the CLI layer): a live table on a terminal, plain lines otherwise,
JSON lines for scripts, or nothing. A detail may quote a server's words: it is redacted before any of them."""

from __future__ import annotations

import json
import sys
import time
from contextlib import AbstractContextManager

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from ..engine.runner import Progress
from ..plan import Plan
from ..secrets import redact

FINISHED = {"done", "cached", "footage"}
STYLES = {"done": "green", "cached": "cyan", "footage": "cyan", "failed": "bold red", "skipped": "red",
          "queued": "yellow", "dreaming": "magenta", "downloading": "blue", "retrying": "bold yellow"}


class Tracker:
    """The latest state of every shot, and what is left to do and pay."""

    def __init__(self, plan: Plan):
        self.plan, self.started = plan, time.monotonic()
        self.states = {p.id: ("waiting", "") for p in plan.shots}
        self.since = {p.id: self.started for p in plan.shots}  # when the shot entered its state
        self.began: dict[str, float] = {}  # when the shot's work began (its first state past waiting)
        self.took: dict[str, float] = {}  # a finished shot's time from beginning to end, frozen
        self.spent = self.rehearsal = 0.0

    def update(self, event: Progress, now: float | None = None) -> None:
        now, shot = time.monotonic() if now is None else now, event.shot_id
        if shot in self.states and self.states[shot][0] != event.state:
            self.since[shot] = now
        if event.state != "waiting":
            self.began.setdefault(shot, now)
        if event.state in FINISHED:
            self.took.setdefault(shot, now - self.began[shot])
        else:
            self.took.pop(shot, None)
        self.states[shot] = (event.state, redact(event.detail))
        self.spent, self.rehearsal = event.spent_usd, event.rehearsal_usd

    def seconds(self, shot_id: str, now: float) -> float:
        """The "for" column: how long the shot has been in its state; a finished shot's whole time, frozen."""
        return self.took.get(shot_id, now - self.since[shot_id])

    def left(self) -> tuple[int, float]:
        open_ = [p for p in self.plan.shots if self.states[p.id][0] not in FINISHED]
        return len(open_), round(sum(p.estimated_cost_usd for p in open_ if self.states[p.id][0] == "waiting"), 2)


class LiveView(AbstractContextManager):
    def __init__(self, plan: Plan, console: Console):
        self.tracker, self.console = Tracker(plan), console
        self.live = Live(self._table(), console=console, refresh_per_second=4, transient=False)

    def __enter__(self):
        self.live.__enter__()
        return self

    def __exit__(self, *exc):
        self.live.update(self._table())
        return self.live.__exit__(*exc)

    def __call__(self, event: Progress) -> None:
        self.tracker.update(event)
        self.live.update(self._table())

    def ask(self, question: str) -> str:
        """A question put while the table is live: the table stops meanwhile, so the question shows whole."""
        self.live.stop()
        try:
            return self.live.console.input(Text(question))  # Text: "[y/N]" is no markup tag
        finally:
            self.live.start()

    def _table(self) -> Group:
        t, now = self.tracker, time.monotonic()
        table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
        for column in ("shot", "state", "for", "detail"):
            table.add_column(column, no_wrap=column != "detail", overflow="ellipsis")
        for p in t.plan.shots:
            state, detail = t.states[p.id]
            table.add_row(Text(p.id), Text(state, style=STYLES.get(state, "dim")), f"{t.seconds(p.id, now):4.0f}s",
                          Text(detail, style="dim"))
        return Group(table, Text(footer(footer_phrases(t, now), self.console.width), style="dim"))


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
