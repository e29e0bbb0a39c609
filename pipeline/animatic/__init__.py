"""The offline animatic: renders a ShotRequest as a moving storyboard frame, for timing, pacing and music.

A shot opens on its start keyframe (an image, the exact last frame of the shot it extends, or a slate with
its id and prompt), moves it the way its camera concepts say (motion), dissolves to its end keyframe if it
has one, and writes an H.264 MP4 at the request's size, 24 fps, with no audio (render).

Continuity, by design:
- frame 0 is the start picture untouched (every move is the identity at the start);
- the last frame is the end picture untouched (its layer moves in step with the start picture and lands);
- the caption fades in after frame 0 and out before the last frame (film), so joins are clean pictures;
- an extension starts from its parent's last frame as stored (yuv420p planes, ffmpeg.planes_at), not an
  RGB round trip, so a chain neither drifts in colour nor loses detail from shot to shot.

Modules: motion (camera concepts as 2-D poses), planes (pictures as padded Y'CbCr planes and sampling),
film (per-frame cues: progress, dissolve, caption), text (slate and caption), keyframes (loading pictures),
render (the encode loop and the atomic write).
"""

from .render import render_shot

__all__ = ["render_shot"]
