"""A clip shorter than its shot, made with B-frames as provider clips are: its last picture is held to the
shot's length, and the packets copied before the held picture must still be exactly the frames they show
(the last packets in decode order are B-frames shown before the P-frame decoded ahead of them)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.assembly import assemble as assembly
from pipeline.assembly import gate, packets
from pipeline.assembly.edit_list import Span, own_parts

from .test_assemble import BFRAMES, clip, frames_of, project_of, shot, small_cut  # noqa: F401 (a fixture)


@pytest.mark.parametrize("frames", [60, 72])
def test_a_held_bframe_clip_before_a_hard_cut_is_cut_to_the_frame(tmp_path, frames):
    files = [clip(tmp_path / "a.mp4", frames=frames, codec=BFRAMES),
             clip(tmp_path / "b.mp4", "smptebars", frames=frames, codec=BFRAMES)]
    project, plan = project_of(tmp_path, [shot("a", new=True), shot("b", new=True)])
    (tmp_path / "out").mkdir()
    report = assembly.assemble(project, plan, dict(zip("ab", files, strict=True)), tmp_path / "out" / "final.mp4")
    shots = plan.shots[0].frames
    assert report.runtime_frames == 2 * shots and shots > frames  # both clips held to their shots' length
    assert report.copied_frames >= 2 * (frames - 12), report  # the held picture's GOP tail at most re-encoded
    times = packets.table(report.cut, subtitles=False)[0].pts
    assert len(np.unique(times)) == len(times) == 2 * shots  # no two packets shown at one time
    made = frames_of(report.cut)
    for n, source in enumerate(files):
        wanted = frames_of(source)
        wanted += [wanted[-1]] * (shots - frames)
        got = made[n * shots:(n + 1) * shots]
        errors = [float(np.abs(a.astype(int) - b).mean()) for a, b in zip(got, wanted, strict=True)]
        assert max(errors) < 3, (n, int(np.argmax(errors)))


def test_the_run_copied_before_a_held_picture_stops_where_no_later_packet_is_needed(tmp_path):
    facts = gate.inspect(clip(tmp_path / "a.mp4", frames=72, codec=BFRAMES))
    assert list(facts.order) != sorted(facts.order)  # packets really are reordered
    for first in (0, 24):
        for count in range(1, facts.frames - first + 1):
            parts = own_parts(Span("a", facts, first, count, False, hold=5), copyable=True)
            assert sum(p.frames for p, _ in parts) == count + 5
            assert not parts[-1][1]  # the held picture is re-encoded
            for part, copied in parts:
                if copied:
                    start = facts.position(part.first)
                    shown = facts.order[start:start + part.count]
                    assert sorted(shown) == list(range(part.first, part.first + part.count)), (first, count)
