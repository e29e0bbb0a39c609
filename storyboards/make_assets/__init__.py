"""Draw the example storyboards' keyframes and synthesise their footage and music.

Writes into storyboards/assets/:
    rocket/pad.jpg            a rocket on a desert launch pad at dawn
    watch/front.jpg           a gold wristwatch on dark red velvet, seen from above
    watch/side.jpg            the same watch from a three-quarter angle
    short-film/title.mp4      a 3 s title card (H.264, yuv420p, 1280x720, 24 fps, no audio)
    short-film/shore.jpg      a lighthouse on a rocky shore at dusk
    short-film/storm.jpg      the lighthouse out on its rock in a night storm
    short-film/music.m4a      a 30 s calm music bed (AAC-LC, mono, 16 kHz, 24 kbit/s)

Keyframes are drawn with Pillow and numpy at twice the size and downsampled (anti-aliasing); footage and
music are made with ffmpeg. Every random choice comes from a fixed seed and the encoders run with
bit-exact flags, so a rerun writes byte-identical files.

Modules: canvas (the supersampled canvas), gradients, noise and shapes (drawing helpers), outputs (where and
how files are written), rocket, watch (with watch_parts and watch_dial), short_film (with coast), title and
music (the clips made with ffmpeg).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .music import music
from .outputs import ASSETS
from .rocket import rocket_pad
from .short_film import shore, storm
from .title import title_card
from .watch import watch_pictures

__all__ = ["ASSETS", "make_assets"]

FILM = ASSETS / "short-film"
JOBS: list[tuple[list[Path], Callable[..., None]]] = [
    ([ASSETS / "rocket" / "pad.jpg"], rocket_pad),
    ([ASSETS / "watch" / "front.jpg", ASSETS / "watch" / "side.jpg"], watch_pictures),
    ([FILM / "title.mp4"], title_card),
    ([FILM / "shore.jpg"], shore),
    ([FILM / "storm.jpg"], storm),
    ([FILM / "music.m4a"], music),
]


def make_assets(words: list[str]) -> None:
    """Make every asset, or with words only those whose path under assets/ contains one of them."""
    for paths, make in JOBS:
        names = " ".join(path.relative_to(ASSETS).as_posix() for path in paths)
        if not words or any(word in names for word in words):
            make(*paths)
