"""Where the assets go, and the encoder settings that make a rerun write byte-identical files."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from pipeline.ffmpeg import run

STORYBOARDS = Path(__file__).resolve().parent.parent
ASSETS = STORYBOARDS / "assets"

JPEG = {"quality": 84, "optimize": True, "progressive": True, "subsampling": "4:2:0"}
# without these ffmpeg writes its version and the creation time into the file
BITEXACT = ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags", "+bitexact"]


def save_jpeg(im: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, "JPEG", **JPEG)


def encode(args: list[str], path: Path, what: str) -> None:
    """Run ffmpeg with `args` (inputs, filters, codec options), writing `path` bit-exactly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    run([*args, *BITEXACT, str(path)], what=what)
