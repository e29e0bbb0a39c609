"""A file ffmpeg cannot read gives a MediaError naming it, from every public function of ffmpeg.py and from
the assembly steps that read clips themselves, never a PyAV or OS error."""

from __future__ import annotations

import pytest

from pipeline import ffmpeg
from pipeline.assembly import gate, verify
from pipeline.errors import MediaError

from .test_assemble import clip


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """Garbage bytes; an MP4 cut off before its index (moov at the end); a sound file with no picture."""
    tmp_path = tmp_path_factory.mktemp("broken")
    whole = clip(tmp_path / "whole.mp4", frames=48)
    garbage, truncated, sound = tmp_path / "garbage.mp4", tmp_path / "truncated.mp4", tmp_path / "tone.wav"
    garbage.write_bytes(bytes(range(256)) * 40)
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    ffmpeg.run(["-f", "lavfi", "-i", "sine=duration=0.5", str(sound)], what="making a sound")
    return {"garbage": garbage, "truncated": truncated, "sound": sound, "missing": tmp_path / "none.mp4"}


READERS = {
    "probe": ffmpeg.probe, "count_frames": ffmpeg.count_frames, "frame_at": lambda p: ffmpeg.frame_at(p, 0),
    "planes_at": lambda p: ffmpeg.planes_at(p, -1), "packets_missing": lambda p: ffmpeg.packets_missing(p, "video"),
    "audio_channels": ffmpeg.audio_channels, "gate.inspect": gate.inspect,
    "verify": lambda p: verify.verify(p, 48, {0}, [(0, "only")], sound=False),
}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("kind", ["garbage", "truncated", "missing"])
def test_an_unreadable_file_is_a_media_error_naming_it(broken, reader, kind):
    with pytest.raises(MediaError, match=broken[kind].name) as caught:
        READERS[reader](broken[kind])
    assert "make or fetch it again" in str(caught.value)
    assert caught.value.__cause__ is not None  # the PyAV error kept for PIPELINE_DEBUG


@pytest.mark.parametrize("reader", ["count_frames", "frame_at", "planes_at", "gate.inspect", "verify"])
def test_a_file_without_picture_is_a_media_error_where_a_picture_is_needed(broken, reader):
    with pytest.raises(MediaError, match="tone.wav"):
        READERS[reader](broken["sound"])


def test_a_cut_truncated_after_its_index_fails_verification_naming_the_shortfall(tmp_path):
    whole = clip(tmp_path / "whole.mp4", frames=48, codec=["-c:v", "libx264", "-movflags", "+faststart"])
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    assert ffmpeg.count_frames(whole) == 48 and ffmpeg.frame_at(whole, -1).shape == (180, 320, 3)
    with pytest.raises(MediaError, match=r"the cut has \d+ frames, assembly planned 48"):
        verify.verify(truncated, 48, {0}, [(0, "only")], sound=False)
