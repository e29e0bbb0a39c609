"""The sound bed encoded from the plan while the shots generate: it depends only on the plan (the runtime,
the music and its settings, footage's own sound), so a run starts it at once and the assembly after the last
clip lands finds it in the cache and joins everything by copy.

What the plan cannot know (a join's repeated frame trimmed, a short clip held, a generated clip with sound of
its own) makes assembly's bed differ from this one; it then encodes its own, as it would have anyway.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ..errors import PipelineError
from ..plan import Plan
from ..storyboard.load import Project
from . import sound


def planned_bed(project: Project, plan: Plan) -> sound.Bed:
    """The bed assembly will lay under the cut as planned."""
    music = project.board.audio
    sounds = tuple(sound.Sound(project.file(p.shot.clip), p.start_frame, p.first, p.frames) for p in plan.shots
                   if p.shot.clip and project.media[project.file(p.shot.clip)].has_audio)
    return sound.Bed(plan.runtime_frames, music, project.file(music.path) if music else None, sounds)


def start(project: Project, plan: Plan, cache: Path) -> Future | None:
    """Encode the planned bed into `cache` on a thread of its own; None when the film has no sound."""
    bed = planned_bed(project, plan)
    if bed.empty:
        return None
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:  # ahead of time is only a head start: assembly makes the bed, or says what is in the way
        return None
    pool = ThreadPoolExecutor(1, thread_name_prefix="bed-ahead")
    made = pool.submit(sound.cached, bed, cache)
    pool.shutdown(wait=False)
    return made


def finish(made: Future | None) -> None:
    """Wait for the bed started ahead; a failure is left to assembly, which encodes the bed again and says why."""
    if made is None:
        return
    with contextlib.suppress(PipelineError, OSError):
        made.result()
