"""Cutting to the music: a click track made by ffmpeg at 120 bpm, its beats found by librosa, the cuts moved
onto them (never past a clip's frames), and the cut made from the plan landing on them."""

from __future__ import annotations

import json
import re
import sys

import av
import pytest
import yaml

from pipeline import ffmpeg, formats
from pipeline.assembly import assemble as assembly
from pipeline.cli import main
from pipeline.layout import Layout
from pipeline.music import beats, grid
from pipeline.plan import to_json
from pipeline.storyboard.load import load

from .test_assemble import SIZE, clip, shot

pytest.importorskip("librosa", reason="beat tracking needs librosa (the music extra)")

FIRST, PERIOD = 0.25, 0.5  # the click track's first beat and its beat period (120 bpm)
FRAME = 1 / formats.FPS


@pytest.fixture(autouse=True)
def small_cut(monkeypatch):
    monkeypatch.setattr(formats, "frame_size", lambda resolution, aspect: SIZE)


def click_track(path, seconds: float = 16.0, first: float = FIRST):
    """Clicks every half second from `first`, every fourth one louder (the downbeat)."""
    beat = f"mod(t-{first}+1,{PERIOD})"
    loud = f"(0.4+0.6*lt(mod(t-{first}+2,{4 * PERIOD}),0.03))"
    ffmpeg.run(["-f", "lavfi", "-i", f"aevalsrc='if(lt({beat},0.03)*gte(t,{first - 0.001}),{loud}*sin(2*PI*1000*t),0)'"
                f":s=44100:d={seconds}", str(path)], what="making a click track")
    return path


@pytest.fixture(scope="module")
def clicks(tmp_path_factory):
    return click_track(tmp_path_factory.mktemp("bed") / "clicks.wav")


def beat_times(until: float, offset: float = 0.0) -> list[float]:
    """The click track's beats in the cut, computed from how it was made."""
    times, k = [], 0
    while FIRST + k * PERIOD - offset <= until:
        if FIRST + k * PERIOD - offset >= 0:
            times.append(FIRST + k * PERIOD - offset)
        k += 1
    return times


def test_librosa_finds_the_clicks_and_the_downbeats(clicks, tmp_path):
    found = beats.analyse(clicks, cache=tmp_path)
    assert found.tempo == pytest.approx(120, abs=1.5)
    made = beat_times(16)
    assert len(found.beats) >= len(made) - 2
    assert all(min(abs(t - m) for m in made) < FRAME / 2 for t in found.beats)
    loud = [FIRST + k * 4 * PERIOD for k in range(8)]
    assert all(min(abs(t - m) for m in loud) < FRAME / 2 for t in found.downbeats) and len(found.downbeats) >= 6
    assert list(tmp_path.glob("beats-*.json")), "the analysis is kept by the bed's digest"


def test_the_grid_follows_the_offset_and_the_loop():
    analysis = grid.Analysis(120, (0.25, 0.75, 1.25, 1.75), (0.25,), 2.0)
    looped = grid.in_cut(analysis, offset=0.5, loop=True, until=5)
    assert looped.beats == (0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75, 4.25, 4.75)
    assert looped.downbeats == (1.75, 3.75)
    once = grid.in_cut(analysis, offset=0.5, loop=False, until=5)
    assert once.beats == (0.25, 0.75, 1.25)


def _board(folder, clicks, shots, **audio) -> object:
    (folder / "clicks.wav").write_bytes(clicks.read_bytes())
    path = folder / "board.yaml"
    path.write_text(yaml.safe_dump({"resolution": "540p", "cut": "beats",
                                    "audio": {"path": "clicks.wav", **audio}, "shots": shots}, sort_keys=False))
    return path


LENGTHS = ["4.1s", "3.7s", None, "2.2s", "4.6s"]  # planned cuts off the beat; None plays the whole 5 s clip


def test_cut_beats_puts_every_cut_within_a_frame_of_a_beat(clicks, tmp_path):
    shots = [shot(f"s{n}", new=True, **({"length": n_} if n_ else {})) for n, n_ in enumerate(LENGTHS)]
    project = load(_board(tmp_path, clicks, shots, offset=0.1), provider="luma")
    plan = project.plan(cache=tmp_path)
    made = beat_times(30, offset=0.1)
    cuts = [(p.start_frame + p.frames) / formats.FPS for p in plan.shots]
    for p, cut in zip(plan.shots, cuts, strict=True):
        assert p.snapped.on == "beat" and min(abs(cut - b) for b in made) <= FRAME, (p.id, cut)
        assert p.frames <= p.clip_length - p.first, "never past the clip's frames"
        assert abs(p.snapped.moved) <= PERIOD * formats.FPS / 2 + 1, "the nearest beat it can reach"
    assert sum(p.snapped.moved != 0 for p in plan.shots) >= 3  # the lengths asked are off the beat

    files = [clip(tmp_path / f"c{n}.mp4", skip=n * 500) for n in range(len(LENGTHS))]
    report = assembly.assemble(project, plan, {p.id: f for p, f in zip(plan.shots, files, strict=True)},
                               tmp_path / "out" / "final.mp4")
    with av.open(str(report.cut)) as box:
        starts = [float(c["start"] * c["time_base"]) for c in box.chapters()][1:]
    assert len(starts) == len(LENGTHS) - 1
    assert all(min(abs(s - b) for b in made) <= FRAME for s in starts), starts
    shown = to_json(plan)["shots"]
    assert all(s["snap"]["on"] == "beat" and "moved_s" in s["snap"] for s in shown)
    assert [s["snap"]["cut_s"] for s in shown] == [round(c, 3) for c in cuts]
    timeline = json.loads((tmp_path / "out" / "timeline.otio").read_text())
    markers = [m for t in timeline["tracks"]["children"] for m in t.get("markers", [])]
    assert {m["name"] for m in markers} >= {"beat", "cut"}


def test_lengths_in_beats_and_downbeat_snaps(clicks, tmp_path):
    shots = [shot("a", new=True, length="8 beats"), shot("b", new=True, snap="downbeat"),
             shot("c", new=True, length="12 beats")]
    plan = load(_board(tmp_path, clicks, shots, offset=0.25), provider="luma").plan(cache=tmp_path)
    a, b, c = plan.shots
    assert a.frames == 4 * formats.FPS  # 8 beats from the beat on frame 0, at 120 bpm
    downbeats = [t for t in beat_times(30, offset=0.25) if round((t + 0.25 - FIRST) / PERIOD) % 4 == 0]
    assert min(abs((b.start_frame + b.frames) / formats.FPS - d) for d in downbeats) <= FRAME
    assert c.snapped.note and "beyond what its clip allows" in c.snapped.note  # 6 s asked of a 5 s clip
    assert c.frames <= 120


def test_a_shot_that_cannot_reach_a_beat_says_so(tmp_path):
    bed = click_track(tmp_path / "short.wav", seconds=2.0)
    shots = [shot("a", new=True), shot("b", new=True)]
    path = _board(tmp_path, bed, shots, loop=False)
    plan = load(path, provider="luma").plan()
    a, b = plan.shots
    assert a.snapped.on == "beat" and a.frames < 120
    assert b.snapped.on is None and "cannot reach a beat" in b.snapped.note and b.frames == 120


def test_pipeline_beats_prints_tempo_and_beats(clicks, tmp_path, capsys):
    assert main(["beats", str(clicks), "--json"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["tempo_bpm"] == pytest.approx(120, abs=1.5) and len(said["beats_s"]) >= 28
    assert main(["beats", str(clicks)]) == 0
    text = capsys.readouterr().out
    assert re.search(r"\b1(19|20)\.\d bpm", text) and re.search(r"\|0\.2[45]\d? ", text)
    assert main(["beats", str(tmp_path / "missing.wav")]) == 1
    assert "missing.wav" in capsys.readouterr().err


def test_beats_are_cached_in_the_output_folder(clicks, tmp_path):
    shots = [shot("a", new=True)]
    path = _board(tmp_path, clicks, shots)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["plan", str(path), "--json", "--out", str(out)]) == 0
    assert list(Layout(out).assembly_cache.glob("beats-*.json"))


def test_without_librosa_the_message_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "librosa", None)  # `import librosa` raises ImportError
    monkeypatch.setattr(beats, "_KNOWN", {})
    bed = click_track(tmp_path / "other.wav", seconds=3.0, first=0.1)
    path = _board(tmp_path, bed, [shot("a", new=True)])
    assert main(["plan", str(path)]) == 1
    said = capsys.readouterr().err
    assert "librosa" in said and "pip install 'storyboard-pipeline[music]'" in said and "Traceback" not in said


def test_the_preview_timeline_draws_the_bed_and_its_beats(clicks, tmp_path):
    from pipeline import preview

    path = _board(tmp_path, clicks, [shot("a", new=True), shot("b", new=True, length="3s")], offset=0.1)
    project = load(path)
    plan = project.plan(cache=tmp_path)
    page = preview.build(project, plan, tmp_path / "out").read_text()
    wave = page[page.index('<svg class="wave"'):page.index("</svg>", page.index('<svg class="wave"'))]
    heard = [t for t in plan.beats.beats if t < plan.runtime_frames / formats.FPS]
    assert wave.count("<line ") == len(heard) > 10 and wave.count('class="downbeat"') == len(
        [t for t in plan.beats.downbeats if t < plan.runtime_frames / formats.FPS])
    assert wave.count("M") >= len(heard)  # a bar at each click at least
    quiet = tmp_path / "quiet"
    quiet.mkdir()
    (quiet / "board.yaml").write_text("shots:\n  - prompt: a lighthouse at dusk\n")
    assert '<svg class="wave"' not in preview.build(load(quiet / "board.yaml"), load(quiet / "board.yaml").plan(),
                                                    quiet / "out").read_text()


def test_pipeline_beats_of_a_storyboard_gives_the_beats_the_cut_hears(clicks, tmp_path, capsys):
    """The bed played from 1.1 s in and looped: its clicks in the cut's time, to the planned cut's end."""
    short = click_track(tmp_path / "short.wav", seconds=4.0)
    board = _board(tmp_path, short, [{"id": "a", "prompt": "a dawn"}, {"id": "b", "prompt": "a dusk"}], offset=1.1)
    assert main(["beats", str(board), "--json", "--out", str(tmp_path / "out")]) == 0
    said = json.loads(capsys.readouterr().out)
    until = load(board).plan().runtime_frames / formats.FPS  # the planned cut, its cuts on the beats
    assert said["cut_s"] == pytest.approx(until) and said["bed"] == "clicks.wav"
    heard = [t - 1.1 + lap * 4.0 for lap in range(3) for t in beat_times(4.0)]
    heard = sorted(t for t in heard if 0 <= t <= until)
    assert len(said["beats_s"]) >= len(heard) - 2
    assert all(min(abs(t - h) for h in heard) < FRAME for t in said["beats_s"])
    assert main(["beats", str(board)]) == 0
    assert "offset 1.1 s, looped" in capsys.readouterr().out


def test_pipeline_beats_of_a_storyboard_without_a_bed_says_what_to_add(tmp_path, capsys):
    board = tmp_path / "silent.yaml"
    board.write_text("shots:\n  - id: a\n    prompt: a quiet street\n")
    assert main(["beats", str(board)]) == 1
    assert "has no music bed" in capsys.readouterr().err


def test_pipeline_beats_of_a_file_with_no_sound_says_what_to_give(tmp_path, capsys, media):
    text = tmp_path / "notes.txt"
    text.write_text("not a sound\n")
    for path, said in ((text, "not a file ffmpeg can read"), (media["image"], "is an image")):
        assert main(["beats", str(path)]) == 1
        err = capsys.readouterr().err
        assert said in err and "give a sound file" in err and "ffmpeg exited" not in err


def test_runs_analysing_at_once_on_a_fresh_install_do_not_crash(clicks, tmp_path):
    """librosa's tracker is numba code cached on disk; processes compiling it together crashed each other."""
    import os
    import subprocess

    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}  # no compiled code yet: a fresh install
    code = ("import sys, pathlib; from pipeline.music import beats; "
            "print(len(beats.analyse(pathlib.Path(sys.argv[1])).beats))")
    runs = [subprocess.Popen([sys.executable, "-c", code, str(clicks)], env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(3)]
    said = [(run.communicate(timeout=240)[0].strip(), run.returncode) for run in runs]
    assert all(returned == 0 for _, returned in said), said  # -11 is the segmentation fault
    assert len({count for count, _ in said}) == 1 and int(said[0][0]) > 20


def test_a_temp_folder_with_no_room_for_the_lock_is_said_not_a_traceback(tmp_path, monkeypatch):
    from pipeline.errors import PipelineError
    from pipeline.music import one_compiler

    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    monkeypatch.setattr("tempfile.tempdir", str(not_a_folder))  # TMPDIR pointing at a file
    with pytest.raises(PipelineError, match="TMPDIR") as caught, one_compiler.held():
        pass
    assert str(not_a_folder) in str(caught.value)
