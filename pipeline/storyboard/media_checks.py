"""Check the files a storyboard names: each can be a file here, exists, is media ffmpeg reads, is the kind
its key wants (an image, a video, a sound), is whole, and (an image) is not larger than the animatic reads."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from .. import ffmpeg, formats
from ..errors import Problem
from ..file_facts import Media
from .context import Context, is_url
from .diagnose import dotted
from .model import NONE

# The largest keyframe the animatic reads cleanly: Pillow's own limit (89 MP), above which it warns of a
# "decompression bomb" and, past twice that, refuses and leaves the picture to a slower ffmpeg decode; ffmpeg
# itself stops near 268 MP ((w+128)*(h+128) < 2**28) and then calls a valid picture unreadable.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
_NOUNS = {"image": "an image", "video": "a video", "audio": "a sound file"}
_KINDS = {"image": "still image (PNG, JPEG or WebP)", "video": "video file (e.g. MP4)",
          "audio": "sound file (e.g. WAV, M4A, MP3)"}
_NO_FILE = {"video": "remove `clip` to generate the shot, or give a video file (e.g. MP4)",
            "audio": "remove `audio` for a film without music, or give a sound file"}


def check_files(ctx: Context) -> Iterator[Problem]:
    wanted = [(("shots", i, n), getattr(s, n), "image") for i, s in ctx.shots for n in ("start", "end")]
    wanted += [(("shots", i, "keyframes", n, "image"), k.image, "image")
               for i, s in ctx.shots for n, k in enumerate(s.keyframes or ())]
    wanted += [(("shots", i, "clip"), s.clip, "video") for i, s in ctx.shots]
    if ctx.board.audio is not None:
        wanted.append((("audio", "path"), ctx.board.audio.path, "audio"))
    for path, ref, kind in wanted:
        if not isinstance(ref, str) or (ref == NONE and kind == "image"):
            continue  # `start: none` is a new chain; `clip: none` and `path: none` name no file
        if not is_url(ref):
            yield from _check_file(ctx, path, ref, kind)
        elif kind != "image":  # footage and music are cut locally: only keyframes may live online
            yield ctx.at(path, f"{dotted(path)}: {shown(ref)} is a URL; download the {kind} next to the "
                               "storyboard and give its path")


def _check_file(ctx: Context, path: tuple, ref: str, kind: str) -> Iterator[Problem]:
    name = dotted(path)
    try:
        file = ctx.resolve(_no_nul(ref))
        found = _is_file(ctx, file)
    except OSError as exc:  # e.g. a name longer than the file system allows: not a file it could hold
        yield ctx.at(path, f"{name}: {shown(ref)} cannot be a file name here ({exc.strerror}); "
                           "give a path relative to the storyboard")
        return
    if not found:
        yield ctx.at(path, f"{name}: {_not_found(ctx, ref, kind)}")
        return
    info = _learnt(ctx, file).info
    if info is None:
        yield ctx.at(path, f"{name}: {_unreadable(file, ref, kind)}")
        return
    ctx.media[file] = info
    yield from _check_content(ctx, path, ref, kind, info)


def _is_file(ctx: Context, file: Path) -> bool:
    """Whether the path is a file, asked once per load (ctx.media holds the files found and probed)."""
    return file in ctx.media or file.is_file()


def _check_content(ctx: Context, path: tuple, ref: str, kind: str, info: ffmpeg.MediaInfo) -> Iterator[Problem]:
    name, file = dotted(path), ctx.resolve(ref)
    if info.kind != kind and not (kind == "audio" and info.has_audio):
        yield ctx.at(path, f"{name}: {shown(ref)} is {_NOUNS[info.kind]}, not {_NOUNS[kind]}; give a {_KINDS[kind]}")
    elif kind == "image" and info.width * info.height > MAX_PIXELS:
        yield ctx.at(path, f"{name}: {_too_large(ref, info.width, info.height)}")
    elif kind == "image" and (cropped := _cropped(info.width, info.height, ctx.board.aspect_ratio)):
        yield ctx.at(path, f"{name}: {shown(ref)} is {_ratio(info.width, info.height)} ({info.width}x{info.height}) "
                           f"in a {ctx.board.aspect_ratio} film: {cropped}; give a {ctx.board.aspect_ratio} "
                           "keyframe, or keep what matters in its middle", severity="warning")
    elif kind != "image":
        found, listed = _learnt(ctx, file).packets.get(kind, (0, 1))
        if found < listed:
            yield ctx.at(path, f"{name}: {shown(ref)} is cut short: it holds {found} of the {listed} {kind} "
                               "frames its header lists (an interrupted copy or download?); copy or export it again")


CROP_NOTICED = 0.03  # less than this of a keyframe cut away is rounding, not a different picture


def _cropped(width: int, height: int, aspect: str) -> str | None:
    """How much of a keyframe the film's frame cuts away (it is scaled to cover the frame), in words."""
    if not width or not height:
        return None
    across, down = (int(x) for x in aspect.split(":"))
    film, image = across / down, width / height
    lost = 1 - min(film, image) / max(film, image)
    if lost < CROP_NOTICED:
        return None
    return f"{lost:.0%} of its {'width' if image > film else 'height'} is cropped"


def _ratio(width: int, height: int) -> str:
    """The named aspect ratio a picture has (within 1 %), else its ratio to one."""
    for named in formats.ASPECT_RATIOS:
        across, down = (int(x) for x in named.split(":"))
        if abs(width / height - across / down) <= 0.01 * across / down:
            return named
    return f"{width / height:.2f}:1"


def media_of(ctx: Context, ref: str) -> ffmpeg.MediaInfo | None:
    """What check_files found in the file `ref` names; None for one it could not read or name."""
    return None if "\x00" in ref else ctx.media.get(ctx.resolve(ref))


def _not_found(ctx: Context, ref: str, kind: str) -> str:
    if ref.strip().lower() in (NONE, "null"):
        if kind == "image":
            return (f"{shown(ref)} is read as a file name; write `none` in lower case for a new chain, "
                    "or remove the key to extend the previous shot")
        return f"{shown(ref)} names no file; {_NO_FILE[kind]}"
    return f"file {shown(ref)} not found (looked in {ctx.base_dir}); give a path relative to the storyboard"


def _unreadable(file: Path, ref: str, kind: str) -> str:
    size = _header_size(file) if kind == "image" else None
    if size and size[0] * size[1] > MAX_PIXELS:
        return _too_large(ref, *size)
    return f"{shown(ref)} is not a file ffmpeg can read; give a {_KINDS[kind]}"


def _too_large(ref: str, width: int, height: int) -> str:
    return (f"{shown(ref)} is {width}x{height} pixels ({width * height / 1e6:.0f} MP), larger than the "
            f"animatic reads (at most {MAX_PIXELS / 1e6:.0f} MP, e.g. 12000x7450); scale it down, e.g. to "
            "3840 pixels wide: a keyframe is scaled to the film's size anyway")


def shown(ref: str) -> str:
    """A file reference as messages quote it: control characters escaped, a long one cut at 60 characters."""
    text = ref if ref.isprintable() else repr(ref)[1:-1]
    return f"`{text[:60]}...`" if len(text) > 60 else f"`{text}`"


def _no_nul(ref: str) -> str:
    """The reference, or the OSError a file system gives for a NUL in a name (Python raises ValueError)."""
    if "\x00" in ref:
        raise OSError(0, "a file name cannot hold a NUL character")
    return ref


def _learnt(ctx: Context, file: Path) -> Media:
    """What the file is, asked of the facts once per load however many shots play it (they read its bytes only
    for a file they do not know as it is)."""
    if (found := ctx.found.get(file)) is None:
        try:
            found = ctx.facts.media(file)
        except OSError:  # a file that cannot be read at all (no permission, gone since): said as unreadable
            found = Media(None)
        ctx.found[file] = found
    return found


def _header_size(file: Path) -> tuple[int, int] | None:
    """An image's size read from its header by Pillow's format plugins, as Image.open does but without its
    decompression-bomb check, which refuses a very large picture without saying how large it is."""
    Image.init()
    with file.open("rb") as fp:
        prefix = fp.read(16)
        for name in Image.ID:
            factory, accept = Image.OPEN[name]
            if accept is not None and not accept(prefix):
                continue
            fp.seek(0)
            try:
                return factory(fp, str(file)).size
            except (SyntaxError, IndexError, TypeError, ValueError, OSError, struct.error):  # as Image.open
                continue
    return None
