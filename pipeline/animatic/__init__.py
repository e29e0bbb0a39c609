"""The offline animatic: renders a ShotRequest as a moving storyboard frame, for timing, pacing and music.

A shot films a picture (its start keyframe, its chain's picture when it extends another shot, or a slate
with its id and prompt), moves over it the way its camera concepts say (motion, framing), dissolves to
its end keyframe if it has one (or shows each keyframe pinned inside it untouched at its frame, dissolving
between them: pinned), and writes an H.264 MP4 at the request's size, 24 fps, with no audio (render).

Pictures, by design:
- only real picture is shown: a move is framed to stay inside its picture (framing), never padded with a
  reflection or a repeat; a chain's first shot is framed closer when its move needs the room;
- a chain carries its view in its first picture (lineage, a tag in each clip), so an extension goes on
  moving over that picture instead of re-filming its parent's last frame, and nothing drifts or compounds;
- a text-only chain draws each shot its own slate, in the colours of the chain's first.

Timing, by design:
- an extension's frame 0 is the moment after its parent's last frame (never a repeat), so a cut of
  animatic clips lasts exactly as long as its plan;
- the last frame is the end picture untouched (its layer moves in step with the start picture and lands);
- the caption fades in after frame 0 and out before the last frame (film), so joins are clean pictures.

Modules: motion (camera concepts as 2-D poses), framing (views of a picture, fitted to stay inside it),
planes (pictures as Y'CbCr planes and sampling), film (per-frame cues: progress, dissolve, caption), text
(slate and caption), keyframes (loading pictures), pinned (shots with keyframes pinned inside them), lineage
(what a clip's last frame shows), render (the encode loop and the atomic write).
"""

from .render import render_shot

__all__ = ["render_shot"]
