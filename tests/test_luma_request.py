"""Pure request building: keyframe URLs, the create body, and matching Luma's echo of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.assets import AssetError
from pipeline.assets.base_url import BaseUrlStore
from pipeline.errors import PipelineError
from pipeline.providers.base import GenerationKeyframe, ImageKeyframe, ShotRequest
from pipeline.providers.luma import KeyframeURLError, keyframe_url
from pipeline.providers.luma.request import matches, request_body


def shot(**kwargs) -> ShotRequest:
    fields = {"shot_id": "s1", "key": "k", "model": "ray-2", "resolution": "720p", "aspect_ratio": "16:9",
              "duration_s": 5, "prompt": "a lighthouse in a storm"}
    return ShotRequest(**{**fields, **kwargs})


def test_a_url_keyframe_is_used_as_is():
    frame = ImageKeyframe(path=Path("ignored.png"), url="https://cdn.example.com/a.png?sig=1")
    assert keyframe_url(frame) == "https://cdn.example.com/a.png?sig=1"


def test_a_local_keyframe_is_published_under_the_asset_base(tmp_path):
    store = BaseUrlStore("https://cdn.example.com/board/", tmp_path)
    url = store.publish(tmp_path / "key frames" / "pad #1.png").url
    assert url == "https://cdn.example.com/board/key%20frames/pad%20%231.png"
    relative = BaseUrlStore("https://cdn.example.com/b", tmp_path).publish(Path("frames/pad.png")).url
    assert relative == "https://cdn.example.com/b/frames/pad.png"


def test_a_local_keyframe_without_a_url_is_refused(tmp_path):
    with pytest.raises(KeyframeURLError) as caught:
        keyframe_url(ImageKeyframe(path=tmp_path / "pad.png"))
    assert isinstance(caught.value, PipelineError)
    assert str(caught.value) == (
        f"keyframe {tmp_path / 'pad.png'} is a local file, but Luma can only read keyframes from public URLs: set "
        "`assets: s3://BUCKET/PREFIX/` to publish it to a bucket, or `asset_base_url` to the public address of "
        "the storyboard's folder (or give the keyframe as an https URL)")


def test_a_keyframe_outside_the_storyboard_folder_cannot_be_published(tmp_path):
    with pytest.raises(AssetError, match="is outside the storyboard folder"):
        BaseUrlStore("https://cdn.example.com", tmp_path / "board").publish(Path("../elsewhere.png"))


def test_a_presigned_url_matches_its_echo_signed_again():
    signed = "https://bucket.example.com/p/sha256/ab/abcd.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature="
    one = shot(start=ImageKeyframe(url=signed + "1111"))
    again = {"request": request_body(shot(start=ImageKeyframe(url=signed + "2222")))}
    other = {"request": request_body(shot(start=ImageKeyframe(url=signed.replace("abcd", "ef01") + "2222")))}
    assert matches(request_body(one), again)
    assert not matches(request_body(one), other)


def test_the_body_of_a_text_to_video_shot():
    body = request_body(shot(concepts=("push_in", "handheld"), loop=True, duration_s=9))
    assert body == {"generation_type": "video", "model": "ray-2", "prompt": "a lighthouse in a storm",
                    "aspect_ratio": "16:9", "resolution": "720p", "duration": "9s", "loop": True,
                    "concepts": [{"key": "push_in"}, {"key": "handheld"}]}


def test_the_body_of_an_extension_to_an_end_image_and_a_reverse_extension():
    extension = shot(start=GenerationKeyframe("s0", job_id="g0"),
                     end=ImageKeyframe(url="https://cdn.example.com/end.png"))
    assert request_body(extension)["keyframes"] == {
        "frame0": {"type": "generation", "id": "g0"},
        "frame1": {"type": "image", "url": "https://cdn.example.com/end.png"}}
    reverse = shot(end=GenerationKeyframe("s2", job_id="g2"))
    assert request_body(reverse)["keyframes"] == {"frame1": {"type": "generation", "id": "g2"}}


def test_extending_a_shot_that_has_no_generation_yet_is_an_error():
    with pytest.raises(PipelineError, match="shot s1: the shot it continues \\(s0\\) has no Luma generation"):
        request_body(shot(start=GenerationKeyframe("s0")))


def test_the_echo_with_nulls_matches_the_body():
    body = request_body(shot())
    echo = {"generation_type": "video", "prompt": "a lighthouse in a storm", "aspect_ratio": "16:9",
            "loop": False, "keyframes": None, "callback_url": None, "model": "ray-2", "resolution": "720p",
            "duration": "5s", "concepts": None}
    assert matches(body, {"request": echo})
    assert not matches(body, {"request": {**echo, "duration": "9s"}})
    assert not matches(body, {"request": {**echo, "concepts": [{"key": "pan_left"}]}})
    assert not matches(body, {"request": None})


requests = st.builds(
    shot, prompt=st.text(min_size=3, max_size=40), model=st.sampled_from(["ray-2", "ray-flash-2"]),
    duration_s=st.sampled_from([5, 9]), loop=st.booleans(),
    concepts=st.lists(st.sampled_from(["pan_left", "push_in", "static"]), unique=True, max_size=2)
    .map(sorted).map(tuple),
    start=st.one_of(st.none(), st.builds(GenerationKeyframe, st.just("p"), job_id=st.uuids().map(str))))


@given(requests, requests)
def test_a_body_matches_its_own_echo_and_only_equal_requests(one, other):
    echo_of_one = {"request": {"callback_url": None, **request_body(one)}}
    assert matches(request_body(one), echo_of_one)
    assert matches(request_body(other), echo_of_one) == (request_body(other) == request_body(one))
