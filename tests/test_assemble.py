"""Assembly on synthetic clips (lavfi, 320x180): the probe gate, copying, normalising, transitions, sound.

The cut's size comes from the storyboard (540p and up); the tests shrink it to 320x180 so every clip is
small and a whole test runs in a second or two.
"""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
import yaml

from pipeline import ffmpeg, formats
from pipeline.assembly import assemble as assembly
from pipeline.assembly import gate, sound, verify
from pipeline.errors import MediaError
from pipeline.storyboard.load import load

SIZE = (320, 180)
TAGS = ["-colorspace", "smpte170m", "-color_range", "tv"]  # as the animatic tags its clips
ANIMATIC = ["-c:v", "libx264", "-preset", "ultrafast", "-g", "240", "-crf", "23", *TAGS]  # one GOP, no B-frames
BFRAMES = ["-c:v", "libx264", "-preset", "fast", "-g", "24", "-bf", "3", "-crf", "23", *TAGS]  # GOPs of 1 s


@pytest.fixture(autouse=True)
def small_cut(monkeypatch):
    monkeypatch.setattr(formats, "frame_size", lambda resolution, aspect: SIZE)


def clip(path: Path, source: str = "testsrc2", *, frames: int = 120, skip: int = 0, rate: int = 24,
         size: tuple[int, int] = SIZE, codec: list[str] = ANIMATIC, tone: float | None = None) -> Path:
    """A lavfi clip: frames [skip, skip + frames) of `source` (so clips can continue one another)."""
    args = ["-f", "lavfi", "-i", f"{source}{':' if '=' in source else '='}size={size[0]}x{size[1]}:rate={rate}"]
    if tone:
        args += ["-f", "lavfi", "-i", f"sine=frequency={tone}:sample_rate=48000", "-c:a", "aac", "-shortest"]
    ffmpeg.run([*args, "-vf", f"trim=start_frame={skip}:end_frame={skip + frames},setpts=PTS-STARTPTS",
                "-frames:v", str(frames), *codec, "-pix_fmt", "yuv420p", str(path)], what=f"making {path.name}")
    return path


def chain(folder: Path, count: int, *, codec: list[str] = ANIMATIC) -> list[Path]:
    """Clips that each start on the previous one's last picture, as extensions do."""
    return [clip(folder / f"c{n:02d}.mp4", skip=n * 119, codec=codec) for n in range(count)]


def project_of(folder: Path, shots: list[dict], **settings):
    path = folder / "board.yaml"
    path.write_text(yaml.safe_dump({"resolution": "540p", **settings, "shots": shots}, sort_keys=False))
    # Planned for a provider whose extensions may repeat the join frame, as the clips here do (the animatic's
    # never do, so assembly would not look for repeats in its plans).
    project = load(path, provider="luma")
    return project, project.plan()


def shot(shot_id: str, *, new: bool = False, **fields) -> dict:
    return {"id": shot_id, "prompt": f"shot {shot_id} of the test", **({"start": "none"} if new else {}), **fields}


def packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as box:
        return [bytes(p) for p in box.demux(video=0) if p.size]


def frames_of(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as box:
        return [f.to_ndarray(format="rgb24") for f in box.decode(video=0)]


def video_end_and_audio_end(path: Path) -> tuple[float, float]:
    with av.open(str(path)) as box:
        v, a = box.streams.video[0], box.streams.audio[0]
        return float(v.duration * v.time_base), float((a.start_time or 0) * a.time_base + a.duration * a.time_base)


def test_copy_only_timeline_keeps_every_packet(tmp_path):
    files = [clip(tmp_path / f"{n}.mp4", src) for n, src in enumerate(["testsrc2", "smptebars", "rgbtestsrc"])]
    project, plan = project_of(tmp_path, [shot(i, new=True) for i in "abc"])
    report = assembly.assemble(project, plan, dict(zip("abc", files, strict=True)), tmp_path / "out" / "final.mp4")
    assert packets(report.cut) == [p for f in files for p in packets(f)]
    assert report.copied_frames == report.runtime_frames == plan.runtime_frames == 360
    assert report.reencoded_frames == 0 and not report.warnings


def test_facts_two_clips_share_are_held_once_and_unchanged(tmp_path):
    a, b = clip(tmp_path / "a.mp4", frames=48), clip(tmp_path / "b.mp4", "smptebars", frames=48)
    shared: dict = {}
    first, second = gate.inspect(a, shared), gate.inspect(b, shared)
    assert first.encoder and first.encoder is second.encoder and first.order is second.order
    alone = gate.inspect(b)
    assert (second.order, second.dts, second.keyframes, second.extradata, second.encoder, second.colour) == (
        alone.order, alone.dts, alone.keyframes, alone.extradata, alone.encoder, alone.colour)


def test_repeated_join_frames_are_trimmed_without_reencoding(tmp_path):
    files = chain(tmp_path, 3)
    project, plan = project_of(tmp_path, [shot("a"), shot("b"), shot("c")])
    report = assembly.assemble(project, plan, dict(zip("abc", files, strict=True)), tmp_path / "final.mp4")
    assert report.runtime_frames == plan.runtime_frames - 2 == 358
    assert [s.trimmed_frames for s in report.shots] == [1, 1, 0]
    assert [s.start_frame for s in report.shots] == [0, 119, 238]
    assert report.reencoded_frames == 0
    expected = [p for f in files[:2] for p in packets(f)[:-1]] + packets(files[2])
    assert packets(report.cut) == expected  # the parent's last packet goes; nothing else changes
    saved = json.loads((tmp_path / "assembly.json").read_text())
    assert saved["runtime_frames"] == 358 and saved["shots"][1]["trimmed_frames"] == 1
    assert "trimmed" in saved["shots"][0]["notes"][0]


def test_independent_shots_are_not_trimmed_even_when_they_look_alike(tmp_path):
    files = [clip(tmp_path / f"{n}.mp4", "color=c=gray") for n in range(2)]
    project, plan = project_of(tmp_path, [shot("a", new=True), shot("b", new=True)])
    report = assembly.assemble(project, plan, dict(zip("ab", files, strict=True)), tmp_path / "final.mp4")
    assert report.runtime_frames == 240 and not any(s.trimmed_frames for s in report.shots)


def test_trim_inside_a_gop_reencodes_only_to_the_next_key_frame(tmp_path):
    files = chain(tmp_path, 2, codec=BFRAMES)  # B-frames: the parent's last packet is not the last shown
    project, plan = project_of(tmp_path, [shot("a"), shot("b")])
    report = assembly.assemble(project, plan, dict(zip("ab", files, strict=True)), tmp_path / "final.mp4")
    assert report.runtime_frames == 239
    redone = {s.id: s.reencoded_frames for s in report.shots}
    assert 0 < sum(redone.values()) <= 24, report  # one GOP at most, the rest copied
    made = frames_of(report.cut)
    wanted = frames_of(files[0]) + frames_of(files[1])[1:] if redone["b"] else \
        frames_of(files[0])[:-1] + frames_of(files[1])
    assert len(made) == len(wanted) == 239
    assert max(np.abs(a.astype(int) - b).mean() for a, b in zip(made, wanted, strict=True)) < 3


def test_mixed_sizes_and_rates_are_normalised(tmp_path):
    files = [clip(tmp_path / "a.mp4"), clip(tmp_path / "b.mp4", "smptebars", size=(640, 480), rate=30, frames=90),
             clip(tmp_path / "c.mp4", "rgbtestsrc", frames=60, rate=25, size=(320, 240)), clip(tmp_path / "d.mp4")]
    shots = [shot("a", new=True), {"id": "b", "clip": "b.mp4"}, {"id": "c", "clip": "c.mp4"}, shot("d", new=True)]
    project, plan = project_of(tmp_path, shots)
    report = assembly.assemble(project, plan, {"a": files[0], "d": files[3]}, tmp_path / "final.mp4")
    info = ffmpeg.probe(report.cut)
    assert (info.width, info.height, info.pix_fmt, info.fps) == (*SIZE, "yuv420p", 24)
    assert [s.normalised for s in report.shots] == [False, True, True, False]
    assert report.runtime_frames == plan.runtime_frames == 120 + 72 + 58 + 120
    assert "640x480" in report.shots[1].notes[-1] and "25.000 fps" in report.shots[2].notes[-1]
    pillarboxed = frames_of(report.cut)[120 + 72 + 10]  # 4:3 in 16:9: black bars left and right
    assert pillarboxed[:, :15].max() < 20 and pillarboxed[:, 100:220].mean() > 40
    assert packets(report.cut)[:120] == packets(files[0])  # the clips that fit are still copied


def test_a_dissolve_lands_at_the_planned_time(tmp_path):
    files = [clip(tmp_path / "red.mp4", "color=c=red"), clip(tmp_path / "blue.mp4", "color=c=blue")]
    dissolve = {"type": "dissolve", "duration": 0.5}
    project, plan = project_of(tmp_path, [shot("red", new=True), shot("blue", new=True, transition=dissolve)])
    report = assembly.assemble(project, plan, dict(zip(["red", "blue"], files, strict=True)), tmp_path / "f.mp4")
    start = plan.by_id("blue").start_frame
    assert start == report.shots[1].start_frame == 108 and report.runtime_frames == 228
    blue = [f[..., 2].mean() / max(1.0, f[..., 0].mean() + f[..., 2].mean()) for f in frames_of(report.cut)]
    assert blue[start - 1] < 0.05 and blue[start + 12] > 0.95
    assert 0.05 < blue[start + 1] < blue[start + 6] < blue[start + 11] < 0.95  # rising across the 12 frames
    assert report.copied_frames == 108  # red up to the dissolve; blue has one GOP, so all of it is re-encoded


def test_fade_through_black_is_black_half_way(tmp_path):
    files = [clip(tmp_path / "a.mp4", "color=c=white"), clip(tmp_path / "b.mp4", "color=c=white")]
    fade = {"type": "fade", "duration": 1}
    project, plan = project_of(tmp_path, [shot("a", new=True), shot("b", new=True, transition=fade)])
    report = assembly.assemble(project, plan, dict(zip("ab", files, strict=True)), tmp_path / "f.mp4")
    light = [f.mean() for f in frames_of(report.cut)]
    assert light[95] > 250 and light[96 + 12] < 5 and light[96 + 24] > 250
    assert light[96 + 6] == pytest.approx(light[96 + 18], abs=25)  # as fast out as in


def test_sound_stays_in_sync_after_20_joins(tmp_path):
    """A flash and a beep on the same frame of the last (footage) clip are still together in the cut."""
    files = chain(tmp_path, 21)
    flash = tmp_path / "flash.mp4"
    ffmpeg.run(["-f", "lavfi", "-i", "color=c=black:size=320x180:rate=24:duration=2", "-f", "lavfi", "-i",
                "aevalsrc='if(between(t,1,1+1/24),sin(2*PI*1000*t),0)':s=48000:d=2", "-vf",
                "drawbox=c=white:t=fill:enable='between(n,24,24)'", *ANIMATIC, "-pix_fmt", "yuv420p",
                "-c:a", "aac", str(flash)], what="flash")
    music = tmp_path / "music.wav"
    ffmpeg.run(["-f", "lavfi", "-i", "sine=frequency=220:sample_rate=44100:duration=7", str(music)], what="music")
    shots = [shot(f"s{n:02d}") for n in range(21)] + [{"id": "flash", "clip": "flash.mp4"}]
    project, plan = project_of(tmp_path, shots, audio={"path": "music.wav", "volume": 0.05, "fade_in": 1,
                                                       "fade_out": 2})
    clips = {f"s{n:02d}": f for n, f in enumerate(files)} | {"flash": flash}
    report = assembly.assemble(project, plan, clips, tmp_path / "final.mp4")
    assert report.runtime_frames == plan.runtime_frames - 20
    video_end, audio_end = video_end_and_audio_end(report.cut)
    assert abs(video_end - audio_end) <= 1 / 24 and abs(video_end - report.runtime_s) < 1e-6
    flash_at = report.shots[-1].start_frame + 24
    light = [f.mean() for f in frames_of(report.cut)]
    assert max(range(len(light)), key=light.__getitem__) == flash_at
    with av.open(str(report.cut)) as box:
        sound = np.concatenate([f.to_ndarray()[0] for f in box.decode(audio=0)])
    loud = np.flatnonzero(np.abs(sound[::48]) > 0.5)  # 1 ms steps; the bed is at -26 dB
    assert abs(loud[0] / 1000 - flash_at / 24) <= 1 / 24


def test_music_bed_loops_fades_and_reaches_the_loudness_target(tmp_path):
    files = [clip(tmp_path / f"{n}.mp4", frames=120) for n in range(2)]
    ffmpeg.run(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=3", str(tmp_path / "m.wav")],
               what="music")
    audio = {"path": "m.wav", "offset": 1, "fade_in": 1, "fade_out": 1, "loudness": -20}
    project, plan = project_of(tmp_path, [shot("a", new=True), shot("b", new=True)], audio=audio)
    report = assembly.assemble(project, plan, dict(zip("ab", files, strict=True)), tmp_path / "final.mp4")
    with av.open(str(report.cut)) as box:
        sound = np.concatenate([f.to_ndarray()[0] for f in box.decode(audio=0)])
    assert len(sound) == pytest.approx(10 * 48000, abs=2000)
    level = [np.sqrt(np.mean(sound[s:s + 4800] ** 2)) for s in range(0, len(sound) - 4800, 4800)]
    assert level[0] < level[15] / 3 and level[-1] < level[50] / 3  # faded in and out
    assert min(level[15:85]) > level[50] * 0.8  # the 3 s file loops without gaps
    measured = ffmpeg.run_for_log(["-i", str(report.cut), "-af", "ebur128", "-f", "null", "-"], what="measure")
    integrated = float(measured.rsplit("I:", 1)[1].split("LUFS")[0])
    assert integrated == pytest.approx(-20, abs=1.5)


def test_a_bed_already_made_is_reused_and_any_change_to_it_is_mixed_again(tmp_path, monkeypatch):
    mixed = []
    render = sound.render
    monkeypatch.setattr(sound, "render", lambda bed, folder, **kw: mixed.append(bed) or render(bed, folder, **kw))
    files = [clip(tmp_path / f"{n}.mp4", frames=24 * 9) for n in range(4)]  # 36 s: two chunks and a script
    ffmpeg.run(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=3", str(tmp_path / "m.wav")],
               what="music")
    clips, dest = dict(zip("abcd", files, strict=True)), tmp_path / "out" / "final.mp4"

    def cut(**audio):
        project, plan = project_of(tmp_path, [shot(i, new=True, duration=9) for i in "abcd"],
                                   audio={"path": "m.wav", "fade_out": 1, **audio})
        report = assembly.assemble(project, plan, clips, dest)
        with av.open(str(report.cut)) as box:
            return [bytes(p) for p in box.demux(audio=0) if p.size]

    made = cut()
    assert cut() == made and len(mixed) == 1  # the same bed: read from the cache
    assert cut(volume=0.5) != made and len(mixed) == 2  # any setting that shapes the sound mixes again
    (tmp_path / "m.wav").write_bytes((tmp_path / "m.wav").read_bytes()[:-4800])  # the music file edited
    cut(volume=0.5)
    beds = list((dest.parent / ".assembly-cache").glob("bed-*"))
    assert len(mixed) == 3 and len({f.name[:36] for f in beds}) == 3 and sum(f.suffix == ".ffconcat" for f in beds) == 3


def test_verification_names_the_shot_where_the_cut_departs(tmp_path):
    cut = clip(tmp_path / "cut.mp4", frames=48, codec=BFRAMES)  # key frames at 0 and 24
    starts = [(0, "first"), (20, "second")]
    verify.verify(cut, 48, {0, 24}, starts, sound=False)
    with pytest.raises(MediaError, match="shot second: the cut has a key frame at frame 24"):
        verify.verify(cut, 48, {0}, starts, sound=False)
    with pytest.raises(MediaError, match="50 frames|48 frames"):
        verify.verify(cut, 50, {0, 24}, starts, sound=False)


def test_clips_from_another_encoder_make_the_whole_cut_reencoded(tmp_path):
    other = ["-c:v", "libopenh264", "-g", "240"]  # H.264 without x264's settings to copy
    files = [clip(tmp_path / "a.mp4", codec=other), clip(tmp_path / "b.mp4", "smptebars", codec=other)]
    fade = {"type": "fade", "duration": 0.5}
    project, plan = project_of(tmp_path, [shot("a", new=True), shot("b", new=True, transition=fade)])
    report = assembly.assemble(project, plan, dict(zip("ab", files, strict=True)), tmp_path / "final.mp4")
    assert report.reencoded_frames == report.runtime_frames == 228
    assert "whole cut was re-encoded" in report.warnings[0]
    assert ffmpeg.count_frames(report.cut) == 228


def test_one_footage_file_used_twice_is_read_once_for_picture_and_sound(tmp_path):
    """Two shots of the same file, with a dissolve and a one-frame dip: the graphs split the one input."""
    clip(tmp_path / "bars.mp4", "smptebars", frames=48, tone=440, rate=30)  # odd rate: normalised, re-encoded
    dissolve, dip = {"type": "dissolve", "duration": 0.5}, {"type": "fade", "duration": 0.04}
    project, plan = project_of(tmp_path, [{"id": "a", "clip": "bars.mp4"},
                                          {"id": "b", "clip": "bars.mp4", "transition": dissolve},
                                          {"id": "c", "clip": "bars.mp4", "transition": dip}])
    report = assembly.assemble(project, plan, {}, tmp_path / "f.mp4")
    assert report.runtime_frames == 3 * 38 - 12 - 1 and ffmpeg.count_frames(report.cut) == report.runtime_frames
    video_end, audio_end = video_end_and_audio_end(report.cut)
    assert audio_end == pytest.approx(video_end, abs=1 / 24)
    assert len(frames_of(report.cut)) == report.runtime_frames
