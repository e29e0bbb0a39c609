"""The animatic renderer on real media: formats, continuity at joins and end keyframes, determinism, errors."""

from __future__ import annotations

import asyncio
import functools
import http.server
import itertools
import threading
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from pipeline import ffmpeg
from pipeline.animatic import film, render_shot
from pipeline.animatic.render import plan_film
from pipeline.errors import MediaError, ProviderError
from pipeline.formats import ASPECT_RATIOS, FPS, RESOLUTIONS, frame_size
from pipeline.providers.animatic import AnimaticProvider
from pipeline.providers.base import GenerationKeyframe, ImageKeyframe, JobStatus, ShotRequest

JOIN_TOLERANCE = 2.0  # mean absolute difference, 0..255, allowed where two frames must be the same picture


def request(shot_id: str = "shot", **fields) -> ShotRequest:
    base = dict(shot_id=shot_id, key=f"key-{shot_id}-0123456789abcdef", model="ray-2", resolution="540p",
                aspect_ratio="16:9", duration_s=1, prompt="A lighthouse on a cliff at dusk, waves below")
    return ShotRequest(**(base | fields))


def picture(path: Path, size: tuple[int, int], seed: int) -> Path:
    """A photo-like test picture: soft colour fields, a few hard shapes and a little grain."""
    rng = np.random.default_rng(seed)
    fields = Image.fromarray((rng.random((6, 8, 3)) * 255).astype(np.uint8)).resize(size, Image.BICUBIC)
    draw = ImageDraw.Draw(fields)
    for _ in range(6):
        x, y = rng.integers(0, size[0]), rng.integers(0, size[1])
        r = int(rng.integers(10, min(size) // 5))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    grain = rng.normal(0, 4, (size[1], size[0], 1))  # luma grain, as cameras leave it
    Image.fromarray((np.asarray(fields) + grain).clip(0, 255).astype(np.uint8)).save(path)
    return path


def fitted(path: Path, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(ImageOps.fit(Image.open(path).convert("RGB"), size, Image.LANCZOS))


def diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as box:
        return [f.to_ndarray(format="rgb24") for f in box.decode(video=0)]


@pytest.fixture(scope="module")
def pictures(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pictures")
    return {"a": picture(folder / "a.png", (1200, 800), 1), "b": picture(folder / "b.jpg", (700, 900), 2)}


SAMPLE = list(zip(ASPECT_RATIOS, itertools.cycle(["540p", "720p", "1080p"]), strict=False))


@pytest.mark.parametrize(("aspect", "resolution"), SAMPLE)
def test_every_aspect_renders_h264_at_its_size_and_frame_count(tmp_path, aspect, resolution):
    dest = tmp_path / "clip.mp4"
    render_shot(request(aspect_ratio=aspect, resolution=resolution, concepts=("push_in",)), dest)
    _assert_format(dest, frame_size(resolution, aspect), 1)


@pytest.mark.parametrize("resolution", RESOLUTIONS)
def test_every_size_makes_whole_yuv420p_frames(resolution):
    # The encoded sample above covers each aspect once; this covers all 28 sizes through the frame maker.
    for aspect in ASPECT_RATIOS:
        width, height = frame_size(resolution, aspect)
        made = plan_film(request(resolution=resolution, aspect_ratio=aspect), (width, height), True)
        planes = made.film.render(made.cued[len(made.cued) // 2])
        assert [len(p) for p in planes] == [width * height, width * height // 4, width * height // 4]


@pytest.mark.parametrize("seconds", [5, 9])
def test_standard_durations_have_exactly_24_frames_a_second(tmp_path, seconds):
    dest = tmp_path / "clip.mp4"
    render_shot(request(duration_s=seconds, concepts=("pan_left", "handheld")), dest)
    _assert_format(dest, (960, 540), seconds)


def test_4k_renders_at_full_size(tmp_path):
    dest = tmp_path / "clip.mp4"
    render_shot(request(resolution="4k", duration_s=5, concepts=("static",)), dest)
    _assert_format(dest, (3840, 2160), 5)


def _assert_format(dest: Path, size: tuple[int, int], seconds: int) -> None:
    info = ffmpeg.probe(dest)
    assert (info.video_codec, info.pix_fmt, info.fps, info.has_audio) == ("h264", "yuv420p", FPS, False)
    assert (info.width, info.height) == size
    assert ffmpeg.count_frames(dest) == info.frames == seconds * FPS
    assert info.duration_s == pytest.approx(seconds, abs=0.01)
    data = dest.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat"), "faststart puts the index first"


def test_first_frame_is_the_start_image_fitted_to_cover(tmp_path, pictures):
    dest = tmp_path / "clip.mp4"
    render_shot(request(start=ImageKeyframe(path=pictures["b"]), concepts=("push_in",)), dest)
    assert diff(ffmpeg.frame_at(dest, 0), fitted(pictures["b"], (960, 540))) < JOIN_TOLERANCE


@pytest.mark.parametrize("burn_in", [False, True])
def test_an_extension_starts_on_its_parents_exact_last_frame(tmp_path, pictures, burn_in):
    parent, child = tmp_path / "parent.mp4", tmp_path / "child.mp4"
    render_shot(request("p", start=ImageKeyframe(path=pictures["a"]), concepts=("pan_left",)), parent,
                burn_in=burn_in)
    render_shot(request("c", start=GenerationKeyframe("p", clip=parent), concepts=("push_in",)), child,
                burn_in=burn_in)
    last = ffmpeg.frame_at(parent, -1)
    assert diff(ffmpeg.frame_at(child, 0), last) < JOIN_TOLERANCE
    assert diff(ffmpeg.frame_at(parent, 0), last) > 10, "the parent moved, so the test can tell frames apart"


def test_a_long_chain_of_extensions_does_not_drift(tmp_path, pictures):
    clip = tmp_path / "0.mp4"
    render_shot(request("0", start=ImageKeyframe(path=pictures["a"])), clip)
    first = ffmpeg.frame_at(clip, 0)
    for n in range(1, 8):
        parent, clip = clip, tmp_path / f"{n}.mp4"
        render_shot(request(str(n), start=GenerationKeyframe(str(n - 1), clip=parent)), clip)
    assert diff(ffmpeg.frame_at(clip, -1), first) < JOIN_TOLERANCE, "eight generations later, same picture"


def test_captions_are_burnt_in_between_the_clean_first_and_last_frames(tmp_path, pictures):
    clean, captioned = tmp_path / "clean.mp4", tmp_path / "captioned.mp4"
    shot = request(start=ImageKeyframe(path=pictures["a"]), duration_s=2)
    render_shot(shot, clean, burn_in=False)
    render_shot(shot, captioned)  # request.caption defaults to True
    plain, burnt = frames(clean), frames(captioned)
    band = slice(540 - 32, 540)
    assert diff(plain[24][band], burnt[24][band]) > 20, "mid-shot the caption band is visible"
    assert diff(plain[24][:400], burnt[24][:400]) < 1, "and nothing above it changes"
    for i in (0, -1):
        assert diff(plain[i], burnt[i]) < 0.5, "the first and last frames are clean"


@pytest.mark.parametrize("burn_in", [False, True])
def test_a_shot_lands_exactly_on_its_end_keyframe(tmp_path, pictures, burn_in):
    dest = tmp_path / "clip.mp4"
    # push_in: a move that needs no room, so the first frame is the start picture itself (see the next test)
    shot = request(start=ImageKeyframe(path=pictures["a"]), end=ImageKeyframe(path=pictures["b"]),
                   concepts=("push_in",), duration_s=2)
    render_shot(shot, dest, burn_in=burn_in)
    shown, start, end = frames(dest), fitted(pictures["a"], (960, 540)), fitted(pictures["b"], (960, 540))
    assert diff(shown[0], start) < JOIN_TOLERANCE
    assert diff(shown[-1], end) < JOIN_TOLERANCE
    assert min(diff(shown[24], start), diff(shown[24], end)) > 5, "mid-shot it is on its way"


def test_leading_into_a_fetched_clip_ends_on_its_first_frame(tmp_path, pictures):
    after, dest = tmp_path / "after.mp4", tmp_path / "clip.mp4"
    render_shot(request("after", start=ImageKeyframe(path=pictures["b"]), concepts=("pull_out",)), after)
    render_shot(request(start=ImageKeyframe(path=pictures["a"]), end=GenerationKeyframe("after", clip=after)),
                dest)
    assert diff(ffmpeg.frame_at(dest, -1), ffmpeg.frame_at(after, 0)) < JOIN_TOLERANCE
    render_shot(request(end=GenerationKeyframe("after")), dest)  # not fetched yet: no end picture to reach
    assert ffmpeg.count_frames(dest) == FPS


def test_a_loop_ends_where_it_began(tmp_path, pictures):
    dest = tmp_path / "clip.mp4"
    render_shot(request(start=ImageKeyframe(path=pictures["a"]), loop=True, concepts=("orbit_left",)), dest)
    shown = frames(dest)
    assert diff(shown[0], shown[-1]) < JOIN_TOLERANCE < diff(shown[0], shown[12])


def test_text_to_video_opens_on_a_slate_with_the_shot_id(tmp_path):
    dest = tmp_path / "clip.mp4"
    render_shot(request("launch", prompt="A rocket lifts off"), dest, burn_in=False)
    slate = ffmpeg.frame_at(dest, 0).astype(int)
    title = slate[150:230, 300:660].max(axis=2)
    assert (title > 200).mean() > 0.05, "the shot id is written large in white"
    assert np.median(slate) < 110, "on a calm dark background"
    other = tmp_path / "other.mp4"
    render_shot(request("orbit", prompt="A rocket lifts off"), other, burn_in=False)
    assert diff(ffmpeg.frame_at(other, 0)[:60], slate[:60].astype(np.uint8)) > 3, "each shot its own colour"


def test_the_same_request_renders_the_same_video(tmp_path, pictures):
    shot = request(start=ImageKeyframe(path=pictures["a"]), end=ImageKeyframe(path=pictures["b"]),
                   concepts=("roll_left", "handheld", "dolly_zoom"), duration_s=2)
    first, second = tmp_path / "1.mp4", tmp_path / "2.mp4"
    render_shot(shot, first)
    render_shot(shot, second)
    assert all(np.array_equal(a, b) for a, b in zip(frames(first), frames(second), strict=True))
    assert first.read_bytes() == second.read_bytes()


@pytest.fixture
def served(pictures):
    """A loopback HTTP server for the test pictures; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(pictures["a"].parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_a_keyframe_given_by_url_is_downloaded(tmp_path, pictures, served):
    dest = tmp_path / "clip.mp4"
    render_shot(request(start=ImageKeyframe(url=f"{served}/b.jpg")), dest)
    assert diff(ffmpeg.frame_at(dest, 0), fitted(pictures["b"], (960, 540))) < JOIN_TOLERANCE
    with pytest.raises(ProviderError, match="HTTP 404") as caught:
        render_shot(request(start=ImageKeyframe(url=f"{served}/missing.png")), tmp_path / "no.mp4")
    assert not caught.value.retryable
    assert not (tmp_path / "no.mp4").exists()


@pytest.mark.parametrize(("shot", "error", "message"), [
    (request(start=ImageKeyframe(path=Path("/nonexistent/pad.png"))), MediaError, "not found"),
    (request(concepts=("barrel_roll",)), ProviderError, "unknown camera concept"),
    (request(start=GenerationKeyframe("parent")), ProviderError, "not been fetched"),
    (request(start=ImageKeyframe(url="ftp://example.com/a.png")), ProviderError, "not http"),
])
def test_unusable_requests_raise_errors_that_say_why(tmp_path, shot, error, message):
    with pytest.raises(error, match=message):
        render_shot(shot, tmp_path / "clip.mp4")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_render_leaves_the_previous_file_and_no_debris(tmp_path, monkeypatch):
    dest = tmp_path / "clip.mp4"
    dest.write_bytes(b"the previous render")
    calls = itertools.count()

    def failing(self, cue):
        if next(calls) == 10:
            raise RuntimeError("boom")
        return original(self, cue)

    original = film.Film.render
    monkeypatch.setattr(film.Film, "render", failing)
    with pytest.raises(RuntimeError, match="boom"):
        render_shot(request(concepts=("push_in",)), dest)
    assert dest.read_bytes() == b"the previous render"
    assert list(tmp_path.iterdir()) == [dest]


def test_the_encoder_reports_ffmpegs_complaint(tmp_path):
    with pytest.raises(MediaError, match="status") as caught, \
            ffmpeg.encoder(["-f", "rawvideo", "-s", "2x2", "-i", "-", "-c:v", "no_such_codec",
                            str(tmp_path / "x.mp4")], what="test") as pipe:
        pipe.write(bytes(12))
    assert "no_such_codec" in str(caught.value)


def test_the_provider_renders_offline_for_free(tmp_path, pictures):
    provider = AnimaticProvider(burn_in=False)
    shot = request(start=ImageKeyframe(path=pictures["a"]), concepts=("tilt_up",))

    async def generate() -> JobStatus:
        job = await provider.submit(shot)
        assert job == "animatic-" + shot.key[:16]
        status = await provider.status(job)
        await provider.fetch(job, status, shot, tmp_path / "fetched.mp4")
        return status

    assert (provider.name, provider.paid) == ("animatic", False)
    assert asyncio.run(generate()).state == "completed"
    render_shot(shot, tmp_path / "direct.mp4", burn_in=False)
    assert (tmp_path / "fetched.mp4").read_bytes() == (tmp_path / "direct.mp4").read_bytes()
