"""A music bed shorter than the cut: `loop: true` plays it again from the start, `loop: false` fades it out
where it ends and leaves silence after."""

from __future__ import annotations

import av
import numpy as np
import pytest

from pipeline import ffmpeg, formats
from pipeline.assembly import assemble as assembly
from pipeline.storyboard.load import load

from .test_assemble import SIZE, clip, project_of, shot


@pytest.fixture(autouse=True)
def small_cut(monkeypatch):
    monkeypatch.setattr(formats, "frame_size", lambda resolution, aspect: SIZE)


def _levels(tmp_path, **audio) -> list[float]:
    """The cut's sound level in tenths of a second, for 2 x 5 s shots over a 3 s bed heard from 0.5 s."""
    files = [clip(tmp_path / f"{n}.mp4") for n in range(2)]
    ffmpeg.run(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=3", str(tmp_path / "m.wav")],
               what="music")
    project, plan = project_of(tmp_path, [shot("a", new=True), shot("b", new=True)],
                               audio={"path": "m.wav", "offset": 0.5, **audio})
    report = assembly.assemble(project, plan, dict(zip("ab", files, strict=True)), tmp_path / "out" / "final.mp4")
    with av.open(str(report.cut)) as box:
        sound = np.concatenate([f.to_ndarray()[0] for f in box.decode(audio=0)])
    assert len(sound) == pytest.approx(10 * 48000, abs=2000)
    return [float(np.sqrt(np.mean(sound[s:s + 4800] ** 2))) for s in range(0, len(sound) - 4800, 4800)]


def test_a_looping_bed_plays_to_the_end_of_the_cut(tmp_path):
    level = _levels(tmp_path, loop=True)
    assert min(level[:-1]) > level[10] * 0.8


def test_a_bed_that_does_not_loop_fades_out_where_it_ends(tmp_path):
    level = _levels(tmp_path, loop=False)  # 2.5 s of music: a 1 s fade over its last second, then silence
    assert min(level[:14]) > level[5] * 0.8
    assert level[20] < level[5] * 0.6 and level[23] < level[5] * 0.3
    assert max(level[26:]) < 1e-3


def test_the_fade_out_the_storyboard_asks_for_ends_where_the_bed_ends(tmp_path):
    level = _levels(tmp_path, loop=False, fade_out=2)
    assert level[15] < level[3] * 0.6 and max(level[26:]) < 1e-3


def test_a_run_encodes_the_bed_from_the_plan_so_assembly_only_copies(tmp_path, monkeypatch):
    from pipeline.assembly import bed_ahead, sound
    from pipeline.engine import runner
    from pipeline.layout import Layout
    from pipeline.providers import registry

    ffmpeg.run(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=3", str(tmp_path / "m.wav")],
               what="music")
    project_of(tmp_path, [shot("a", new=True, length="2s"), shot("b", new=True)],
               audio={"path": "m.wav", "fade_out": 1})
    project = load(tmp_path / "board.yaml")  # the free animatic
    plan = project.plan()
    events = []
    render = sound.render
    monkeypatch.setattr(sound, "render", lambda bed, folder, **kw: events.append(bed) or render(bed, folder, **kw))
    out = tmp_path / "out"
    result = runner.run(project, plan, registry.create("animatic"), out,
                        report=lambda p: events.append(p.state) if p.shot_id == "cut" else None)
    assert events == [bed_ahead.planned_bed(project, plan), "assembling"]  # encoded once, before assembly
    assert result.assembly.runtime_frames == plan.runtime_frames == 168
    assert list(Layout(out).assembly_cache.glob("bed-*"))
