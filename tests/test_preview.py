"""The preview page without a browser: what it shows before, during and after a run, its thumbnails,
captions and server. (tests/test_preview_browser.py drives it in headless Chromium.)"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from pathlib import Path

import httpx
import pytest

from pipeline import preview
from pipeline.engine.journal import Entry, Journal
from pipeline.errors import PipelineError
from pipeline.layout import Layout
from pipeline.preview import captions, model
from pipeline.storyboard.load import load

BOARD = """\
title: Harbour <Test>
resolution: 540p
shots:
  - id: dawn
    prompt: A quiet harbour at dawn <script>alert(1)</script>
    camera: push_in
    start: still.png
    caption: Morning
  - id: boats
    prompt: Fishing boats leave the harbour one by one
  - id: storm
    start: none
    prompt: A storm gathers over the open sea
    transition: {type: dissolve, duration: 0.5}
  - id: reel
    clip: footage.mp4
"""


@pytest.fixture
def board(tmp_path, media) -> Path:
    shutil.copy(media["image"], tmp_path / "still.png")
    shutil.copy(media["video"], tmp_path / "footage.mp4")
    path = tmp_path / "harbour.yaml"
    path.write_text(BOARD)
    return path


def setup(board: Path):
    project = load(board)
    return project, project.plan({"burn_in": True}), board.parent / "out"


def put_clip(out: Path, planned, media) -> Path:
    dest = out / "clips" / f"{planned.id}-{planned.key[:12]}.mp4"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(media["video"], dest)
    return dest


def test_before_a_run_the_page_shows_the_plan_and_says_there_is_no_cut(board):
    project, plan, out = setup(board)
    page = preview.build(project, plan, out)
    html = page.read_text()
    assert page == out / "preview" / "index.html"
    assert "No cut yet" in html and "<video" not in html
    assert all(f'data-id="{p.id}"' in html for p in plan.shots)
    assert "≈ $" in html and "Estimate" in html  # the estimate, and what Luma would cost
    assert not (out / "journal.sqlite").exists()  # looking never creates a journal
    names = sorted(p.name for p in (out / "preview" / "thumbs").iterdir())
    assert any(n.startswith("dawn-") and n.endswith("-start.jpg") for n in names)  # its start keyframe
    assert any(n.startswith("reel-") and n.endswith("-last.jpg") for n in names)  # footage: real frames


def test_prompts_are_escaped_and_nothing_is_fetched_from_the_internet(board):
    project, plan, out = setup(board)
    html = preview.build(project, plan, out).read_text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html
    assert "Harbour &lt;Test&gt;" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import""", html)


def test_during_a_run_each_shot_shows_its_journal_state(board, media):
    project, plan, out = setup(board)
    dawn, boats, storm = (plan.by_id(i) for i in ("dawn", "boats", "storm"))
    journal = Journal.open(Layout(out))

    def journaled(planned, state, **changes):
        entry = Entry(key=planned.key, shot_id=planned.id, take=1, provider="luma", state="intent", cost_usd=1.6)
        journal.accepted(journal.intend(entry, model="ray-2", request_digest="d"), planned.key, f"job-{planned.id}")
        journal.update(planned.key, state=state, **changes)

    journaled(dawn, "fetched", file=Layout(out).relative(put_clip(out, dawn, media)))
    journaled(boats, "dreaming")
    journaled(storm, "failed", failure_reason="moderation refused the prompt")
    journal.close()
    seen = model.read(project, plan, out)
    assert [s.state for s in seen.shots] == ["done", "dreaming", "failed", "footage"]
    assert ("failed", "storm failed: moderation refused the prompt") in seen.problems
    html = preview.build(project, plan, out).read_text()
    assert "job-dawn" in html and "job-boats" in html and "1 in progress" in html
    assert "Failed: moderation refused the prompt" in html


@pytest.mark.parametrize(("state", "clip", "shown"), [
    (None, False, "waiting"), (None, True, "done"), ("intent", False, "intent"), ("queued", False, "queued"),
    ("dreaming", False, "dreaming"), ("completed", False, "completed"), ("fetched", True, "done"),
    ("fetched", False, "waiting"), ("failed", False, "failed"),
])
def test_state_words(state, clip, shown):
    entry = Entry(key="k", shot_id="s", take=1, provider="luma", state=state) if state else None
    assert model.state_of(entry, Path("clip.mp4") if clip else None) == shown


def test_an_extension_not_yet_generated_opens_on_its_parents_last_frame(board, media):
    project, plan, out = setup(board)
    put_clip(out, plan.by_id("dawn"), media)  # an offline render on disk, named by key: done without a journal
    made = preview.thumbs.make_all(model.read(project, plan, out), out / "preview" / "thumbs")
    assert made["dawn"].real and made["boats"].first == made["dawn"].last
    assert made["boats"].last is None and not made["storm"].real  # storm: a slate


def test_thumbnails_are_reused_and_stale_ones_removed(board, media):
    project, plan, out = setup(board)
    put_clip(out, plan.by_id("dawn"), media)
    preview.build(project, plan, out)
    thumbs = out / "preview" / "thumbs"
    before = {p.name: p.stat().st_mtime_ns for p in thumbs.iterdir()}
    preview.build(project, plan, out)
    assert {p.name: p.stat().st_mtime_ns for p in thumbs.iterdir()} == before
    board.write_text(BOARD.replace("one by one", "two by two"))
    project, plan, _ = setup(board)
    preview.build(project, plan, out)
    after = {p.name for p in thumbs.iterdir()}
    assert {n for n in before if not n.startswith("boats-")} <= after
    assert not {n for n in before if n.startswith("boats-")} & after  # the edited shot's old slate is gone


def test_assembly_json_sets_starts_and_lengths(board, media):
    project, plan, out = setup(board)
    out.mkdir()
    (out / "assembly.json").write_text(json.dumps({
        "shots": [{"id": "boats", "start_s": 4.958, "frames": 119, "trimmed_frames": 1, "normalised": False,
                   "notes": []},
                  {"id": "reel", "start_s": 14.0, "frames": 48, "trimmed_frames": 0, "normalised": True}],
        "warnings": ["a join was trimmed"], "runtime_s": 16.0}))
    seen = model.read(project, plan, out)
    boats = seen.shots[1]
    assert (boats.start_s, boats.duration_s) == (4.958, 119 / 24)
    assert boats.notes == ("trimmed 1 repeated frame at the join",)
    assert seen.shots[3].problems == ("normalised to the cut's format",)
    html = preview.build(project, plan, out).read_text()  # the cut's real times, the plan's in a title
    trimmed = 'title="the plan says {}; assembly trimmed a frame that the join repeated">{}</dd>'
    assert trimmed.format("0:05.0", "0:04.96") in html and trimmed.format("5.0 s", "4.96 s") in html
    assert html.count('class="off-plan"') == 3  # boats' start and length, reel's start; dawn runs as planned


TRIM_NOTE = "its first frame repeats dawn's last picture (difference 0.10 against 3.00): trimmed, nothing re-encoded"
NORMALISED = "normalised: 640x480 at 25.000 fps, the cut is 960x540 at 24 fps"


def assembled(project, plan, out: Path, media, warnings: tuple[str, ...] = ()) -> dict:
    """A finished folder as a run leaves it: every shot's clip, a cut, and assembly.json written last."""
    for planned in plan.shots:
        if planned.generate:
            put_clip(out, planned, media)
    shutil.copy(media["video"], out / "final.mp4")  # 2 s: assembly.json below says so
    report = {"planned_frames": plan.runtime_frames, "runtime_frames": 48, "warnings": list(warnings), "shots": [
        {"id": p.id, "start_s": p.start_s, "frames": p.frames, "trimmed_frames": int(p.id == "boats"),
         "normalised": p.id == "reel",
         "notes": [TRIM_NOTE] if p.id == "boats" else [NORMALISED] if p.id == "reel" else []}
        for p in plan.shots]}
    (out / "assembly.json").write_text(json.dumps(report))
    return report


def test_problems_are_apart_from_notes_and_counted_as_assembly_json_counts(board, media):
    project, plan, out = setup(board)
    report = assembled(project, plan, out, media)
    seen = model.read(project, plan, out)
    assert seen.assembly.current
    assert seen.problems == (("normalised", f"reel: {NORMALISED}"),)  # a picture changed to fit: worth an eye
    assert ("note", f"boats: {TRIM_NOTE}") in seen.notes  # a join trimmed: engineering, not a problem
    assert (seen.assembly.warnings, seen.assembly.notes) == (len(report["warnings"]), 2) == (0, 2)
    html = preview.build(project, plan, out).read_text()
    assert 'data-assembly-warnings="0" data-assembly-notes="2"' in html
    assert "assembly.json: 0 warnings · 2 notes</p>" in html
    assert "<h2>1 problem</h2>" in html and '<details class="notes"><summary>' in html
    assert not re.search(r"\d+ warnings?</h2>", html)  # no "15 WARNINGS" headline made of notes


def test_the_assemblers_warnings_are_problems(board, media):
    project, plan, out = setup(board)
    assembled(project, plan, out, media, warnings=("shot storm: its clip has 100 frames, the plan 120; its last "
                                                   "picture is held for 20 frames",))
    seen = model.read(project, plan, out)
    assert [kind for kind, _ in seen.problems] == ["warning", "normalised"] and seen.assembly.warnings == 1
    assert 'data-assembly-warnings="1"' in preview.build(project, plan, out).read_text()


def test_mid_run_the_notes_are_the_previous_cuts(board, media):
    project, plan, out = setup(board)
    assembled(project, plan, out, media)
    board.write_text(BOARD.replace("one by one", "two by two"))  # boats changed: a run is making it again
    project, plan, _ = setup(board)
    boats = plan.by_id("boats")
    with contextlib.closing(Journal.open(Layout(out))) as journal:
        entry = Entry(key=boats.key, shot_id="boats", take=1, provider="animatic", state="intent")
        journal.accepted(journal.intend(entry, model="ray-2", request_digest="d"), boats.key, "animatic-1")
        journal.update(boats.key, state="dreaming")
    seen = model.read(project, plan, out)
    assert not seen.assembly.current
    assert [kind for kind, _ in seen.problems] == ["previous"] and "boats in progress" in seen.problems[0][1]
    assert ("note", f"reel: {NORMALISED}") in seen.notes  # the old cut's normalised clip: not a problem of the new
    html = preview.build(project, plan, out).read_text()
    assert "on the previous cut" in html and "of the previous cut</p>" in html
    assert '<p class="problem">' not in html  # no shot row shows the old cut's notes as its own


def test_after_an_edit_with_no_run_the_cut_is_out_of_date(board, media):
    project, plan, out = setup(board)
    assembled(project, plan, out, media)
    board.write_text(BOARD.replace("one by one", "two by two"))
    project, plan, _ = setup(board)
    seen = model.read(project, plan, out)
    assert [kind for kind, _ in seen.problems] == ["stale"] and "boats changed" in seen.problems[0][1]


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"shots": [3, {"id": 4}], "warnings": [null]}'])
def test_a_broken_assembly_json_is_ignored(board, text):
    project, plan, out = setup(board)
    out.mkdir()
    (out / "assembly.json").write_text(text)
    seen = model.read(project, plan, out)
    assert [s.start_s for s in seen.shots] == [p.start_s for p in plan.shots]


def test_a_cut_that_no_longer_matches_the_storyboard_is_flagged(board, media):
    project, plan, out = setup(board)
    out.mkdir()
    shutil.copy(media["video"], out / "final.mp4")  # 2 s, the plan is much longer
    seen = model.read(project, plan, out)
    assert seen.cut is not None and seen.cut.duration_s == pytest.approx(2.0, abs=0.05)
    assert any(kind == "stale" for kind, _ in seen.problems)
    html = preview.build(project, plan, out).read_text()
    assert f'src="../final.mp4?v={seen.cut.version}"' in html
    assert '<track kind="captions" src="captions.vtt' in html  # from the storyboard's captions


def test_srt_becomes_vtt():
    srt = ("\ufeff1\r\n00:00:01,000 --> 00:00:02,500\r\nHello --> there\r\n\r\n"
           "2\r\n01:02:03,004 --> 01:02:04,000\r\nBye\r\n")
    assert captions.srt_to_vtt(srt) == ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nHello → there\n\n"
                                        "2\n01:02:03.004 --> 01:02:04.000\nBye\n")


def test_captions_come_from_the_srt_when_the_exporter_wrote_one(board):
    project, plan, out = setup(board)
    out.mkdir()
    assert captions.vtt_for(out, plan, {}).startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:05.000\nMorning")
    (out / "final.srt").write_text("1\n00:00:00,000 --> 00:00:04,000\nFrom the SRT\n")
    assert "From the SRT" in captions.vtt_for(out, plan, {})


def events_of(client: httpx.Client, url: str, wanted: str, *, last: str | None = None) -> tuple[str, dict]:
    """Read the page's event stream until an event named `wanted`: (its id, its data)."""
    headers = {"Last-Event-ID": last} if last else {}
    with client.stream("GET", url + "events", headers=headers, timeout=20) as answer:
        assert answer.headers["content-type"].startswith("text/event-stream")
        event = {}
        for line in answer.iter_lines():
            if not line and event.get("event") == wanted:
                return event["id"], json.loads(event["data"])
            if not line:
                event = {}
            elif not line.startswith(":"):
                name, _, value = line.partition(": ")
                event[name] = value
    raise AssertionError(f"the stream ended before a {wanted} event")


def test_the_server_answers_ranges_rebuilds_when_something_changed_and_shows_problems(board, media):
    project, plan, out = setup(board)
    preview.build(project, plan, out)
    shutil.copy(media["video"], out / "final.mp4")
    size = (out / "final.mp4").stat().st_size
    builds = []

    def rebuild():
        builds.append(1)
        project = load(board)  # as the CLI does: the storyboard is read again
        return preview.refresh(project, project.plan({"burn_in": True}), out)

    with preview.running(out, rebuild=rebuild) as url, httpx.Client() as client:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/preview/")
        root = url.removesuffix("preview/")
        assert client.get(root).headers["location"].endswith("/preview/")
        page = client.get(url)
        assert page.status_code == 200 and "final.mp4" in page.text and builds == [1]
        assert client.get(url).status_code == 200 and builds == [1]  # nothing changed: nothing rebuilt
        part = client.get(root + "final.mp4", headers={"Range": "bytes=100-199"})
        assert part.status_code == 206 and len(part.content) == 100
        assert part.headers["content-range"] == f"bytes 100-199/{size}"
        first, update = events_of(client, url, "update")
        assert [s["id"] for s in update["shots"]] == ["dawn", "boats", "storm", "reel"]
        assert update["cut"]["version"] == str((out / "final.mp4").stat().st_mtime_ns)  # a string: JS numbers lose ns
        board.write_text(BOARD.replace("prompt: Fishing", "promt: Fishing"))  # a save with a mistake
        later, problem = events_of(client, url, "problem", last=first)
        assert int(later) > int(first) and "harbour.yaml:10:5: shots[1].promt" in problem["message"]
        kept = client.get(url)  # the last good page stays, the stream says what is wrong
        assert kept.status_code == 200 and "final.mp4" in kept.text


def test_the_server_serves_only_the_pages_files(board, media):
    project, plan, out = setup(board)
    shutil.copy(media["video"], out.parent / "footage.mp4")
    put_clip(out, plan.by_id("dawn"), media)
    Journal.open(Layout(out)).close()
    preview.build(project, plan, out)
    thumb = next((out / "preview" / "thumbs").iterdir()).name
    with preview.running(out) as url, httpx.Client() as client:
        root = url.removesuffix("preview/")
        assert client.get(url + "thumbs/" + thumb).status_code == 200
        for private in ("journal.sqlite", ".lock", f"clips/{next((out / 'clips').iterdir()).name}",
                        "preview/thumbs/../../journal.sqlite", "../harbour.yaml"):
            assert client.get(root + private).status_code == 404, private
    with pytest.raises(PipelineError, match="loopback only"):
        preview.serve(out, host="0.0.0.0")


def test_a_busy_port_is_a_clear_error(tmp_path):
    with preview.running(tmp_path) as url:
        port = int(url.split(":")[2].split("/")[0])
        with pytest.raises(PipelineError, match="choose another --port"):
            preview.serve(tmp_path, port=port)


def test_thumbnails_are_small_jpegs(board, media):
    project, plan, out = setup(board)
    put_clip(out, plan.by_id("dawn"), media)
    preview.build(project, plan, out)
    for path in (out / "preview" / "thumbs").iterdir():
        assert path.read_bytes()[:2] == b"\xff\xd8" and os.path.getsize(path) < 40_000


def test_a_cut_shorter_by_its_reported_trims_is_not_stale(board, media):
    project, plan, out = setup(board)
    for planned in plan.shots[:3]:
        put_clip(out, planned, media)
    shutil.copy(media["video"], out / "final.mp4")  # 2 s: as if assembly had trimmed the rest
    (out / "assembly.json").write_text(json.dumps({"planned_frames": plan.runtime_frames, "runtime_frames": 48}))
    assert not any(kind == "stale" for kind, _ in model.read(project, plan, out).problems)
    (out / "assembly.json").write_text(json.dumps({"planned_frames": plan.runtime_frames + 24, "runtime_frames": 48}))
    assert any(kind == "stale" for kind, _ in model.read(project, plan, out).problems)
