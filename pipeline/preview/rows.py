"""The contact sheet: one row per shot, in cut order, with a coloured rail joining the shots of a chain."""

from __future__ import annotations

from ..formats import FPS
from .fmt import chain_colour, clock, esc, length, money, state_class, state_word
from .model import ShotView
from .thumbs import Thumbs


def rows(shots: tuple[ShotView, ...], thumbs: dict[str, Thumbs], *, current: bool = True) -> str:
    return "\n".join(each(shots, thumbs, current=current))


def each(shots: tuple[ShotView, ...], thumbs: dict[str, Thumbs], *, current: bool = True) -> list[str]:
    """Every shot's row, in cut order. `current`: the assembler's notes are of the cut on its way, not the
    previous one."""
    out = []
    for i, shot in enumerate(shots):
        before = shots[i - 1] if i else None
        after = shots[i + 1] if i + 1 < len(shots) else None
        out.append(row(shot, thumbs[shot.planned.id], _same_chain(before, shot), _same_chain(shot, after), current))
    return out


def _same_chain(a: ShotView | None, b: ShotView | None) -> bool:
    return a is not None and b is not None and a.chain is not None and a.chain == b.chain


def row(shot: ShotView, thumbs: Thumbs, joined_before: bool, joined_after: bool, current: bool = True) -> str:
    p = shot.planned
    classes = " ".join(["shot", f"is-{state_class(shot.state)}", "footage" if not p.generate else "",
                        "joined-before" if joined_before else "", "joined-after" if joined_after else ""])
    return (f'<li class="{" ".join(classes.split())}" data-id="{esc(p.id)}" data-start="{shot.start_s:.3f}" '
            f'style="--chain:{chain_colour(shot.chain)}" tabindex="0" '
            f'aria-label="Shot {p.index + 1}, {esc(p.id)}, starts at {clock(shot.start_s)}">'
            f'<div class="rail" aria-hidden="true"></div>{_thumbs(thumbs, shot)}'
            f'<div class="info">{_head(shot)}{_prompt(shot)}{_chips(shot)}{_facts(shot)}'
            f"{_problems(shot, current)}</div>"
            "</li>")


def _thumbs(thumbs: Thumbs, shot: ShotView) -> str:
    note = "" if thumbs.real else ' class="stand-in"'
    last = (f'<img src="thumbs/{esc(thumbs.last)}" alt="last frame" loading="lazy">' if thumbs.last
            else f'<span class="pending">{esc(_pending_word(shot))}</span>')
    return (f'<div class="thumbs"{note}>'
            f'<figure><img src="thumbs/{esc(thumbs.first)}" alt="first frame" loading="lazy">'
            f"<figcaption>in</figcaption></figure>"
            f"<figure>{last}<figcaption>out</figcaption></figure></div>")


def _pending_word(shot: ShotView) -> str:
    return {"failed": "failed", "waiting": "not generated"}.get(shot.state, "generating…")


def _head(shot: ShotView) -> str:
    p = shot.planned
    journal_word = f' title="journal state: {esc(shot.entry.state)}"' if shot.entry else ""
    return (f'<div class="head"><span class="num">{p.index + 1:02d}</span><span class="sid">{esc(p.id)}</span>'
            f'<span class="badge b-{state_class(shot.state)}"{journal_word}>{esc(state_word(shot.state))}</span>'
            "</div>")


def _prompt(shot: ShotView) -> str:
    s = shot.planned.shot
    if s.clip is not None:
        return f'<p class="prompt muted">Footage: {esc(s.clip)}</p>'
    return f'<p class="prompt" title="{esc(s.prompt or "")}">{esc(s.prompt or "(no prompt)")}</p>'


def _chips(shot: ShotView) -> str:
    p = shot.planned
    chips = [f'<span class="chip cam">{esc(c)}</span>' for c in p.shot.camera]
    if p.generate:
        chips.append(f'<span class="chip" title="{esc(p.source)}">{esc(_source(p.source))}</span>')
    if p.transition != "cut":
        chips.append(f'<span class="chip">{esc(p.transition)} in</span>')
    if p.shot.caption:
        chips.append(f'<span class="chip cap">“{esc(p.shot.caption)}”</span>')
    if p.takes > 1:
        chips.append(f'<span class="chip take">take {p.take} of {p.takes}</span>')
    if p.look is not None:
        chips.append(f'<span class="chip tier" title="{esc(p.look.model)} {esc(p.look.resolution)}">'
                     f'{esc(p.look.tier)} · {esc(p.look.resolution)}</span>')
    return f'<div class="chips">{"".join(chips)}</div>' if chips else ""


def _source(source: str) -> str:
    """The plan's words for where a shot starts, read as a phrase: "from text", "from image x.png"."""
    return f"from {source}" if source.startswith(("text", "image ")) else source


def _facts(shot: ShotView) -> str:
    cost = money(shot.cost_usd) + (" est." if shot.cost_is_estimate else "")
    planned = shot.planned
    facts = [("start", *_timed(shot.start_s, planned.start_s, clock)),
             ("length", *_timed(shot.duration_s, planned.duration_s, length)), ("cost", cost, "")]
    cells = "".join(f'<div class="fact"><dt>{name}</dt><dd{said}>{esc(value)}</dd></div>'
                    for name, value, said in facts)
    if shot.chain is not None:
        cells += f'<div class="fact chain"><dt>chain</dt><dd>{shot.chain}</dd></div>'
    job = shot.entry.job_id if shot.entry and shot.entry.job_id else None
    gen = f'<div class="fact gen"><dt>generation</dt><dd title="{esc(job)}">{esc(job)}</dd></div>' if job else ""
    return f'<dl class="facts">{cells}{gen}</dl>'


def _timed(cut_s: float, plan_s: float, shown) -> tuple[str, str]:
    """(the cut's figure, a title attribute): where the cut differs from the plan by a frame or more (assembly
    trimmed a join frame that a provider repeated), the cut's real time to the hundredth, and the plan's in a
    title. The page shows the cut as the player plays it."""
    if abs(cut_s - plan_s) < 0.5 / FPS:
        return shown(cut_s), ""
    precise = f"{int(cut_s // 60)}:{cut_s % 60:05.2f}" if shown is clock else f"{cut_s:.2f} s"
    return precise, (f' class="off-plan" title="the plan says {esc(shown(plan_s))}; assembly trimmed a frame '
                     'that the join repeated"')


def _problems(shot: ShotView, current: bool) -> str:
    """A failure, and a normalised clip, in full; assembly's notes folded (and said to be the previous cut's
    while a new cut is on its way)."""
    lines = [f'<p class="problem fail">Failed: {esc(shot.failure or "no reason given")}</p>']
    lines = lines if shot.state == "failed" else []
    problems, notes = (shot.problems, shot.notes) if current else ((), shot.problems + shot.notes)
    lines += [f'<p class="problem">{esc(n)}</p>' for n in problems]
    if notes:
        whose = "" if current else " on the previous cut"
        items = "".join(f"<li>{esc(n)}</li>" for n in notes)
        lines.append(f'<details class="shot-notes"><summary>{len(notes)} assembly note{"s" * (len(notes) != 1)}'
                     f"{whose}</summary><ul>{items}</ul></details>")
    return "".join(lines)
