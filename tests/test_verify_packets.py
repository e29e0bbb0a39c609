"""Verification reads the cut's packets in one ffmpeg call: the same table PyAV's demuxer gives packet by packet,
and the same findings."""

from __future__ import annotations

import av
import pytest

from pipeline import ffmpeg
from pipeline.assembly import assemble as assembly
from pipeline.assembly import packets, verify
from pipeline.errors import MediaError

from .test_assemble import clip, project_of, shot, small_cut  # noqa: F401 (small_cut: a fixture)


def demuxed(path, kind: str) -> list[tuple[int, int, int, bool]]:
    """(pts, duration, size, key) of every packet of the stream, read by PyAV one at a time."""
    with av.open(str(path)) as box:
        stream = getattr(box.streams, kind)[0]
        return [(p.pts, p.duration, p.size, p.is_keyframe) for p in box.demux(stream) if p.pts is not None]


def listed(table: packets.Packets) -> list[tuple[int, int, int, bool]]:
    return list(zip(table.pts.tolist(), table.duration.tolist(), table.size.tolist(), table.key.tolist(),
                    strict=True))


def test_the_packet_table_is_what_the_demuxer_reads(tmp_path):
    files = [clip(tmp_path / "a.mp4", frames=60), clip(tmp_path / "b.mp4", "smptebars", frames=50)]
    project, plan = project_of(tmp_path, [shot("a", new=True, caption="One"), shot("b", new=True, caption="Two")])
    (tmp_path / "out").mkdir()
    cut = assembly.assemble(project, plan, dict(zip("ab", files, strict=True)), tmp_path / "out" / "final.mp4").cut
    video, text = packets.table(cut, subtitles=True)
    with av.open(str(cut)) as box:
        bases = (box.streams.video[0].time_base, box.streams.subtitles[0].time_base)
    assert (video.time_base, text.time_base) == bases
    assert listed(video) == demuxed(cut, "video") and listed(text) == demuxed(cut, "subtitles")
    assert video.key.sum() >= 2 and not video.key.all()  # both kinds of packet were told apart
    assert listed(packets.table(cut, subtitles=False)[0]) == listed(video)


def test_a_frame_off_its_slot_is_found_and_named(tmp_path):
    made = clip(tmp_path / "steady.mp4", frames=48)
    late = tmp_path / "late.mp4"  # frame 30 shown half a frame late
    ffmpeg.run(["-i", str(made), "-vf", "setpts='PTS+if(eq(N,30),0.5/(24*TB),0)'", "-fps_mode", "passthrough",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "240", str(late)], what="late frame")
    verify.verify(made, 48, {0}, [(0, "a"), (24, "b")], sound=False)
    with pytest.raises(MediaError, match="shot b: frame 30 of the cut is not where its rate puts it"):
        verify.verify(late, 48, {0}, [(0, "a"), (24, "b")], sound=False)


def test_a_file_ffmpeg_cannot_read_says_so(tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    with pytest.raises(MediaError, match="broken.mp4"):
        packets.table(broken, subtitles=False)
