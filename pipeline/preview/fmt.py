"""How the page writes times, money and words (escaped for HTML)."""

from __future__ import annotations

import html

from ..formats import FPS

CHAIN_COLOURS = 8  # the stylesheet defines --chain-1 .. --chain-8; more chains reuse them in turn
IN_PROGRESS_WORDS = {"intent": "submitting", "queued": "queued", "dreaming": "dreaming", "completed": "fetching"}


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def clock(seconds: float) -> str:
    """m:ss.s, for times a person reads (0:07.5, 12:03.0)."""
    tenths = round(seconds * 10)
    return f"{tenths // 600}:{tenths // 10 % 60:02d}.{tenths % 10}"


def timecode(seconds: float) -> str:
    """HH:MM:SS:FF at the cut's frame rate, as an editor shows it."""
    frames = round(seconds * FPS)
    s = frames // FPS
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}:{frames % FPS:02d}"


def length(seconds: float) -> str:
    return f"{seconds:.1f} s"


def money(usd: float) -> str:
    return f"${usd:,.2f}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def chain_colour(chain: int | None) -> str:
    """The CSS colour of a chain (None: footage)."""
    return f"var(--chain-{(chain - 1) % CHAIN_COLOURS + 1})" if chain else "var(--footage)"


def chain_name(chain: int | None) -> str:
    return f"chain {chain}" if chain else "footage"


def state_word(state: str) -> str:
    """The badge's word: the journal's in-progress states in plain language, others as they are."""
    return IN_PROGRESS_WORDS.get(state, state)


def state_class(state: str) -> str:
    return "working" if state in IN_PROGRESS_WORDS else state
