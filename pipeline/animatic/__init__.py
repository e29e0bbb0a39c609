"""The offline animatic: renders a ShotRequest as a moving storyboard frame, for timing, pacing and music.

A shot opens on its start keyframe (an image, the exact last frame of the shot it extends, or a slate with
its id and prompt), moves it the way its camera concepts say (see motion), dissolves to its end keyframe
if it has one, and writes an H.264 MP4 at the request's size, 24 fps, with no audio.
"""

from .render import render_shot

__all__ = ["render_shot"]
