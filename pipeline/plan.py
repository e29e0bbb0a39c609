"""Pure planning: chains, positions in the cut, cache keys and the cost estimate. No I/O here."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from . import formats, providers
from .music.grid import Grid
from .music.snap import Reach, Snapped, on_the_beat
from .storyboard import cuts
from .storyboard.model import NONE, Shot, ShotRef, Storyboard
from .tiers import TIERS, UNDECIDED, Choices, Look, look_of, looks_of

KEY_VERSION = 2  # bump when what a key identifies changes meaning (2: the shot id and take are part of it)


def _is_image(ref: object) -> bool:
    return isinstance(ref, str) and ref != NONE


def pinned(shot: Shot) -> list[tuple[int, str]]:
    """A shot's pinned keyframes as (frame on the FPS grid, image reference), in frame order."""
    return sorted((formats.frames_for(k.at), k.image) for k in shot.keyframes or ())


def dependencies(shots: list[tuple[str, Shot]]) -> dict[str, list[str]]:
    """Shot id -> ids of the shots whose generations it needs first (frame0 parent, frame1 target)."""
    links = _links([i for i, _ in shots], [s for _, s in shots])
    return {i: [n for n in pair if n] for i, pair in links.items()}


def parent_of(shot: Shot, previous: tuple[str, Shot] | None) -> str | None:
    """The shot this one extends: named by {shot: ID}, else the previous generated shot when start is omitted."""
    if isinstance(shot.start, ShotRef):
        return shot.start.shot
    if shot.start is None and previous is not None and previous[1].clip is None:
        return previous[0]
    return None


@dataclass(frozen=True)
class PlannedShot:
    index: int
    id: str
    shot: Shot
    chain: int
    start_frame: int  # where the shot begins in the cut
    frames: int
    transition: str  # into this shot: cut | dissolve | fade
    transition_frames: int
    parent: str | None  # frame0 = this shot's generation
    end_ref: str | None  # frame1 = this shot's generation
    key: str
    estimated_cost_usd: float
    asks: Mapping[str, object] | None = field(default=None, compare=False, repr=False)  # what the key hashes
    first: int = 0  # the clip's frames left out before the shot starts (its `in`)
    clip_frames: int = 0  # frames of the shot's clip (what a generation makes and costs); 0: `frames`
    snapped: Snapped | None = None  # how its cut moved onto a beat, where the storyboard asks

    @property
    def clip_length(self) -> int:
        return self.clip_frames or self.frames

    @property
    def trimmed_in(self) -> bool:
        return self.first > 0

    @property
    def trimmed_out(self) -> bool:
        return self.first + self.frames < self.clip_length
    take: int = 1  # this take's number
    picked: bool = True  # the take the cut plays and later shots extend (Plan.shots); False in Plan.other_takes
    takes: int = 1  # how many takes the shot has
    look: Look | None = None  # None: the storyboard's model and resolution

    @property
    def generate(self) -> bool:
        return self.shot.clip is None

    @property
    def duration_s(self) -> float:
        return self.frames / formats.FPS

    @property
    def start_s(self) -> float:
        return self.start_frame / formats.FPS

    @property
    def source(self) -> str:
        """What the shot starts from, in words."""
        s = self.shot
        if s.clip is not None:
            return f"footage {s.clip}"
        begin = f"extends {self.parent}" if self.parent else (f"image {s.start}" if _is_image(s.start) else "text")
        if s.keyframes:
            begin += f", {len(s.keyframes)} pinned keyframe{'s' if len(s.keyframes) > 1 else ''}"
        if self.end_ref:
            return f"{begin}, leads into {self.end_ref}"
        return f"{begin}, ends on image {s.end}" if _is_image(s.end) else begin


@dataclass(frozen=True)
class Plan:
    title: str
    provider: str
    model: str
    resolution: str
    shots: tuple[PlannedShot, ...]  # one per shot, at its picked take: the timeline
    other_takes: tuple[PlannedShot, ...] = ()  # every take not picked, generated too
    beats: Grid | None = None  # the music bed's beats in the cut, where the storyboard cuts to them

    @property
    def every_take(self) -> tuple[PlannedShot, ...]:
        return self.shots + self.other_takes

    def cost_with(self, provider: str) -> float:
        """What the shots to generate would cost with another provider (a free plan shows a paid one's): whole
        clips, trims or not, since a generation costs all it makes."""
        return round(sum(providers.cost_usd(provider, p.look.model if p.look else self.model,
                                            p.look.resolution if p.look else self.resolution,
                                            p.clip_length / formats.FPS)
                         for p in self.every_take if p.generate), 2)

    def takes_of(self, shot_id: str) -> list[PlannedShot]:
        """The shot's takes in order (one for footage)."""
        return sorted((p for p in self.every_take if p.id == shot_id), key=lambda p: p.take)

    @property
    def runtime_frames(self) -> int:
        return max((p.start_frame + p.frames for p in self.shots), default=0)

    @property
    def generations(self) -> int:
        return sum(p.generate for p in self.every_take)

    @property
    def estimated_cost_usd(self) -> float:
        return round(sum(p.estimated_cost_usd for p in self.every_take), 2)

    @property
    def longest_chain_frames(self) -> int:
        """The longest run of generations that must happen one after another (the critical path)."""
        by_id, total = {p.id: p for p in self.shots}, {}
        for p in self.shots:  # dependencies point backwards in a valid (acyclic, ordered) plan, or resolve first
            total[p.id] = _path_frames(p, by_id, total)
        return max(total.values(), default=0)

    def by_id(self, shot_id: str) -> PlannedShot:
        return self._by_id[shot_id]

    @cached_property
    def _by_id(self) -> dict[str, PlannedShot]:
        return {p.id: p for p in self.shots}


def _path_frames(p: PlannedShot, by_id: dict, memo: dict) -> int:
    if p.id in memo:
        return memo[p.id]
    needs = [by_id[n] for n in (p.parent, p.end_ref) if n]
    memo[p.id] = (p.clip_length if p.generate else 0) + max((_path_frames(n, by_id, memo) for n in needs), default=0)
    return memo[p.id]


def make_plan(board: Storyboard, *, provider: str, title: str, digests: Mapping[str, str],
              clip_frames: Mapping[str, int], render_options: Mapping[str, object] | None = None,
              choices: Choices = UNDECIDED, beats: Grid | None = None) -> Plan:
    """Plan a validated (acyclic) storyboard.

    digests: file reference -> content hash; clip_frames: clip reference -> frames at FPS;
    render_options: provider options that change pixels (the animatic's burnt-in caption), part of each key;
    choices: the picked takes and tiers. A shot extends its parent's picked take, so a new pick makes new keys;
    beats: the music bed's beats in the cut, for a storyboard that cuts to them.
    """
    ids = board.shot_ids()
    shot_of = dict(zip(ids, board.shots, strict=True))
    links = _links(ids, board.shots)
    chains = _chains(ids, {i: [n for n in links[i] if n] for i in ids})
    looks = looks_of(board, ids, links, choices)
    takes = {i: (shot_of[i].takes or board.takes) if shot_of[i].clip is None else 1 for i in ids}
    picked = {i: choices.picks.get(i, 1) if choices.picks.get(i, 1) <= takes[i] else 1 for i in ids}
    keys: dict[str, str] = {}

    def generated(shot_id: str, take: int) -> dict:
        """What the generation later shots extend asks for: an upscaled shot's is its draft's."""
        parent, end_ref = links[shot_id]
        look = looks[shot_id]
        return key_material(board, shot_id, shot_of[shot_id], provider, digests, parent and key_of(parent),
                            end_ref and key_of(end_ref), render_options, take,
                            look_of(board, TIERS[0]) if look.upscale else look)

    def material(shot_id: str, take: int) -> dict:
        made = generated(shot_id, take)
        if not looks[shot_id].upscale:
            return made
        return {"v": KEY_VERSION, "shot": shot_id, "take": take, "provider": provider, "upscale": _digest(made),
                "resolution": looks[shot_id].resolution}

    def key_of(shot_id: str) -> str:  # keys in dependency order: a shot may lead into a later one
        if shot_id not in keys:
            keys[shot_id] = _digest(generated(shot_id, picked[shot_id]))
        return keys[shot_id]

    def planned_take(shot_id: str, take: int) -> tuple[str, dict, Look]:
        asked, look = material(shot_id, take), looks[shot_id]
        if look.upscale:
            look = replace(look, upscale_of=_digest(generated(shot_id, take)))
        return _digest(asked), asked, look

    planned, others, cursor = [], [], 0
    for index, (shot_id, shot) in enumerate(zip(ids, board.shots, strict=True)):
        clip = clip_frames[shot.clip] if shot.clip else formats.frames_for(shot.duration or board.duration)
        first, frames = cuts.played(shot, clip)
        kind, overlap = _transition(shot, index)
        cursor = max(cursor - overlap, 0)
        snapped = _snapped(board, index, Reach(cursor, frames, 1, clip - first), beats)
        frames = snapped.frames if snapped else frames
        look = looks[shot_id]
        cost = 0.0 if shot.clip else providers.cost_usd(provider, look.model, look.resolution, clip / formats.FPS)
        key, asked, look = planned_take(shot_id, picked[shot_id])
        this = PlannedShot(index, shot_id, shot, chains[shot_id], cursor, frames, kind, overlap, *links[shot_id],
                           key, cost, asked, first, clip, snapped, take=picked[shot_id], takes=takes[shot_id],
                           look=look if board.tiers else None)
        planned.append(this)
        for take in (t for t in range(1, takes[shot_id] + 1) if t != picked[shot_id]):
            key, asked, look = planned_take(shot_id, take)
            others.append(replace(this, key=key, asks=asked, take=take, picked=False,
                                  look=look if board.tiers else None))
        cursor += frames
    return Plan(title=title, provider=provider, model=board.model, resolution=board.resolution,
                shots=tuple(planned), other_takes=tuple(others), beats=beats)


def _snapped(board: Storyboard, index: int, reach: Reach, beats: Grid | None) -> Snapped | None:
    into = _transition(board.shots[index], index)[1]
    out = _transition(board.shots[index + 1], index + 1)[1] if index + 1 < len(board.shots) else 0
    return on_the_beat(board, index, reach, beats, into, out)


def _links(ids: list[str], shots: list[Shot]) -> dict[str, tuple[str | None, str | None]]:
    """Shot id -> (the shot it extends, the shot it leads into)."""
    out = {}
    for index, (shot_id, shot) in enumerate(zip(ids, shots, strict=True)):
        previous = (ids[index - 1], shots[index - 1]) if index else None
        parent = parent_of(shot, previous) if shot.clip is None else None
        end_ref = shot.end.shot if isinstance(shot.end, ShotRef) and shot.clip is None else None
        out[shot_id] = (parent, end_ref)
    return out


def _transition(shot: Shot, index: int) -> tuple[str, int]:
    if index == 0 or shot.transition is None or shot.transition.type == "cut":
        return "cut", 0
    return shot.transition.type, max(1, formats.frames_for(shot.transition.duration))


def overlaps(shots: Sequence[PlannedShot]) -> list[tuple[int, int]]:
    """Each shot's (frames its incoming transition overlaps the shot before, frames the next shot's
    transition overlaps its end): the one place the outgoing side is worked out."""
    into = [p.transition_frames for p in shots]
    return list(zip(into, [*into[1:], 0], strict=True))


def _chains(ids: list[str], graph: dict[str, list[str]]) -> dict[str, int]:
    """Number the groups of shots linked by generation keyframes, 1.. in order of first appearance."""
    group = {i: i for i in ids}

    def root(i: str) -> str:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for shot_id, needs in graph.items():
        for need in needs:
            if need in group:
                group[root(shot_id)] = root(need)
    numbers: dict[str, int] = {}
    return {i: numbers.setdefault(root(i), len(numbers) + 1) for i in ids}


def shot_key(board: Storyboard, shot_id: str, shot: Shot, provider: str, digests: Mapping[str, str],
             parent_key: str | None, end_key: str | None, options: Mapping[str, object] | None = None,
             take: int = 1) -> str:
    """A hash of everything that shapes the shot's pixels, and of which shot and take it is: three shots with
    the same words are three generations. A parent's key stands in for its generation here; the journal
    records the exact generation each one extended (its lineage), so a parent generated again makes it stale."""
    return _digest(key_material(board, shot_id, shot, provider, digests, parent_key, end_key, options, take))


def _digest(material: Mapping[str, object]) -> str:
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:32]


def key_material(board: Storyboard, shot_id: str, shot: Shot, provider: str, digests: Mapping[str, str],
                 parent_key: str | None, end_key: str | None, options: Mapping[str, object] | None = None,
                 take: int = 1, look: Look | None = None) -> dict:
    """What a shot's key hashes, as plain data: kept by the journal so a changed key can say what changed."""
    def frame(ref: object, generation: str | None) -> object:
        if generation is not None:
            return {"generation": generation}
        return {"image": digests.get(ref, ref)} if _is_image(ref) else None

    if shot.clip is not None:
        material: dict = {"clip": digests.get(shot.clip, shot.clip)}
    else:
        material = {
            "v": KEY_VERSION, "shot": shot_id, "take": take, "provider": provider,
            "model": look.model if look else board.model, "prompt": shot.prompt, "concepts": list(shot.concepts),
            "resolution": look.resolution if look else board.resolution, "aspect": board.aspect_ratio,
            "duration": shot.duration or board.duration,
            "loop": shot.loop if shot.loop is not None else board.loop,
            "start": frame(shot.start, parent_key), "end": frame(shot.end, end_key),
            "options": dict(options or {}),
        }
        if shot.keyframes:  # only when pinned: every other shot keeps the key it had
            material["pinned"] = [[frame, digests.get(image, image)] for frame, image in pinned(shot)]
        if (renderer := providers.capabilities(provider).renderer_version) is not None:
            material["renderer"] = renderer  # a free renderer's changes re-render; paid keys never change
    return material


def _snap_json(snapped: Snapped) -> dict:
    return {"on": snapped.on, "cut_s": None if snapped.cut is None else round(snapped.cut / formats.FPS, 3),
            "moved_s": round(snapped.moved / formats.FPS, 3), "moved_frames": snapped.moved, "note": snapped.note}


def to_json(plan: Plan) -> dict:
    """The plan as the stable JSON that `pipeline plan --json` prints and scripts rely on."""
    fps = formats.FPS
    chosen = bool(plan.other_takes) or any(p.look for p in plan.shots)  # older plans' JSON stays as it was
    data = {
        "title": plan.title,
        "provider": plan.provider,
        "estimate": True,
        "shots": [{
            "id": p.id, "chain": p.chain, "start_s": round(p.start_s, 3), "duration_s": round(p.duration_s, 3),
            "source": p.source, "generate": p.generate, "estimated_cost_usd": p.estimated_cost_usd,
            "transition": p.transition, "key": p.key,
            "in_s": round(p.first / fps, 3), "clip_s": round(p.clip_length / fps, 3),
            **({"snap": _snap_json(p.snapped)} if p.snapped else {}),
        } for p in plan.shots],
        "totals": {
            "runtime_s": round(plan.runtime_frames / fps, 3), "generations": plan.generations,
            "longest_chain_s": round(plan.longest_chain_frames / fps, 3),
            "estimated_cost_usd": plan.estimated_cost_usd,
        },
        **({"beats": {"tempo_bpm": round(plan.beats.tempo, 2),
                      "beats_s": [round(t, 3) for t in plan.beats.beats],
                      "downbeats_s": [round(t, 3) for t in plan.beats.downbeats]}} if plan.beats else {}),
    }
    if chosen:
        for shown, p in zip(data["shots"], plan.shots, strict=True):
            shown.update(take=p.take, takes=p.takes, tier=p.look.tier if p.look else None,
                         model=p.look.model if p.look else plan.model,
                         resolution=p.look.resolution if p.look else plan.resolution,
                         estimated_cost_usd=round(p.estimated_cost_usd * (p.takes if p.generate else 1), 4))
    return data
