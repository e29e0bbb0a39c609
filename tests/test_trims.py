"""Trims: a shot plays part of its clip (`in`, `out`, `length`), checked in frames against the clip, laid on
the plan's timeline, and cut frame for frame with only the GOPs a trim touches re-encoded."""

from __future__ import annotations

import json

import numpy as np
import opentimelineio as otio
import pytest
import yaml

from pipeline import formats
from pipeline.assembly import assemble as assembly
from pipeline.errors import StoryboardError
from pipeline.plan import to_json
from pipeline.storyboard.load import load

from .test_assemble import SIZE, TAGS, clip, frames_of, project_of, shot

GOP = 24
KEYED = ["-c:v", "libx264", "-preset", "ultrafast", "-g", str(GOP), "-keyint_min", str(GOP), "-crf", "23", *TAGS]
# (in, out or length) per shot, in the storyboard's words, and the frames each plays of its 120
TRIMS = [({"in": "1s", "out": "4s"}, 24, 72), ({"in": "0.5s"}, 12, 108), ({"out": "3.5s"}, 0, 84),
         ({"in": "12f", "length": "2s"}, 12, 48), ({"in": "2s", "length": "60f"}, 48, 60), ({}, 0, 120),
         ({"in": "0.25s", "out": "5s"}, 6, 114), ({"length": "1s"}, 0, 24), ({"in": "3s"}, 72, 48),
         ({"in": "4.5s", "out": "4.958s"}, 108, 11)]


@pytest.fixture(autouse=True)
def small_cut(monkeypatch):
    monkeypatch.setattr(formats, "frame_size", lambda resolution, aspect: SIZE)


def _which(frame: np.ndarray, source: list[np.ndarray], near: int) -> int:
    """The index of the source frame (within 3 of `near`) the cut's frame shows."""
    window = range(max(0, near - 3), min(len(source), near + 4))
    return min(window, key=lambda i: float(np.abs(frame.astype(np.int16) - source[i]).mean()))


def test_ten_trimmed_shots_cut_to_exactly_the_planned_frames(tmp_path):
    files = [clip(tmp_path / f"c{n}.mp4", skip=n * 500, codec=KEYED) for n in range(len(TRIMS))]
    ids = [f"s{n}" for n in range(len(TRIMS))]
    project, plan = project_of(tmp_path, [shot(i, new=True, **t) for i, (t, _, _) in zip(ids, TRIMS, strict=True)])
    assert [(p.first, p.frames, p.clip_length) for p in plan.shots] == [(a, n, 120) for _, a, n in TRIMS]
    assert plan.estimated_cost_usd == load(project.path, provider="luma").plan().estimated_cost_usd > 0
    report = assembly.assemble(project, plan, dict(zip(ids, files, strict=True)), tmp_path / "out" / "final.mp4")

    assert report.runtime_frames == plan.runtime_frames == sum(n for _, _, n in TRIMS)
    assert [s.start_frame for s in report.shots] == [p.start_frame for p in plan.shots]
    made = frames_of(report.cut)
    assert len(made) == plan.runtime_frames
    for p, path in zip(plan.shots, files, strict=True):
        source = frames_of(path)
        shown = [_which(made[p.start_frame + i], source, p.first + i) for i in range(p.frames)]
        assert shown == list(range(p.first, p.first + p.frames)), p.id
    # copied from the first key frame at or after `in`; only the frames before it are re-encoded
    redone = {s.id: s.reencoded_frames for s in report.shots}
    assert redone == {p.id: min(p.frames, -p.first % GOP) for p in plan.shots}
    assert report.copied_frames == report.runtime_frames - sum(redone.values()) > 600


def test_trims_travel_to_the_timeline_chapters_and_plan(tmp_path):
    files = [clip(tmp_path / f"c{n}.mp4", skip=n * 500, codec=KEYED) for n in range(3)]
    shots = [shot("a", new=True, caption="One", **{"in": "1s", "out": "3s"}),
             shot("b", new=True, caption="Two", length="2.5s"), shot("c", new=True, caption="Three", **{"in": "4s"})]
    project, plan = project_of(tmp_path, shots)
    report = assembly.assemble(project, plan, dict(zip("abc", files, strict=True)), tmp_path / "final.mp4")
    assert [s.start_frame for s in report.shots] == [0, 48, 108] and report.runtime_frames == 132
    cut = otio.adapters.read_from_file(str(tmp_path / "timeline.otio"))
    clips = list(cut.tracks[0].find_clips())
    assert [(c.source_range.start_time.value, c.source_range.duration.value) for c in clips] == \
        [(24, 48), (0, 60), (96, 24)]
    assert [c.trimmed_range_in_parent().start_time.value for c in clips] == [0, 48, 108]
    cues = (tmp_path / "final.srt").read_text()
    assert "00:00:02,000 --> 00:00:04,500" in cues and "00:00:04,500 --> 00:00:05,500" in cues
    shown = to_json(plan)["shots"]
    assert [(s["start_s"], s["duration_s"], s["in_s"], s["clip_s"]) for s in shown] == \
        [(0.0, 2.0, 1.0, 5.0), (2.0, 2.5, 0.0, 5.0), (4.5, 1.0, 4.0, 5.0)]


def _problems(tmp_path, shots: list[dict], **settings) -> list[str]:
    path = tmp_path / "board.yaml"
    path.write_text(yaml.safe_dump({"shots": shots, **settings}, sort_keys=False))
    with pytest.raises(StoryboardError) as caught:
        load(path)
    return [f"{p.line}:{p.col}: {p.message}" for p in caught.value.problems if p.severity == "error"]


@pytest.mark.parametrize(("trim", "said"), [
    ({"in": "5s"}, "3:7: shots[0].in: 5s is at or past the end of its 5s clip; give a time before 5s"),
    ({"out": "6s"}, "3:8: shots[0].out: 6s is past the end of its 5s clip; give 5s or less"),
    ({"in": "2s", "out": "1s"}, "4:8: shots[0].out: 1s is not after its in point (2s); give a later time"),
    ({"in": "3s", "length": "2.5s"}, "4:11: shots[0].length: 2.5s from 3s runs past the end of its 5s clip; "
                                     "give 2s or less"),
    ({"out": "3s", "length": "1s"}, "4:3: shots[0].length: the shot has an `out` already; give `out` or "
                                    "`length`, not both"),
    ({"in": "1.5f"}, "3:7: shots[0].in: '1.5f' is not a whole number of frames; give whole frames or seconds "
                     "(`0.5s`)"),
    ({"length": "soon"}, "3:11: shots[0].length: 'soon' is not a time in the clip; give seconds (`0.5s`) or "
                         "frames (`12f`)"),
    ({"length": "8 beats"}, "3:11: shots[0].length: counts beats of the music bed, and the storyboard has none; "
                            "add `audio: {path: ...}` or give a length in seconds"),
])
def test_trims_outside_the_clip_are_refused_where_they_stand(tmp_path, trim, said):
    assert _problems(tmp_path, [{"prompt": "a lighthouse at dusk", **trim}]) == [said]


def test_a_trim_on_footage_is_checked_against_the_footage(tmp_path, media):
    (tmp_path / "footage.mp4").write_bytes(media["video"].read_bytes())  # 2 s
    assert _problems(tmp_path, [{"clip": "footage.mp4", "out": "3s"}]) == \
        ["3:8: shots[0].out: 3s is past the end of its 2s clip; give 2s or less"]


def test_the_plan_json_says_where_each_trimmed_shot_plays_from(tmp_path):
    path = tmp_path / "board.yaml"
    path.write_text(yaml.safe_dump({"shots": [{"prompt": "a lighthouse at dusk", "in": "0.5s", "out": "4.25s"},
                                              {"prompt": "the beam sweeps", "start": "none", "duration": "9s",
                                               "length": "3.5s"}]}))
    plan = load(path).plan()
    shown = json.loads(json.dumps(to_json(plan)))
    assert [(s["start_s"], s["duration_s"], s["in_s"], s["clip_s"]) for s in shown["shots"]] == \
        [(0.0, 3.75, 0.5, 5.0), (3.75, 3.5, 0.0, 9.0)]
    assert shown["totals"]["runtime_s"] == 7.25
