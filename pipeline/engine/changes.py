"""Why a shot is to be generated again, in a filmmaker's words: what its request asks now against what its last
generation asked (the journal keeps each key's request; see plan.key_material)."""

from __future__ import annotations

from collections.abc import Mapping

from ..plan import PlannedShot

NEW = "new"
UNKNOWN = "settings changed"  # the last generation's request is not known (a journal from before it was kept)

# The request's own fields, as a filmmaker calls them, in the order they are said.
FIELDS = (("prompt", "prompt"), ("concepts", "camera"), ("duration", "duration"), ("loop", "loop"),
          ("take", "take"), ("model", "model"), ("resolution", "resolution"), ("aspect", "aspect ratio"),
          ("pinned", "pinned keyframes"), ("options", "render options"), ("v", "key format"))


def since(planned: PlannedShot, before: Mapping[str, object] | None) -> str:
    """What changed in `planned`'s request since `before` (its last generation's), e.g. "prompt changed,
    camera changed" or "extends boat, which changed"."""
    now = planned.asks
    if before is None or now is None:
        return UNKNOWN
    said = [f"{_said(word, now, before)} changed" for name, word in FIELDS if now.get(name) != before.get(name)]
    for end, shot in (("start", planned.parent), ("end", planned.end_ref)):
        if now.get(end) != before.get(end):
            said.append(_frame(end, now.get(end), before.get(end), shot))
    return ", ".join(said) or UNKNOWN


def _said(word: str, now: Mapping, before: Mapping) -> str:
    options = {*dict(now.get("options") or {}), *dict(before.get("options") or {})}
    return "burn-in" if word == "render options" and options == {"burn_in"} else word


def _frame(end: str, now: object, before: object, shot: str | None) -> str:
    """A start or end keyframe that changed: the image, the generation it extends, or its kind."""
    kind_now, kind_before = _kind(now), _kind(before)
    if kind_now == kind_before == "generation":
        return f"extends {shot}, which changed" if end == "start" else f"leads into {shot}, which changed"
    if kind_now == kind_before == "image":
        return "keyframe image changed" if end == "start" else "end keyframe image changed"
    if kind_now == "generation":
        return f"now extends {shot}" if end == "start" else f"now leads into {shot}"
    if kind_now == "image":
        return "now starts from an image" if end == "start" else "now ends on an image"
    return "now starts from text" if end == "start" else "no longer has an end keyframe"


def _kind(frame: object) -> str | None:
    return next(iter(frame), None) if isinstance(frame, Mapping) else None
