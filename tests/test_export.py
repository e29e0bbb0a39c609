"""What travels with the cut, read back: MP4 chapters, its subtitle stream, final.srt, timeline.otio,
assembly.json."""

from __future__ import annotations

import json
import re

import av
import opentimelineio as otio

from pipeline import ffmpeg
from pipeline.assembly import assemble as assembly
from pipeline.assembly import otio_json

from .test_assemble import chain, clip, project_of, shot, small_cut  # noqa: F401 (fixture)


def film(tmp_path):
    """Footage with its own sound, a fade, a two-shot chain, a dissolve; captions on all but one shot."""
    clip(tmp_path / "title.mp4", "smptebars", frames=48, tone=440)
    parts = chain(tmp_path, 2) + [clip(tmp_path / "z.mp4", "rgbtestsrc")]
    ffmpeg.run(["-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=4", str(tmp_path / "m.wav")],
               what="music")
    shots = [{"id": "title", "clip": "title.mp4", "caption": "A = B; said #1"},
             shot("a", start="none", camera="push_in", caption="First", transition={"type": "fade", "duration": 1}),
             shot("b", caption="Second"),
             shot("z", new=True, transition={"type": "dissolve", "duration": 0.5})]
    project, plan = project_of(tmp_path, shots, title="Export test", audio={"path": "m.wav", "fade_out": 1})
    clips = {"a": parts[0], "b": parts[1], "z": parts[2]}
    report = assembly.assemble(project, plan, clips, tmp_path / "out" / "final.mp4",
                               generations={"a": "job-a", "b": "job-b"})
    return plan, report


def test_chapters_srt_otio_and_report_read_back(tmp_path):
    plan, report = film(tmp_path)
    starts = [s.start_frame for s in report.shots]
    assert starts == [0, 24, 143, 251] and report.runtime_frames == 371  # 48-24 fade, a trim, 12 dissolve
    with av.open(str(report.cut)) as box:
        chapters = box.chapters()
        assert box.metadata["title"] == "Export test"
    assert [c["metadata"]["title"] for c in chapters] == ["A = B; said #1", "First", "Second", "z"]
    assert [round(c["start"] * c["time_base"] * 24) for c in chapters] == starts

    cues = re.findall(r"(\d+)\n(\S+) --> (\S+)\n(.+)\n", (tmp_path / "out" / "final.srt").read_text())
    assert [(c[1], c[2], c[3]) for c in cues] == [("00:00:00,000", "00:00:01,000", "A = B; said #1"),
                                                  ("00:00:01,000", "00:00:05,958", "First"),
                                                  ("00:00:05,958", "00:00:10,458", "Second")]

    timeline = otio.adapters.read_from_file(str(tmp_path / "out" / "timeline.otio"))
    picture, *sound = timeline.tracks
    assert picture.duration().to_frames() == report.runtime_frames
    assert [type(i).__name__ for i in picture] == ["Clip", "Transition", "Clip", "Clip", "Transition", "Clip"]
    a = picture[2].metadata["pipeline"]
    assert (a["prompt"], list(a["camera"]), a["provider"], a["generation_id"]) == ("shot a of the test", ["push_in"],
                                                                             "luma", "job-a")
    assert picture[0].metadata["pipeline"]["provider"] == "footage"
    assert picture[0].media_reference.target_url.endswith("/title.mp4")
    assert [t.name for t in sound] == ["music", "footage sound"]
    assert sound[0].duration().to_frames() == report.runtime_frames

    saved = json.loads((tmp_path / "out" / "assembly.json").read_text())
    assert saved["runtime_s"] == round(371 / 24, 3)
    assert [s["start_s"] for s in saved["shots"]] == [round(s / 24, 3) for s in starts]
    assert {"id", "start_s", "frames", "trimmed_frames", "normalised", "notes"} <= saved["shots"][0].keys()


def test_the_timeline_written_an_object_at_a_time_is_what_otio_writes_whole(tmp_path):
    film(tmp_path)  # transitions, cut markers, a music track and a footage sound track with a gap
    written = (tmp_path / "out" / "timeline.otio").read_text(encoding="utf-8")
    assert written == otio.adapters.write_to_string(otio.adapters.read_from_string(written), "otio_json")


def test_an_empty_list_stays_as_otio_spells_it_and_a_filled_one_nests():
    track = otio.schema.Track(name="t")
    marker = otio.schema.Marker(name="m", metadata={"pipeline": {"to": "é"}})
    made = "".join(otio_json.filled(track, {"markers": [otio_json.whole(marker)], "children": []}))
    track.markers.append(marker.clone())
    assert made == otio.adapters.write_to_string(track, "otio_json")


def test_footage_sound_is_mixed_under_the_bed(tmp_path):
    plan, report = film(tmp_path)
    with av.open(str(report.cut)) as box:
        samples = [f.to_ndarray()[0] for f in box.decode(audio=0)]
    import numpy as np

    sound = np.concatenate(samples)
    spectrum = np.abs(np.fft.rfft(sound[4800:4800 + 48000 // 2]))  # 0.1-0.6 s: the title's tone and the bed
    freqs = np.fft.rfftfreq(24000, 1 / 48000)
    assert spectrum[np.argmin(abs(freqs - 440))] > 10 * np.median(spectrum)
    assert spectrum[np.argmin(abs(freqs - 330))] > 10 * np.median(spectrum)
