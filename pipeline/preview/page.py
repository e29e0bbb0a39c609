"""The preview page as one HTML document: header, player, timeline, warnings and the contact sheet.

Styles and script are package files inlined into the page, so index.html plus its thumbnails is the whole
preview: it needs no network, no CDN and no web fonts (the system's own font stack).
"""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path
from string import Template

from .. import providers
from ..storyboard.model import LANGUAGES
from . import waveform
from .fmt import chain_colour, chain_name, clock, esc, money, plural, state_class, timecode
from .model import PageModel, ShotView
from .rows import rows
from .thumbs import Thumbs

TICK_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800)
KINDS = {"failed": "Failed", "warning": "Warning", "normalised": "Normalised", "stale": "Out of date",
         "previous": "Previous cut", "note": "Note"}


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def render(model: PageModel, thumbs: dict[str, Thumbs], *, captions: bool, files: list[str]) -> str:
    """The page; `captions`: captions.vtt sits beside it; `files`: output files worth linking (../NAME)."""
    title = model.project.title
    return Template(_asset("page.html")).substitute(
        title=esc(title), style=_asset("page.css"), script=_asset("page.js"), runtime=f"{model.runtime_s:.3f}",
        cut_version=model.cut.version if model.cut else 0, body_style=_body_style(model),
        shots=rows(model.shots, thumbs, current=model.assembly.current), **parts(model, thumbs, captions, files))


def parts(model: PageModel, thumbs: dict[str, Thumbs], captions: bool, files: list[str]) -> dict[str, str]:
    """The page's pieces that change during a run, by the id of the element each one is: the live update
    (preview.live) sends them to an open page, which puts them in place."""
    return {"subtitle": _subtitle(model), "stats": _stats(model), "player": _player(model, thumbs, captions),
            "timeline": _timeline(model), "findings": _findings(model), "progress": esc(_progress(model)),
            "footer": _footer(model, files)}


def _body_style(model: PageModel) -> str:
    """The cut's aspect ratio for the thumbnails, and a thumbnail width that keeps portrait rows short."""
    width, height = (int(n) for n in model.project.board.aspect_ratio.split(":"))
    thumb = 112 if width >= height else max(48, round(72 * width / height))
    return f"--aspect: {width} / {height}; --thumb-w: {thumb}px"


def _subtitle(model: PageModel) -> str:
    board, plan = model.project.board, model.plan
    parts = [model.project.path.name, plan.provider, plan.model, f"{board.resolution} {board.aspect_ratio}", "24 fps"]
    return " · ".join(esc(p) for p in parts)


def _stats(model: PageModel) -> str:
    plan = model.plan
    generated = model.count("done")
    cells = [("Runtime", clock(model.runtime_s)), ("Shots", str(len(model.shots))),
             ("Generated", f"{generated} / {plan.generations}"),
             ("Estimate", money(plan.estimated_cost_usd)), ("Spent", money(model.spent_usd))]
    if model.spent.rehearsal_usd:  # counted against a fake server: shown apart, never as money spent
        cells.append(("Rehearsal (not money)", money(model.spent.rehearsal_usd)))
    if not providers.capabilities(plan.provider).paid:  # what the free plan would cost when generated
        for name in providers.paid_alternatives(plan.model, plan.resolution):
            cells.insert(4, (f"With {providers.spec(name).title}", "≈ " + money(plan.cost_with(name))))
    return "".join(f'<div class="stat"><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>' for k, v in cells)


def _progress(model: PageModel) -> str:
    working = model.count("intent", "queued", "dreaming", "completed")
    parts = [f"{model.count('done')} of {model.plan.generations} generated"]
    parts += [f"{working} in progress"] if working else []
    parts += [f"{model.count('failed')} failed"] if model.count("failed") else []
    return " · ".join(parts)


def _player(model: PageModel, thumbs: dict[str, Thumbs], captions: bool) -> str:
    first = thumbs[model.shots[0].planned.id].first if model.shots else None
    if model.cut is None:
        return _no_cut(model, first)
    version = model.cut.version
    language = _srclang(model.project.board.caption_language)
    track = (f'<track kind="captions" src="captions.vtt?v={version}" srclang="{esc(language)}" label="Captions" '
             'default>' if captions else "")
    poster = f' poster="thumbs/{esc(first)}"' if first else ""
    return (f'<div class="screen"><video id="player" controls preload="auto" playsinline{poster} '
            f'src="../{esc(model.cut.path.name)}?v={version}">{track}</video></div>')


def _srclang(code: str) -> str:
    """A track's language as browsers want it (BCP 47: the two-letter code where there is one)."""
    return next((two for two, (_, three) in LANGUAGES.items() if three == code), code)


def _no_cut(model: PageModel, first: str | None) -> str:
    backdrop = f'<img class="backdrop" src="thumbs/{esc(first)}" alt="">' if first else ""
    return (f'<div class="screen empty">{backdrop}<div class="empty-msg"><strong>No cut yet</strong>'
            f"<span>{esc(_progress(model))}</span>"
            f"<code>pipeline run {esc(_shown_path(model.project.path))}</code>"
            "<span class=\"hint\">The shot list shows the plan; served, this page follows the run."
            "</span></div></div>")


def _shown_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _timeline(model: PageModel) -> str:
    total = max(model.runtime_s, 1e-6)
    clips = []
    for s, after in zip(model.shots, [*model.shots[1:], None], strict=True):
        # a block runs to where the next shot starts, so a dissolve's overlap never hides the next label
        shown = min(s.duration_s, after.start_s - s.start_s) if after else s.duration_s
        clips.append(
            f'<button type="button" class="tl-clip is-{state_class(s.state)}" data-start="{s.start_s:.3f}" '
            f'style="left:{100 * s.start_s / total:.3f}%;width:{100 * max(shown, 0) / total:.3f}%;'
            f'--chain:{chain_colour(s.chain)}" title="{esc(s.planned.id)} · {clock(s.start_s)}">'
            f"<span>{esc(s.planned.id)}</span></button>")
    wave = waveform.svg(model.wave, total, model.plan.beats) if model.wave else ""
    return (f'<div class="timeline" id="timeline"><div class="ruler">{_ruler(total)}</div>'
            f'<div class="track">{"".join(clips)}</div>{wave}<div class="playhead" id="playhead"></div></div>'
            f"{_legend(model)}")


def _legend(model: PageModel) -> str:
    """One entry per chain (shots generated one from another) and one for footage: count and length."""
    groups: dict[int | None, list[ShotView]] = {}
    for s in model.shots:
        groups.setdefault(s.chain, []).append(s)
    items = []
    for chain, shots in groups.items():
        seconds = sum(s.duration_s for s in shots)
        items.append(f'<li style="--chain:{chain_colour(chain)}"><b>{chain_name(chain).capitalize()}</b> '
                     f'{plural(len(shots), "shot")} · {seconds:.1f} s</li>')
    return f'<ul class="legend">{"".join(items)}</ul>'


def _ruler(total: float) -> str:
    step = next((s for s in TICK_STEPS if total / s <= 8), TICK_STEPS[-1])
    ticks = [t * step for t in range(int(total // step) + 1)]
    return "".join(f'<span class="tick" style="left:{100 * t / total:.3f}%">{clock(t)[:-2]}</span>'
                   for t in ticks if t < total - step * 0.4 or t == 0)


def _findings(model: PageModel) -> str:
    """Problems first, in full; notes after them, quiet and folded; the counts as assembly.json has them. A cut
    on its way is said above them, and is no problem."""
    a = model.assembly
    counts = (f'<p class="counts">assembly.json: {plural(a.warnings, "warning")} · {plural(a.notes, "note")}'
              + ("" if a.current else " · of the previous cut") + "</p>") if a.exists else ""
    coming = "".join(f'<p class="coming w-{esc(kind)}">{esc(text)}</p>' for kind, text in model.problems
                     if kind == "previous")
    found = tuple(f for f in model.problems if f[0] != "previous")
    problems = f'<div class="problems"><h2>{plural(len(found), "problem")}</h2>{_list(found)}</div>' if found else ""
    notes = ""
    if model.notes:
        whose = "" if a.current or not a.exists else ' <span class="previous">on the previous cut</span>'
        notes = (f'<details class="notes"><summary>{plural(len(model.notes), "note")}{whose}</summary>'
                 f"{_list(model.notes)}</details>")
    return (f'<section class="findings" id="findings" aria-label="Problems and notes" '
            f'data-problems="{len(found)}" data-notes="{len(model.notes)}" '
            f'data-assembly-warnings="{a.warnings}" data-assembly-notes="{a.notes}" '
            f'data-current="{str(a.current).lower()}"{"" if coming or problems or notes else " hidden"}>'
            f"{coming}{problems}{notes}{counts}</section>")


def _list(found: tuple[tuple[str, str], ...]) -> str:
    if not found:
        return ""
    items = "".join(f'<li class="w-{esc(kind)}"><b>{esc(KINDS.get(kind, "Note"))}</b> {esc(text)}</li>'
                    for kind, text in found)
    return f"<ul>{items}</ul>"


def _footer(model: PageModel, files: list[str]) -> str:
    links = " ".join(f'<a href="../{esc(f)}">{esc(f)}</a>' for f in files)
    built = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(model.built_at))
    keys = "<kbd>↑</kbd> <kbd>↓</kbd> previous / next shot · <kbd>space</kbd> play / pause"
    return (f'<span>Built {built} · <span class="live" id="live">reload to refresh</span></span>'
            f'<span class="keys">{keys}</span><span class="files">{links}</span>'
            f'<span class="tc-note">{timecode(model.runtime_s)}</span>')
