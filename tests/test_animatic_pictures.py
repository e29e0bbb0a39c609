"""The animatic films only real picture: moves past a keyframe's edge show no mirror, a chain carries its
framing in its first picture, and a text-only chain draws a panel per shot."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageOps

from pipeline import ffmpeg
from pipeline.animatic import render_shot
from pipeline.animatic.render import plan_film
from pipeline.providers.base import GenerationKeyframe, ImageKeyframe, ShotRequest

SIZE = (960, 540)  # 540p 16:9
STRIP = 6  # columns (or rows) compared either side of a candidate mirror axis


def request(shot_id: str, concepts: tuple[str, ...], start=None, *, duration_s: int = 5, prompt: str | None = None
            ) -> ShotRequest:
    return ShotRequest(shot_id=shot_id, key=f"key-{shot_id}", model="ray-2", resolution="540p",
                       aspect_ratio="16:9", duration_s=duration_s, concepts=concepts, start=start,
                       prompt=prompt or f"shot {shot_id}: {' and '.join(concepts) or 'still'}")


@pytest.fixture(scope="module")
def keyframe(tmp_path_factory) -> Path:
    """A frame-shaped (16:9) picture of random blobs, so a move has no spare picture to look into, and any
    reflection of it shows as a symmetric strip."""
    rng = np.random.default_rng(5)
    blobs = Image.fromarray((rng.random((180, 320, 3)) * 255).astype(np.uint8)).resize((1280, 720), Image.BICUBIC)
    path = tmp_path_factory.mktemp("keyframe") / "key.png"
    blobs.save(path)
    return path


def frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as box:
        return [f.to_ndarray(format="gray").astype(np.int16) for f in box.decode(video=0)]


def mirror_score(picture: np.ndarray) -> float:
    """How much some stretch of the frame near an edge looks like a reflection of the picture next to it:
    the least, over candidate axes in the outer third of each side, of the difference between the strip
    outside the axis and the flipped strip inside it, relative to their difference unflipped. About 0.7 or more for a
    picture; near 0 where a picture was padded with its own reflection."""
    best = np.inf
    for image in (picture, picture.T, picture[:, ::-1], picture.T[:, ::-1]):  # left, top, right, bottom
        for axis in range(STRIP, image.shape[1] // 3):
            outer, inner = image[:, axis - STRIP:axis], image[:, axis:axis + STRIP]
            flipped, plain = np.abs(outer - inner[:, ::-1]).mean(), np.abs(outer - inner).mean()
            best = min(best, flipped / max(plain, 1.0))
    return float(best)


def assert_no_mirror(shown: list[np.ndarray]) -> None:
    for i in (len(shown) // 2, len(shown) - 1):
        assert mirror_score(shown[i]) > 0.5, f"frame {i} shows a reflection at its edge"


@pytest.mark.parametrize("concept", ["pull_out", "pan_left", "crane_up"])
def test_a_move_past_the_keyframes_edge_shows_no_mirror(tmp_path, keyframe, concept):
    dest = tmp_path / "clip.mp4"
    render_shot(request("s", (concept,), ImageKeyframe(path=keyframe), duration_s=9), dest, burn_in=False)
    shown = frames(dest)
    assert_no_mirror(shown)
    assert np.abs(shown[0] - shown[-1]).mean() > 8, "and the camera does move"


def test_a_chain_of_pans_stops_at_the_pictures_edge_instead_of_walking_off_it(tmp_path, keyframe):
    clip = None
    for n in range(3):
        parent, clip = clip, tmp_path / f"{n}.mp4"
        start = ImageKeyframe(path=keyframe) if parent is None else GenerationKeyframe(str(n - 1), clip=parent)
        render_shot(request(str(n), ("pan_left",), start), clip, burn_in=False)
        assert_no_mirror(frames(clip))


def test_an_extension_moves_on_inside_its_chains_picture(tmp_path, keyframe):
    """A push-in then a pull-out of the same amount comes back to the whole keyframe: the pull-out zooms out
    of the keyframe itself, not of the push-in's last (cropped) frame."""
    closer, back = tmp_path / "closer.mp4", tmp_path / "back.mp4"
    render_shot(request("closer", ("push_in",), ImageKeyframe(path=keyframe)), closer, burn_in=False)
    render_shot(request("back", ("pull_out",), GenerationKeyframe("closer", clip=closer)), back, burn_in=False)
    whole = np.asarray(ImageOps.fit(Image.open(keyframe).convert("L"), SIZE, Image.LANCZOS)).astype(np.int16)
    shown = frames(back)
    assert np.abs(shown[-1] - whole).mean() < 2.5, "the chain ends on the whole keyframe"
    assert np.abs(frames(closer)[-1] - whole).mean() > 10, "after a push-in that left it"


def test_an_extension_does_not_repeat_its_parents_last_frame(tmp_path, keyframe):
    parent = tmp_path / "parent.mp4"
    first = request("p", ("pan_right",), ImageKeyframe(path=keyframe))
    render_shot(first, parent, burn_in=False)
    child = request("c", ("push_in",), GenerationKeyframe("p", clip=parent))
    ended = plan_film(first, SIZE, False).cued[-1]
    went_on, repeated = plan_film(child, SIZE, False), plan_film(child, SIZE, False, repeat_join=True)
    assert went_on.cued[0].start != ended.start, "frame 0 is the moment after the parent's last"
    assert went_on.cued[-1].start == repeated.cued[-1].start, "and the move ends where it would have"
    assert repeated.cued[0].start == ended.start, "unless asked to repeat the join, as some providers do"
    assert repeated.film.render(repeated.cued[0]) == plan_film(first, SIZE, False).film.render(ended)
    shown = tmp_path / "child.mp4"
    render_shot(child, shown, burn_in=False)
    step = np.abs(ffmpeg.planes_at(parent, -1)[0].astype(np.int16) - ffmpeg.planes_at(shown, 0)[0]).mean()
    assert step < 1.5, "the join is smooth: the next moment is only just after the last"


def test_a_text_only_chain_draws_each_shot_its_own_panel_in_the_chains_colours(tmp_path):
    first, second, other = tmp_path / "a.mp4", tmp_path / "b.mp4", tmp_path / "z.mp4"
    render_shot(request("launch", ("push_in",), prompt="A rocket on its pad at dawn"), first, burn_in=False)
    render_shot(request("climb", ("pan_left",), GenerationKeyframe("launch", clip=first),
                        prompt="It climbs through pink clouds"), second, burn_in=False)
    render_shot(request("zzz", (), prompt="An unrelated shot"), other, burn_in=False)
    a, b = ffmpeg.frame_at(first, 0).astype(np.int16), ffmpeg.frame_at(second, 0).astype(np.int16)
    a_end = ffmpeg.frame_at(first, -1).astype(np.int16)
    text = (slice(150, 400), slice(150, 810))
    assert np.abs(a[text] - b[text]).mean() > 8 and np.abs(a_end[text] - b[text]).mean() > 8, \
        "the second shot shows its own words, not the first shot's slate"

    def corner(frame: np.ndarray) -> np.ndarray:
        return frame[:40, :40].reshape(-1, 3).mean(axis=0)

    family = np.abs(corner(a) - corner(b)).max()
    assert family < 20, "in the first shot's colours"
    assert family < np.abs(corner(a) - corner(ffmpeg.frame_at(other, 0).astype(np.int16))).max()


def test_a_clip_that_names_no_picture_is_extended_from_its_exact_last_frame(tmp_path):
    """Another provider's clip carries no tag: its last frame is the only picture there is, so a pull-out
    has nothing to widen to and holds, and a push-in moves inside it."""
    parent = tmp_path / "other.mp4"
    ffmpeg.run(["-f", "lavfi", "-i", f"testsrc2=size={SIZE[0]}x{SIZE[1]}:rate=24", "-frames:v", "24",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", str(parent)], what="another provider's clip")
    last = ffmpeg.frame_at(parent, -1).astype(np.int16)
    held, pushed = tmp_path / "held.mp4", tmp_path / "pushed.mp4"
    render_shot(request("held", ("pull_out",), GenerationKeyframe("other", clip=parent), duration_s=5), held,
                burn_in=False)
    render_shot(request("pushed", ("push_in",), GenerationKeyframe("other", clip=parent), duration_s=5), pushed,
                burn_in=False)
    assert max(np.abs(ffmpeg.frame_at(held, i).astype(np.int16) - last).mean() for i in (0, 60, -1)) < 2.5
    assert np.abs(ffmpeg.frame_at(pushed, 0).astype(np.int16) - last).mean() < 2.5
    assert np.abs(ffmpeg.frame_at(pushed, -1).astype(np.int16) - last).mean() > 8


def test_a_keyframe_changed_since_the_parent_was_rendered_is_not_filmed_by_its_extension(tmp_path, keyframe):
    key = tmp_path / "key.png"
    key.write_bytes(keyframe.read_bytes())
    parent, child = tmp_path / "parent.mp4", tmp_path / "child.mp4"
    render_shot(request("p", ("push_in",), ImageKeyframe(path=key)), parent, burn_in=False)
    Image.new("RGB", (1280, 720), (200, 30, 30)).save(key)  # edited after the parent was rendered
    render_shot(request("c", ("pan_left",), GenerationKeyframe("p", clip=parent)), child, burn_in=False)
    join = np.abs(ffmpeg.frame_at(child, 0).astype(np.int16) - ffmpeg.frame_at(parent, -1)).mean()
    assert join < 2.5, "the extension goes on from its parent's last frame, not from the edited picture"
