"""End to end: render a small film, serve its preview on loopback, and drive the page in headless Chromium.

Uses Debian's chromium (/usr/bin/chromium, which .ci/run installs) through Playwright's Python client; the
client's own browser download is never used. Screenshots go to $PREVIEW_SCREENSHOTS, else a temp folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import ffmpeg, preview
from pipeline.cli import main
from pipeline.preview import model
from pipeline.storyboard.load import load

CHROMIUM = Path("/usr/bin/chromium")
ASSETS = Path(__file__).resolve().parent.parent / "storyboards" / "assets" / "short-film"
# As the machine notes say: without the background-networking flags Chromium keeps dialling out, which the
# closed network refuses; --no-sandbox because CI runs as root.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--mute-audio",
        "--autoplay-policy=no-user-gesture-required"]
BOARD = """\
title: The Harbour
resolution: 540p
duration: 5s
shots:
  - id: dawn
    prompt: A red-and-white lighthouse at dawn above a calm violet sea
    camera: push_in
    start: shore.jpg
    caption: Morning
  - id: boats
    prompt: Fishing boats leave the harbour one by one
    camera: pan_left
  - id: storm
    start: none
    prompt: Night. A storm lashes the lighthouse on its rock
    camera: [push_in, handheld]
    transition: {type: dissolve, duration: 0.5}
    caption: The worst night of the year
  - id: home
    prompt: The boats come home through the rain
"""

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at "
                                "/usr/bin/chromium (apt-get install chromium; .ci/run installs it)")


@pytest.fixture(scope="module")
def film(tmp_path_factory):
    """A rendered four-shot film (offline animatic at 540p) and its built preview."""
    folder = tmp_path_factory.mktemp("harbour")
    shutil.copy(ASSETS / "shore.jpg", folder / "shore.jpg")
    (folder / "harbour.yaml").write_text(BOARD)
    out = folder / "out"
    assert main(["run", str(folder / "harbour.yaml"), "--out", str(out)]) == 0
    project = load(folder / "harbour.yaml")
    plan = project.plan({"burn_in": True})  # as `pipeline run` plans the animatic by default
    preview.build(project, plan, out)
    return model.read(project, plan, out)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def shots_dir(tmp_path) -> Path:
    folder = Path(os.environ.get("PREVIEW_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def settle(page) -> None:
    """Wait until the player shows the frame it was sent to, and its loading spinner has faded (~1 s)."""
    page.wait_for_function("(p => p.readyState >= 3 && !p.seeking)(document.getElementById('player'))")
    page.wait_for_timeout(1000)


def open_page(browser, url: str, width: int, height: int):
    """A page at `url` that records every request and every error it meets."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.requests, page.errors = [], []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    return page


def test_the_cut_plays_and_clicking_the_third_shot_seeks_to_it(film, browser, shots_dir):
    assert [s.state for s in film.shots] == ["done"] * 4  # the preview found every clip the run made
    cut_s = ffmpeg.probe(film.cut.path).duration_s
    with preview.running(film.cut.path.parent) as url:
        page = open_page(browser, url, 1280, 800)
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        assert page.evaluate("document.getElementById('player').duration") == pytest.approx(cut_s, abs=0.05)
        third = page.locator("#shots .shot").nth(2)
        third.click()
        assert page.evaluate("document.getElementById('player').currentTime") == pytest.approx(
            film.shots[2].start_s, abs=1e-3)
        settle(page)
        assert "playing" in third.get_attribute("class")
        assert page.locator(".tl-clip.playing").inner_text() == "storm"
        page.screenshot(path=str(shots_dir / "preview-1280x800.png"))
        assert page.evaluate("document.querySelector('track').readyState") == 2  # captions loaded (VTT)
        assert not page.errors
        assert all(u.startswith(url.removesuffix("preview/")) or u.startswith("data:") for u in page.requests)
    assert (shots_dir / "preview-1280x800.png").stat().st_size > 10_000


def test_playing_moves_the_highlight_to_the_next_shot(film, browser):
    boats = film.shots[1].start_s
    with preview.running(film.cut.path.parent) as url:
        page = open_page(browser, url, 1280, 800)
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        page.evaluate(f"(p => {{ p.currentTime = {boats - 0.4}; p.play(); }})(document.getElementById('player'))")
        page.wait_for_function("document.querySelector('#shots .shot:nth-child(2)').classList.contains('playing')",
                               timeout=10_000)
        assert page.locator("#shots .shot.playing").count() == 1
        assert page.locator("#now").inner_text() == "02 · boats"


def test_at_phone_width_the_page_fits_and_seeks(film, browser, shots_dir):
    with preview.running(film.cut.path.parent) as url:
        page = open_page(browser, url, 390, 844)
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        page.locator("#shots .shot").nth(2).click()
        assert page.evaluate("document.getElementById('player').currentTime") == pytest.approx(
            film.shots[2].start_s, abs=1e-3)
        settle(page)
        page.screenshot(path=str(shots_dir / "preview-390x844.png"))
        assert not page.errors


def test_before_a_run_the_page_shows_the_plan(browser, tmp_path, shots_dir):
    shutil.copy(ASSETS / "shore.jpg", tmp_path / "shore.jpg")
    (tmp_path / "harbour.yaml").write_text(BOARD)
    project = load(tmp_path / "harbour.yaml")
    plan = project.plan({"burn_in": True})
    out = tmp_path / "out"

    def rebuild() -> preview.Built:
        return preview.refresh(project, plan, out)

    rebuild()
    with preview.running(out, rebuild=rebuild) as url:
        page = open_page(browser, url, 1280, 800)
        assert page.locator(".empty-msg strong").inner_text() == "No cut yet"
        page.locator("#shots .shot").nth(2).click()
        assert "playing" in page.locator("#shots .shot").nth(2).get_attribute("class")
        assert page.locator("#tc").inner_text() == "00:00:09:12"  # storm starts at 9.5 s (after a dissolve)
        page.screenshot(path=str(shots_dir / "preview-before-run.png"))
        assert not page.errors


# A run in another process whose renders wait, shot by shot, for the test to let them go: so the page can be
# seen before, while and after each shot turns done, however fast or slow the machine is.
GATED_RUN = """\
import asyncio, sys
from pathlib import Path
from pipeline.engine import runner
from pipeline.providers.animatic import AnimaticProvider
from pipeline.storyboard.load import load

board, out, gate = (Path(a) for a in sys.argv[1:4])

class Gated(AnimaticProvider):
    async def fetch(self, job_id, status, request, dest):
        (gate / (request.shot_id + ".waiting")).touch()
        while not (gate / request.shot_id).exists():
            await asyncio.sleep(0.05)
        await super().fetch(job_id, status, request, dest)

project = load(board)
runner.run(project, project.plan({"burn_in": True}), Gated(), out,
           limits=runner.Limits(concurrency=1, creates_per_minute=None))
"""


def wait_for_file(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_during_a_run_the_page_shows_a_shot_turning_done_then_the_new_cut_without_a_reload(browser, tmp_path,
                                                                                             shots_dir):
    shutil.copy(ASSETS / "shore.jpg", tmp_path / "shore.jpg")
    board = tmp_path / "harbour.yaml"
    board.write_text(BOARD)
    out = tmp_path / "out"
    made = subprocess.run([sys.executable, "-m", "pipeline", "run", str(board), "--out", str(out), "--quiet"],
                          capture_output=True, text=True)  # the previous cut (Playwright holds this thread's loop)
    assert made.returncode == 0, made.stderr
    old_cut = (out / "final.mp4").stat().st_mtime_ns
    board.write_text(BOARD.replace("one by one", "two by two"))  # boats is made again; nothing else

    def rebuild() -> preview.Built:
        project = load(board)
        return preview.refresh(project, project.plan({"burn_in": True}), out)

    gate = tmp_path / "gate"
    gate.mkdir()
    with preview.running(out, rebuild=rebuild) as url:
        page = open_page(browser, url, 1280, 800)
        loads = []
        page.on("load", lambda: loads.append(1))
        page.evaluate("window.marker = 'set at load'")
        boats = page.locator('#shots .shot[data-id="boats"]')
        assert "is-waiting" in boats.get_attribute("class")  # the edit: not generated yet
        assert page.locator("#findings .w-stale").count() == 1  # the cut on screen is out of date

        run = subprocess.Popen([sys.executable, "-c", GATED_RUN, str(board), str(out), str(gate)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            wait_for_file(gate / "boats.waiting")
            page.wait_for_function("document.querySelector('#shots .shot[data-id=\"boats\"]')"
                                   ".classList.contains('is-working')", timeout=15_000)
            assert page.locator("#findings .w-previous").count() == 1  # a new cut is on its way
            assert page.locator("#findings .notes summary .previous").count() <= 1
            page.screenshot(path=str(shots_dir / "preview-during-run.png"))
            (gate / "boats").touch()
            page.wait_for_function("document.querySelector('#shots .shot[data-id=\"boats\"]')"
                                   ".classList.contains('is-done')", timeout=30_000)
            new_first = page.locator('#shots .shot[data-id="boats"] .thumbs img').first.get_attribute("src")
            assert new_first.endswith("-first.jpg") or "dawn-" in new_first  # its real frames, not the slate
            assert run.wait(timeout=60) == 0, run.stdout.read()
        finally:
            if run.poll() is None:
                run.kill()
        new_cut = (out / "final.mp4").stat().st_mtime_ns
        assert new_cut != old_cut
        page.wait_for_function(f"document.body.dataset.cutVersion === '{new_cut}'", timeout=15_000)
        page.wait_for_function("document.getElementById('player').src.includes('v=" + str(new_cut) + "')")
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        assert page.evaluate("document.querySelector('#findings').dataset.current") == "true"
        assert page.locator("#findings .w-previous, #findings .w-stale").count() == 0
        page.locator("#shots .shot").nth(2).click()  # rows put in place by the update still seek
        assert page.evaluate("document.getElementById('player').currentTime") == pytest.approx(
            float(page.locator("#shots .shot").nth(2).get_attribute("data-start")), abs=1e-3)
        page.screenshot(path=str(shots_dir / "preview-after-run.png"))
        board.write_text(BOARD.replace("    prompt: Fishing", "    promt: Fishing"))  # a save with a mistake
        page.wait_for_function("!document.getElementById('alert').hidden", timeout=15_000)
        assert "harbour.yaml:11:5: shots[1].promt: unknown key" in page.locator("#alert").inner_text()
        assert page.evaluate("document.body.dataset.cutVersion") == str(new_cut)  # the last good cut stays
        page.screenshot(path=str(shots_dir / "preview-broken-save.png"))
        board.write_text(BOARD.replace("one by one", "two by two"))  # fixed
        page.wait_for_function("document.getElementById('alert').hidden", timeout=15_000)
        assert page.evaluate("window.marker") == "set at load"  # the same document all along
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1 and not loads
        assert not page.errors
