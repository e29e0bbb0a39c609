"""Extension joins: clips that hand back their parent's footage first, and the picture comparison rule."""

from __future__ import annotations

import numpy as np

from pipeline import ffmpeg
from pipeline.assembly import assemble as assembly
from pipeline.assembly import joins
from pipeline.assembly.joins import same_picture
from pipeline.fake_luma.render import concat

from .test_assemble import chain, clip, packets, project_of, shot, small_cut  # noqa: F401 (fixture)


def test_cumulative_extensions_are_cut_back_and_their_repeats_trimmed(tmp_path):
    """As the fake Luma's extension_includes_parent serves them: each video is its parent's, then the new part."""
    parts = chain(tmp_path, 3)
    videos = [parts[0], tmp_path / "b-full.mp4", tmp_path / "c-full.mp4"]
    concat([parts[0], parts[1]], videos[1])
    concat([videos[1], parts[2]], videos[2])
    project, plan = project_of(tmp_path, [shot("a"), shot("b"), shot("c")])
    report = assembly.assemble(project, plan, dict(zip("abc", videos, strict=True)), tmp_path / "final.mp4")
    assert report.runtime_frames == 358 and report.reencoded_frames == 0
    notes = {s.id: " ".join(s.notes) for s in report.shots}
    assert "begins with a's whole video (120 frames" in notes["b"]
    assert "begins with b's whole video (240 frames" in notes["c"]
    assert [s.trimmed_frames for s in report.shots] == [1, 1, 0]
    full = [packets(v) for v in videos]  # the fake's join gives key frames in-band parameter sets: compare to it
    assert packets(report.cut) == full[0][:-1] + full[1][120:-1] + full[2][240:]


def test_an_extension_that_does_not_repeat_its_parent_is_left_whole(tmp_path):
    parts = chain(tmp_path, 2)
    shifted = [parts[0], tmp_path / "later.mp4"]
    clip(shifted[1], skip=125)  # starts five frames after its parent ends: a jump, not a repeat
    project, plan = project_of(tmp_path, [shot("a"), shot("b")])
    report = assembly.assemble(project, plan, dict(zip("ab", shifted, strict=True)), tmp_path / "final.mp4")
    assert report.runtime_frames == 240 and not any(s.trimmed_frames for s in report.shots)


def test_same_picture_rule():
    assert same_picture(0.05, 0.2)  # a clean repeat: far below any motion
    assert same_picture(0.57, 1.65)  # a repeat re-encoded with grain, against a slow pan
    assert not same_picture(0.3, 0.35)  # slow motion that goes on across the join
    assert not same_picture(2.5, 20)  # above the absolute limit, whatever the motion


def test_reassembly_decodes_only_the_clips_that_changed(tmp_path, monkeypatch):
    """Join pictures are kept by each clip's sha256 beside the cut; a re-assembly reads them back."""
    decoded = []
    decode = joins._decode
    monkeypatch.setattr(joins, "_decode", lambda c, frames: decoded.append(c.path.name) or decode(c, frames))
    parts = chain(tmp_path, 3)
    project, plan = project_of(tmp_path, [shot("a"), shot("b"), shot("c")])
    clips, dest = dict(zip("abc", parts, strict=True)), tmp_path / "out" / "final.mp4"
    first = assembly.assemble(project, plan, clips, dest)
    assert sorted(decoded) == ["c00.mp4", "c01.mp4", "c02.mp4"]  # b once, for its first and last pictures
    decoded.clear()
    again = assembly.assemble(project, plan, clips, dest)
    assert decoded == [] and again.shots == first.shots
    ffmpeg.run(["-i", str(parts[1]), "-c", "copy", "-metadata", "title=again", str(tmp_path / "b2.mp4")],
               what="b again")
    clips["b"] = tmp_path / "b2.mp4"  # b generated again: the same pictures, other bytes
    edited = assembly.assemble(project, plan, clips, dest)
    assert decoded == ["b2.mp4"] and [s.trimmed_frames for s in edited.shots] == [1, 1, 0]


def test_join_pictures_are_held_only_while_a_join_needs_them():
    """5,000 joins: every join sees its pictures, each clip is decoded once, and a few windows' worth are held."""
    clips = [f"clip{n}" for n in range(5001)]
    joins_ = list(zip(clips, clips[1:], strict=False))
    wanted = {c: {0, 1} for c in clips}
    decoded: list[str] = []

    def pictures(asked):
        decoded.extend(asked)
        return {(c, f): np.full(1, n) for n, c in enumerate(asked) for f in asked[c]}

    most = 0
    for (a, b), held in joins.windows(joins_, lambda j: j, wanted, pictures):
        assert {(a, 0), (a, 1), (b, 0), (b, 1)} <= held.keys()
        most = max(most, len({c for c, _ in held}))
    assert sorted(decoded) == sorted(clips) and most <= 2 * joins.WINDOW + 1
