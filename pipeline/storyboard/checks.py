"""Checks of a storyboard as a whole: ids, references, files, and combinations that Luma refuses.

Each check reads a Context and yields Problems; load.py runs them all so every mistake shows in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from .. import formats, providers
from ..errors import Problem
from ..plan import dependencies, parent_of
from . import camera, cuts, tier_checks
from .context import Context, is_url
from .media_checks import check_files
from .model import NONE, Shot, ShotRef
from .pinned_checks import check_pinned
from .trim_checks import check_trims, clip_frames

SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
GENERATION_KEYS = ("prompt", "camera", "start", "end", "keyframes", "duration", "loop", "takes")


def check_ids(ctx: Context) -> Iterator[Problem]:
    first_seen: dict[str, int] = {}
    for index, shot in ctx.shots:
        if shot.id is None:
            continue
        path = ("shots", index, "id")
        if not SAFE_ID.fullmatch(shot.id) or shot.id.lower().split(".")[0] in RESERVED:
            yield ctx.at(path, f"shots[{index}].id: `{shot.id}` is not safe as a file name; use letters, "
                               "digits, '-', '_' or '.', starting with a letter or digit (at most 64)")
        folded = shot.id.lower()
        if folded in first_seen:
            other = ctx.ids[first_seen[folded]]
            same = "is" if other == shot.id else f"differs only in case from `{other}`, which is"
            yield ctx.at(path, f"shots[{index}].id: `{shot.id}` {same} already used by shots[{first_seen[folded]}]"
                               "; give each shot its own id")
        else:
            first_seen[folded] = index


def check_references(ctx: Context) -> Iterator[Problem]:
    by_id = {ctx.ids[i]: (i, s) for i, s in ctx.shots}
    for index, shot in ctx.shots:
        for name in ("start", "end"):
            ref = getattr(shot, name)
            if not isinstance(ref, ShotRef):
                continue
            path = ("shots", index, name, "shot")
            target = by_id.get(ref.shot)
            if ref.shot == ctx.ids[index]:
                yield ctx.at(path, f"shots[{index}].{name}: the shot refers to itself; name another shot")
            elif target is None:
                yield ctx.at(path, f"shots[{index}].{name}: no shot has the id `{ref.shot}`; "
                                   f"use one of {', '.join(by_id) or 'the shot ids'}")
            elif target[1].clip is not None:
                yield ctx.at(path, f"shots[{index}].{name}: `{ref.shot}` is footage (clip:), not a generation; "
                                   "refer to a generated shot")
    yield from _cycles(ctx)


def _cycles(ctx: Context) -> Iterator[Problem]:
    if len(set(ctx.ids.values())) < len(ctx.ids):
        return  # with duplicate ids the references are ambiguous; check_ids reports the duplicates
    graph = dependencies([(ctx.ids[i], s) for i, s in ctx.shots])
    graph = {node: [n for n in needs if n != node] for node, needs in graph.items()}  # self-refs: reported above
    loop = find_cycle(graph)
    if loop:
        index = next(i for i, _ in ctx.shots if ctx.ids[i] == loop[0])
        yield ctx.at(("shots", index, "id"), f"shots[{index}]: the shots depend on each other in a cycle "
                     f"({' -> '.join(loop)}); change a `start` or `end` to break it")


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """One cycle in a dependency graph as [a, b, ..., a], or None (iterative: storyboards can be long)."""
    done: set[str] = set()
    for root in graph:
        trail, stack = [], [(root, iter(graph[root]))]
        trail.append(root)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                done.add(node)
                stack.pop()
                trail.pop()
            elif child in trail:
                return trail[trail.index(child):] + [child]
            elif child in graph and child not in done:
                stack.append((child, iter(graph[child])))
                trail.append(child)
    return None


def check_generation_rules(ctx: Context) -> Iterator[Problem]:
    for index, shot in ctx.shots:
        where = f"shots[{index}]"
        if shot.clip is not None:
            for name in GENERATION_KEYS:
                if getattr(shot, name) not in (None, []):
                    yield ctx.at(("shots", index, name), f"{where}.{name}: a clip shot plays its footage as is; "
                                 f"remove `{name}` or remove `clip`", key=True)
            continue
        loop = shot.loop if shot.loop is not None else ctx.board.loop
        if loop and shot.end is not None:
            source = "" if shot.loop is not None else " (from the storyboard's `loop: true`)"
            yield ctx.at(("shots", index, "end"), f"{where}.end: Luma refuses a looping shot with an end "
                         f"keyframe{source}; remove `end` or set `loop: false` on this shot", key=True)
        images = [k for k in (shot.start, shot.end) if isinstance(k, str) and k != NONE] + list(shot.keyframes or ())
        if shot.prompt is None and not images and index not in ctx.partial:
            yield ctx.at(("shots", index), f"{where}: has no prompt and no image keyframe, which Luma refuses; "
                                           "add a `prompt`", key=True)


def check_provider_can(ctx: Context) -> Iterator[Problem]:
    """What the chosen provider's model cannot do (extend, take an image, loop, camera moves), refused with the
    way out: the storyboard change that avoids it, and the providers that can do it."""
    spec = providers.spec(ctx.provider)
    previous = None
    for index, shot in ctx.shots:
        offered = spec.capabilities.models.get(ctx.board.model)
        if shot.clip is None and offered is not None:
            for path, cannot, fix, able in _unsupported(ctx, index, shot, previous, spec.capabilities, offered):
                others = [n for n, s in providers.PROVIDERS.items() if n != ctx.provider and
                          ctx.board.model in s.capabilities.models and able(s.capabilities,
                                                                             s.capabilities.models[ctx.board.model])]
                where = ".".join(str(p) for p in path[2:])
                yield ctx.at(path, f"shots[{index}]{'.' + where if where else ''}: {spec.title} {cannot}; {fix}"
                             + (f", or use a provider that can ({', '.join(others)})" if others else ""), key=True)
        previous = (ctx.ids[index], shot)


def _unsupported(ctx: Context, index: int, shot: Shot, previous, caps, offered) -> Iterator[tuple]:
    """(where, what the provider cannot do, the storyboard's fix, who can) for each thing the shot asks for."""
    at = ("shots", index)
    if (parent := parent_of(shot, previous)) and not offered.extend_forward:
        implicit = shot.start is None
        yield (at if implicit else (*at, "start"),
               f"cannot extend a shot, and this one continues `{parent}`"
               + (" (a shot without `start` extends the one before it)" if implicit else ""),
               "set `start: none` to begin it from its prompt alone", lambda c, m: m.extend_forward)
    end_images = bool(caps.images) and offered.end_frame
    if isinstance(shot.end, ShotRef) and not offered.extend_backward:
        yield ((*at, "end"), "cannot lead a shot into another generation",
               "give an end image instead, or remove `end`" if end_images else "remove `end`",
               lambda c, m: m.extend_backward)
    for name in ("start", "end"):
        ref = getattr(shot, name)
        if isinstance(ref, str) and ref != NONE and not (end_images if name == "end" else caps.images):
            yield ((*at, name), f"takes no {name} image" + ("" if caps.images else " (it generates from text alone)"),
                   "set `start: none`" if name == "start" else "remove `end`",
                   lambda c, m, end=name == "end": bool(c.images) and (m.end_frame or not end))
    if (shot.loop if shot.loop is not None else ctx.board.loop) and not offered.loop:
        yield ((*at, "loop") if shot.loop else at, "cannot make a looping shot",
               "set `loop: false`" + ("" if shot.loop else " (the storyboard's `loop: true` applies to this shot)"),
               lambda c, m: m.loop)
    if shot.camera and not offered.concepts:
        yield ((*at, "camera"), "takes no camera moves", "remove `camera` (or describe the move in the prompt)",
               lambda c, m: m.concepts)


def check_offered(ctx: Context) -> Iterator[Problem]:
    """The chosen provider offers the storyboard's model, resolution and aspect ratio, and each shot's duration;
    a refusal names the provider, what it offers instead, and the providers that offer what was asked."""
    caps, board = providers.capabilities(ctx.provider), ctx.board
    who = f"{providers.spec(ctx.provider).title} (provider {ctx.provider})"
    model = caps.models.get(board.model)
    if model is None:
        yield ctx.at(("model",), f"model: {who} does not offer `{board.model}`; choose {_either(caps.models)}"
                     f"{_elsewhere(ctx, lambda m, name: name == board.model)}")
        return
    for key, value, offered in (("resolution", board.resolution, model.resolutions),
                                ("aspect_ratio", board.aspect_ratio, model.aspect_ratios)):
        if value not in offered:
            yield ctx.at((key,), f"{key}: {who} does not offer {value} with {board.model}; choose "
                         f"{_either(offered)}{_elsewhere(ctx, lambda m, name, k=key, v=value: v in _field(m, k))}")
    for index, shot in ctx.shots:
        seconds = shot.duration or board.duration
        if shot.clip is not None or seconds in model.durations_s or (shot.duration is None and index != _first(ctx)):
            continue
        where, path = (f"shots[{index}].duration", ("shots", index, "duration")) if shot.duration else \
            ("duration", ("duration",))
        yield ctx.at(path, f"{where}: {who} generates {_either([f'{d}s' for d in model.durations_s])} shots with "
                     f"{board.model}, not {seconds}s; change the duration"
                     f"{_elsewhere(ctx, lambda m, name, d=seconds: d in m.durations_s)}")
    yield from _framed_durations(ctx, model, who)


def _framed_durations(ctx: Context, model, who: str) -> Iterator[Problem]:
    """A model may generate some durations from text alone: not with a keyframe, an extension or a loop."""
    if model.framed_durations_s is None:
        return
    previous = None
    for index, shot in ctx.shots:
        seconds = shot.duration or ctx.board.duration
        framed = (isinstance(shot.start, ShotRef) or (isinstance(shot.start, str) and shot.start != NONE)
                  or (shot.start is None and previous is not None) or shot.end is not None
                  or (shot.loop if shot.loop is not None else ctx.board.loop))
        if shot.clip is None and framed and seconds in model.durations_s and seconds not in model.framed_durations_s:
            allowed = _either([f"{d}s" for d in model.framed_durations_s])
            yield ctx.at(("shots", index, "duration") if shot.duration else ("shots", index),
                         f"shots[{index}]: {who} generates {seconds}s shots from text alone; one that starts from a "
                         f"keyframe, extends another shot, has an end keyframe or loops is {allowed}: give it "
                         f"`duration: {model.framed_durations_s[-1]}s`, or `start: none` and no end or loop",
                         key=shot.duration is None)
        previous = None if shot.clip is not None else shot


def _first(ctx: Context) -> int | None:
    """The first generated shot that takes the storyboard's duration (where its refusal is reported once)."""
    return next((i for i, shot in ctx.shots if shot.clip is None and shot.duration is None), None)


def _field(model, key: str) -> tuple:
    return model.resolutions if key == "resolution" else model.aspect_ratios


def _either(values) -> str:
    values = [str(v) for v in values]
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + f" or {values[-1]}"


def _elsewhere(ctx: Context, offers) -> str:
    """', or use a provider that offers it: NAME (MODELS); ...' over the other paid providers, or ''."""
    found = [f"{name} ({', '.join(m for m, caps in spec.capabilities.models.items() if offers(caps, m))})"
             for name, spec in providers.PROVIDERS.items() if name != ctx.provider and spec.capabilities.paid
             and any(offers(caps, m) for m, caps in spec.capabilities.models.items())]
    return f", or use a provider that offers it: {'; '.join(found)}" if found else ""


PUBLISH = ("set `assets: s3://BUCKET/PREFIX/` (or --assets, or PIPELINE_ASSETS) to publish keyframes to a bucket, "
           "or publish the storyboard's folder and set `asset_base_url:`, or use an https URL")


def check_public_keyframes(ctx: Context) -> Iterator[Problem]:
    """A provider that reads keyframes only from public URLs needs an asset store (a bucket, or the published
    folder) for local files. A warning: plan and validate still show the estimate; `unpublished` makes it a
    refusal before a paid run spends."""
    if not providers.capabilities(ctx.provider).needs_public_urls or ctx.board.assets or ctx.board.asset_base_url:
        return
    title = providers.spec(ctx.provider).title
    for index, shot in ctx.shots:
        for name in ("start", "end"):
            ref = getattr(shot, name)
            if isinstance(ref, str) and ref != NONE and not is_url(ref):
                yield ctx.at(("shots", index, name), f"shots[{index}].{name}: {title} fetches keyframes from public "
                             f"URLs, and `{ref}` is a local file; a run refuses it before spending: {PUBLISH}",
                             severity="warning")


def unpublished(notes) -> list[Problem]:
    """The keyframes a paid run cannot send (check_public_keyframes' warnings), as errors that stop the run."""
    return [replace(p, severity="error") for p in notes if p.severity == "warning" and PUBLISH in p.message]


def check_transitions(ctx: Context) -> Iterator[Problem]:
    previous: Shot | None = None
    for index, shot in ctx.shots:
        if shot.transition is not None and shot.transition.type != "cut":
            path = ("shots", index, "transition")
            if index == 0:
                yield ctx.at(path, f"shots[{index}].transition: the first shot has nothing to transition from; "
                                   "remove it", key=True)
            elif previous is not None:
                yield from _transition_length(ctx, index, shot, min(_seconds(ctx, previous), _seconds(ctx, shot)))
        previous = shot


def _transition_length(ctx: Context, index: int, shot: Shot, shortest: float) -> Iterator[Problem]:
    """A transition as long as a shot it joins is refused; one over half of it hides most of that shot."""
    path, kind, seconds = ("shots", index, "transition"), shot.transition.type, shot.transition.duration
    if seconds >= shortest:
        yield ctx.at(path, f"shots[{index}].transition: a {seconds:g} s {kind} is as long as a shot it joins; "
                           "make it shorter", key=True)
    elif seconds > shortest / 2:
        yield ctx.at(path, f"shots[{index}].transition: a {seconds:g} s {kind} is more than half of the "
                           f"{shortest:g} s shot it joins, which plays mostly blended; make it {shortest / 2:g} s "
                           "or shorter", key=True, severity="warning")


def _seconds(ctx: Context, shot: Shot) -> float:
    """What the shot plays, after its trims."""
    clip = clip_frames(ctx, shot)
    if clip is None:
        return float("inf")
    first, frames = cuts.played(shot, clip)
    return max(1, min(frames, clip - first)) / formats.FPS


def camera_notes(ctx: Context) -> Iterator[Problem]:
    """One note per friendly name (where it is first used, naming the other shots), not one per shot."""
    uses: dict[str, list[tuple[int, int, str, str]]] = {}
    for index, shot in ctx.shots:
        for n, name in enumerate(shot.camera):
            key = camera.resolve(name)
            if key != name:
                uses.setdefault(camera.normal(name), []).append((index, n, name, key))
    for (index, n, name, key), *others in uses.values():
        also = f" (also in {', '.join(f'shots[{i}]' for i in dict.fromkeys(o[0] for o in others))})" if others else ""
        yield ctx.at(("shots", index, "camera") + ((n,) if _is_list(ctx, index) else ()),
                     f"shots[{index}].camera: `{name}` is read as Luma's `{key}`{also}", severity="note")


def _is_list(ctx: Context, index: int) -> bool:
    raw = ctx.located.data["shots"][index]["camera"]
    return isinstance(raw, list)


ALL = (check_ids, check_references, check_offered, tier_checks.check_tiers, check_files, check_generation_rules,
       check_provider_can, check_pinned, check_public_keyframes, check_transitions, check_trims, camera_notes)
