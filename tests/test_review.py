"""The review page (/review/ of `pipeline preview --serve`): in headless Chromium, pick take 2 and approve a
shot; the journal and `pipeline takes` show it and the rebuilt cut plays take 2. Its POSTs are refused for a
wrong Host (DNS rebinding), a cross-origin Origin and a missing token; it serves none of the folder's other
files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import opentimelineio as otio
import pytest

from pipeline import preview
from pipeline.cli import main
from pipeline.engine import decisions
from pipeline.engine.runner import assemble_again
from pipeline.preview.review import TOKEN_HEADER, Reviewer
from pipeline.storyboard.load import load

from .test_preview_browser import ARGS, CHROMIUM

BOARD = """resolution: 540p
shots:
  - id: quay
    prompt: a quay at dawn, ropes and nets piled high
    takes: 2
  - id: gulls
    start: none
    prompt: gulls wheel over the fish market
"""


@pytest.fixture
def film(tmp_path) -> tuple[Path, Path]:
    board, out = tmp_path / "board.yaml", tmp_path / "out"
    board.write_text(BOARD)
    assert main(["run", str(board), "--out", str(out)]) == 0
    return board, out


def reviewer(board: Path, out: Path) -> Reviewer:
    def plan_of():
        project = load(board)
        return project, project.plan({"burn_in": True}, decisions.read(out).choices())

    return Reviewer(out, plan_of, lambda project, plan: assemble_again(project, plan, out, paid=False, wait=False))


def takes_json(capsys, board: Path, out: Path) -> dict:
    capsys.readouterr()
    assert main(["takes", str(board), "--out", str(out), "--json"]) == 0
    return {s["id"]: s for s in json.loads(capsys.readouterr().out)["shots"]}


def played_clip(out: Path, shot: str) -> str:
    timeline = otio.adapters.read_from_file(str(out / "timeline.otio"))
    return next(c for c in timeline.find_clips() if c.name == shot).media_reference.target_url


def test_posts_need_the_loopback_host_the_page_origin_and_the_token(film):
    board, out = film
    hand = reviewer(board, out)
    with preview.running(out, reviewer=hand) as url:
        root = url.removesuffix("preview/")
        body = {"shot": "quay", "take": 2}
        good = {TOKEN_HEADER: hand.token}
        refused = [
            httpx.post(root + "review/pick", json=body),  # no token
            httpx.post(root + "review/pick", json=body, headers={TOKEN_HEADER: "guessed"}),
            httpx.post(root + "review/pick", json=body, headers={**good, "Host": "evil.example:80"}),
            httpx.post(root + "review/pick", json=body, headers={**good, "Origin": "http://evil.example"}),
            httpx.get(root + "review/", headers={"Host": "rebound.example"}),  # the page holds the token
        ]
        assert [r.status_code for r in refused] == [403] * 5
        assert decisions.read(out).picks == {}
        for path in ("journal.sqlite", "review/still/..%2Fjournal.sqlite", "board.yaml", "clips/"):
            assert httpx.get(root + path).status_code == 404
        assert httpx.get(root + "review/clip/gulls/2").status_code == 404  # no such take
        page = httpx.get(root + "review/")
        assert page.status_code == 200 and hand.token in page.text
        for wrong in ([body], "pick", b"{not json"):  # not an object: a clear 400, never a server error
            sent = {"content": wrong} if isinstance(wrong, bytes) else {"json": wrong}
            answer = httpx.post(root + "review/pick", headers=good, **sent)
            assert answer.status_code == 400 and answer.json() == {"error": "send a JSON object"}
        assert httpx.post(root + "review/pick", json=body, headers=good).json()["rebuilt"] is True
        assert decisions.read(out).picks == {"quay": 2}


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")
def test_in_chromium_pick_take_2_and_approve(film, capsys):
    from playwright.sync_api import sync_playwright

    board, out = film
    take2 = takes_json(capsys, board, out)["quay"]["takes"][1]
    assert played_clip(out, "quay") != (out / take2["file"]).resolve().as_uri()
    assert main(["preview", str(board), "--out", str(out)]) == 0
    with preview.running(out, reviewer=reviewer(board, out)) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)  # the preview, served, links to the review page
        with page.expect_navigation():
            page.locator("#review-link").click()
        assert page.url == url.replace("/preview/", "/review/")
        quay = page.locator('.shot[data-shot="quay"]')
        assert quay.locator(".take").count() == 2 and quay.locator("img").count() == 4
        page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        with page.expect_navigation():
            quay.locator('button[data-do="pick"][data-take="2"]').click()
        quay = page.locator('.shot[data-shot="quay"]')
        assert "picked" in quay.locator('.take[data-take="2"]').get_attribute("class")
        with page.expect_navigation():
            quay.locator('button[data-do="approve"]').click()
        assert "approved" in page.locator('.shot[data-shot="quay"] .verdict').inner_text()
        page.locator('.shot[data-shot="gulls"] textarea').fill("more gulls, lower")
        page.locator('.shot[data-shot="gulls"] button[data-do="note"]').click()
        page.wait_for_function("document.getElementById('said').textContent === 'saved'")
        browser.close()
        assert not errors
    shown = takes_json(capsys, board, out)
    assert shown["quay"]["picked"] == 2 and shown["quay"]["approved"] and shown["gulls"]["note"] == "more gulls, lower"
    with sqlite3.connect(out / "journal.sqlite") as db:
        assert db.execute("SELECT take FROM picks WHERE shot_id = 'quay'").fetchone() == (2,)
        assert db.execute("SELECT verdict FROM reviews WHERE shot_id = 'quay'").fetchone() == ("approved",)
    assert played_clip(out, "quay") == (out / take2["file"]).resolve().as_uri()
