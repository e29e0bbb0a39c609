"""The fake's videos: each generation rendered by the animatic (or an injected renderer) in a worker thread."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import Image

from .. import ffmpeg
from ..providers.base import GenerationKeyframe, ImageKeyframe, ShotRequest
from .store import FakeLuma, Generation
from .validate import duration_s

log = logging.getLogger("pipeline.fake_luma")
UNREADABLE_FRAMES = "Failed to read user input frames"


class UnreadableKeyframe(Exception):
    pass


def default_render(repeat_join: bool = False):
    """The animatic; with repeat_join an extension opens on its parent's last frame, as some providers do."""
    from ..animatic import render_shot  # imported late: the fake can run with an injected renderer alone

    return functools.partial(render_shot, repeat_join=repeat_join)


def start(fake: FakeLuma, generation: Generation, frames: dict, own_base: str) -> None:
    """Queue the render of `generation`; its state stays dreaming until the render is done."""
    try:
        shot = shot_request(fake, generation, frames, own_base)
    except UnreadableKeyframe as exc:
        log.info("generation %s: %s", generation.id, exc)
        fake.mark_failed(generation, UNREADABLE_FRAMES)
        return
    parent = _parent_video(fake, frames)
    generation.render = fake.pool.submit(_render, fake, generation, shot, parent)


def shot_request(fake: FakeLuma, generation: Generation, frames: dict, own_base: str) -> ShotRequest:
    req = generation.request
    keyframes = {name: _keyframe(fake, frame, own_base) for name, frame in frames.items()}
    # Named by the request, not the random id, so that the same request renders the same frames in any fake:
    # rehearsals and resumed runs can then be compared frame for frame.
    label = _label(fake, req)
    return ShotRequest(
        shot_id=label, key=label, model=req["model"],
        resolution=req["resolution"] or "720p", aspect_ratio=req["aspect_ratio"] or "16:9",
        duration_s=duration_s(req["duration"]), prompt=req["prompt"],
        concepts=tuple(c["key"] for c in req["concepts"] or ()), loop=bool(req["loop"]),
        start=keyframes.get("frame0"), end=keyframes.get("frame1"))


def _label(fake: FakeLuma, request: dict) -> str:
    """A name that depends on the request alone: a parent generation counts by its own label, not its id."""
    frames = {name: {"type": "generation", "id": _label(fake, fake.generations[f["id"]].request)}
              if f and f.get("type") == "generation" and f.get("id") in fake.generations else f
              for name, f in (request.get("keyframes") or {}).items()}
    material = json.dumps({**request, "keyframes": frames}, sort_keys=True)
    return "luma-" + hashlib.sha256(material.encode()).hexdigest()[:8]


def _keyframe(fake: FakeLuma, frame: dict, own_base: str):
    if frame["type"] == "generation":
        parent = fake.generations[frame["id"]]
        return GenerationKeyframe(shot_id=f"luma-{parent.id[:8]}", job_id=parent.id, clip=parent.video)
    return ImageKeyframe(path=_own_cdn_file(fake, frame["url"], own_base), url=frame["url"])


def _own_cdn_file(fake: FakeLuma, url: str, own_base: str) -> Path | None:
    """The local file behind a URL on this fake's own /cdn/ (so in-process tests need no network)."""
    parts, own = urlsplit(url), urlsplit(own_base)
    if parts.netloc != own.netloc or not parts.path.startswith("/cdn/"):
        return None
    root = Path(fake.options.cdn_dir or "/nonexistent").resolve()
    path = (root / unquote(parts.path[len("/cdn/"):])).resolve()
    if not path.is_file() or not path.is_relative_to(root):
        raise UnreadableKeyframe(f"{url} is not in the fake's CDN folder")
    return path


def _parent_video(fake: FakeLuma, frames: dict) -> Path | None:
    frame0 = frames.get("frame0")
    if fake.options.extension_includes_parent and frame0 and frame0["type"] == "generation":
        return fake.generations[frame0["id"]].video
    return None


def _render(fake: FakeLuma, generation: Generation, shot: ShotRequest, parent: Path | None) -> None:
    video = fake.work_dir / f"{generation.id}.mp4"
    try:
        new_part = video.with_suffix(".new.mp4") if parent else video
        (fake.options.render or default_render(fake.options.repeat_join_frame))(shot, new_part)
        if parent:
            concat([parent, new_part], video)
        _thumbnail(video, video.with_suffix(".jpg"))
    except Exception as exc:  # any failure becomes a failed generation, as on Luma
        log.warning("generation %s: render failed: %s", generation.id, exc, exc_info=True)
        has_image = bool(shot.keyframes) or any(isinstance(k, ImageKeyframe) for k in (shot.start, shot.end))
        fake.mark_failed(generation, UNREADABLE_FRAMES if has_image else "Job failed")
        return
    generation.video, generation.thumb = video, video.with_suffix(".jpg")


def concat(parts: list[Path], dest: Path) -> None:
    """Join clips of one encoding without re-encoding (the fake's parent-including extensions); the tags
    are the last part's, which says what the joined video ends on."""
    listing = dest.with_suffix(".txt")
    listing.write_text("".join(f"file '{p.resolve()}'\n" for p in parts))
    ffmpeg.run(["-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(parts[-1]), "-map", "0",
                "-map_metadata", "1", "-c", "copy", "-movflags", "+faststart", str(dest)],
               what="fake luma: join an extension to its parent")
    listing.unlink()


def _thumbnail(video: Path, dest: Path) -> None:
    Image.fromarray(ffmpeg.frame_at(video, 0)).save(dest, "JPEG", quality=80)
