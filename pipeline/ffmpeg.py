"""The one place that finds and runs ffmpeg, and probes and decodes media (PyAV).

Every public function here raises MediaError, naming the file and what went wrong (with ffmpeg's stderr
where there is one), never a PyAV or OS error: callers handle one kind of failure. Code elsewhere that needs
PyAV's packets or frames opens the file with `opened`, which translates the same way.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .errors import MediaError, PipelineError
from .files import disk_error_in

if TYPE_CHECKING:
    import av
    import numpy as np

# PyAV and numpy are imported by the functions that use them: `validate` and `plan` of a text storyboard
# never open a media file, and importing both is most of their start-up.
IMAGE_CODECS = {"png", "mjpeg", "webp", "bmp", "tiff", "gif", "jpegxl", "jpeg2000"}


@functools.cache
def executable() -> str:
    """ffmpeg from PATH, else the static build that ships in the imageio-ffmpeg wheel."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run(args: list[str], *, what: str, input_bytes: bytes | None = None) -> None:
    """Run ffmpeg with `args`; raise MediaError carrying its stderr if it fails."""
    cmd = [executable(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]
    if input_bytes is not None:
        cmd.remove("-nostdin")
    try:
        done = subprocess.run(cmd, input=input_bytes, capture_output=True)
    except OSError as exc:
        raise MediaError(f"{what}: could not start ffmpeg ({exc})") from exc
    if done.returncode != 0:
        raise _failed(what, done.returncode, done.stderr.decode(errors="replace"), cmd)


def _failed(what: str, code: int, log: str, cmd: list[str]) -> PipelineError:
    """ffmpeg's failure; a full or read-only disk is said as such, naming the output (ffmpeg's last argument)."""
    return disk_error_in(log, Path(cmd[-1])) or MediaError(f"{what}: ffmpeg exited with status {code}", log)


@dataclass(frozen=True)
class MediaInfo:
    """What a probe found in a file. kind is 'image', 'video' or 'audio'."""

    kind: str
    format_name: str
    duration_s: float
    video_codec: str | None = None
    width: int = 0
    height: int = 0
    pix_fmt: str | None = None
    fps: Fraction | None = None
    time_base: Fraction | None = None
    frames: int = 0
    audio_codec: str | None = None
    sample_rate: int = 0

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None


def __getattr__(name: str):
    if name == "DECODER_VERSION":  # pictures decoded by another PyAV (and its FFmpeg) may differ
        import av

        return av.__version__
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _read_errors() -> tuple[type[BaseException], ...]:
    import av

    return (av.FFmpegError, OSError, UnicodeDecodeError, ValueError, StopIteration)  # what PyAV raises


@contextlib.contextmanager
def opened(path: str | Path, doing: str = "read") -> Iterator[av.container.InputContainer]:
    """`path` open in PyAV; a PyAV error anywhere in the block (opening, demuxing, decoding) becomes a
    MediaError saying what could not be done with which file."""
    import av

    try:
        with av.open(str(path)) as box:
            yield box
    except _read_errors() as exc:
        log = getattr(exc, "log", None)  # (level, component, message) when PyAV captured FFmpeg's log
        raise MediaError(f"{path}: ffmpeg cannot {doing} it ({exc}); check that it is a complete media file, "
                         "or make or fetch it again", log[2] if log else "") from exc


def video_stream(box, path: str | Path):
    """The first video stream of an open file; MediaError when it has none."""
    if not box.streams.video:
        raise MediaError(f"{path}: has no video stream; give a video file")
    return box.streams.video[0]


def probe(path: str | Path) -> MediaInfo:
    """Open `path` with FFmpeg's demuxers and describe it; MediaError if it is not media ffmpeg reads."""
    with opened(path) as box:
        return describe(box)


def describe(box) -> MediaInfo:
    """What `probe` says about a container open with `opened` (saves opening a file twice)."""
    import av

    video = next((s for s in box.streams.video if not _attached_picture(s)), None)
    audio = next(iter(box.streams.audio), None)
    duration = float(box.duration / av.time_base) if box.duration else 0.0
    fields = {"format_name": box.format.name, "duration_s": duration}
    if audio is not None:
        fields |= {"audio_codec": audio.codec_context.name, "sample_rate": audio.codec_context.sample_rate}
    if video is None:
        if audio is None:
            raise MediaError(f"{box.name}: has no video or audio stream; give a media file")
        return MediaInfo(kind="audio", **fields)
    ctx = video.codec_context
    is_image = ctx.name in IMAGE_CODECS and (video.frames <= 1) and duration < 0.1
    if is_image:
        next(box.decode(video))  # the image2 demuxer trusts the file name; decoding proves the content
    if video.duration and video.time_base:
        fields["duration_s"] = float(video.duration * video.time_base)
    return MediaInfo(
        kind="image" if is_image else "video", video_codec=ctx.name, width=ctx.width, height=ctx.height,
        pix_fmt=ctx.pix_fmt, fps=video.average_rate, time_base=video.time_base,
        frames=video.frames or 0, **fields,
    )


def _attached_picture(stream) -> bool:
    import av

    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def packets_missing(path: str | Path, kind: str) -> tuple[int, int]:
    """(whole packets found, packets the container's index lists) in the first `kind` ('video' or 'audio')
    stream; fewer found than listed means the file was cut short. A packet whose bytes stop early (a short
    read at the end of the file) is not whole. Listed is 0 when the container keeps no count."""
    with opened(path, f"read the {kind} packets of") as box:
        return _counted(box, [kind]).get(kind, (0, 0))


def examined(path: str | Path) -> tuple[MediaInfo, dict[str, tuple[int, int]]]:
    """probe and packets_missing of every kind the file holds ('video', 'audio'), from one opening and one
    demux of the file: what a storyboard's checks learn of a clip or a sound at first sight. A demux that
    fails part way counts the file as cut short there."""
    with opened(path) as box:
        info = describe(box)
        return info, ({} if info.kind == "image" else _counted(box, ["video", "audio"], cut_short=True))


def _counted(box, kinds: list[str], *, cut_short: bool = False) -> dict[str, tuple[int, int]]:
    """(found, listed) of the first stream of each kind the open file has, its packets read in one pass;
    cut_short: a read error ends the count (listed then exceeds found) instead of raising."""
    firsts = {kind: next((s for s in (box.streams.video if kind == "video" else box.streams.audio)
                          if not _attached_picture(s)), None) for kind in kinds}
    streams = {s.index: kind for kind, s in firsts.items() if s is not None}
    found = dict.fromkeys(streams.values(), 0)
    broken = False
    try:
        for p in box.demux([firsts[kind] for kind in streams.values()]) if streams else ():
            if p.stream.index in streams and (p.size or p.pts is not None) and not p.is_corrupt:
                found[streams[p.stream.index]] += 1
    except _read_errors():
        if not cut_short:
            raise
        broken = True
    return {kind: (n, max(firsts[kind].frames or 0, n + broken)) for kind, n in found.items()}


def count_frames(path: str | Path) -> int:
    """Frames in the first video stream, counted by demuxing packets (exact, without decoding)."""
    with opened(path, "count the frames of") as box:
        stream = video_stream(box, path)
        return sum(1 for p in box.demux(stream) if p.size)


def frame_at(path: str | Path, index: int) -> np.ndarray:
    """One decoded frame as an RGB array; index -1 is the exact last frame (not the -sseof guess)."""
    return _decoded_at(path, index, lambda frame: frame.to_ndarray(format="rgb24"))


def planes_at(path: str | Path, index: int) -> list[np.ndarray] | None:
    """One decoded frame's Y, Cb, Cr planes as stored, if it is limited-range BT.601 yuv420p (else None).

    Reusing a frame this way converts nothing: an RGB round trip through swscale loses about half a level
    a pass (it truncates), which darkens a chain of extensions visibly within a few shots.
    """
    return _decoded_at(path, index, _bt601_planes)


def _bt601_planes(frame) -> list[np.ndarray] | None:
    if frame.format.name != "yuv420p" or frame.colorspace not in (2, 5, 6) or frame.color_range == 2:
        return None  # 2 5 6: unspecified, BT.470BG, SMPTE 170M; color_range 2 is full (JPEG) range
    flat, (w, h) = frame.to_ndarray().ravel(), (frame.width, frame.height)
    cut = (0, w * h, w * h + (w // 2) * (h // 2), w * h + 2 * (w // 2) * (h // 2))
    shapes = ((h, w), (h // 2, w // 2), (h // 2, w // 2))
    return [flat[a:b].reshape(shape) for a, b, shape in zip(cut[:-1], cut[1:], shapes, strict=True)]


def _decoded_at(path: str | Path, index: int, convert):
    with opened(path, f"decode frame {index} of") as box:
        stream = video_stream(box, path)
        stream.thread_type = "AUTO"
        last = None
        for i, frame in enumerate(box.decode(stream)):
            if i == index:
                return convert(frame)
            last = frame
        if index == -1 and last is not None:
            return convert(last)
    raise MediaError(f"{path}: has no frame {index}")


@contextlib.contextmanager
def encoder(args: list[str], *, what: str) -> Iterator[IO[bytes]]:
    """Run ffmpeg fed through its stdin (`args` read `-i -`) and yield that pipe to write frames into.

    Leaving the block closes the pipe and waits; MediaError carries ffmpeg's stderr if it failed. stderr
    goes to a temp file rather than a pipe so a chatty ffmpeg can never block while we are writing.
    """
    cmd = [executable(), "-hide_banner", "-loglevel", "error", "-y", *args]
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
        except OSError as exc:
            raise MediaError(f"{what}: could not start ffmpeg ({exc})") from exc
        try:
            yield proc.stdin
            proc.stdin.close()
            broken = False
        except BrokenPipeError:
            broken = True  # ffmpeg stopped reading; its status and stderr below say why
            with contextlib.suppress(OSError):
                proc.stdin.close()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        code = proc.wait()
        if code != 0 or broken:
            err.seek(0)
            raise _failed(what, code, err.read().decode(errors="replace"), cmd)


def output_chunks(args: list[str], *, what: str, chunk: int = 1 << 20) -> Iterator[list[bytes]]:
    """Run ffmpeg with `args` (writing to `-`) and yield its stdout as lists of whole lines, about `chunk`
    bytes at a time, so a long output is never held whole; MediaError with its stderr if it fails."""
    cmd = [executable(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err)
        except OSError as exc:
            raise MediaError(f"{what}: could not start ffmpeg ({exc})") from exc
        try:
            while lines := proc.stdout.readlines(chunk):
                yield lines
        except BaseException:  # the reader stopped early (or failed): ffmpeg is not left writing
            proc.kill()
            proc.wait()
            raise
        finally:
            proc.stdout.close()
        code = proc.wait()
        if code != 0:
            err.seek(0)
            raise _failed(what, code, err.read().decode(errors="replace"), cmd)


def run_for_log(args: list[str], *, what: str) -> str:
    """Run ffmpeg like `run`, at log level info, and return what it wrote to stderr (filters report there)."""
    cmd = [executable(), "-nostdin", "-hide_banner", "-nostats", "-loglevel", "info", "-y", *args]
    try:
        done = subprocess.run(cmd, capture_output=True)
    except OSError as exc:
        raise MediaError(f"{what}: could not start ffmpeg ({exc})") from exc
    log = done.stderr.decode(errors="replace")
    if done.returncode != 0:
        raise _failed(what, done.returncode, log, cmd)
    return log


def audio_channels(path: str | Path) -> int:
    """Channels of the first audio stream (0 when there is none)."""
    with opened(path, "read the sound of") as box:
        return next((s.codec_context.channels for s in box.streams.audio), 0)


def mono_samples(path: str | Path, rate: int) -> np.ndarray:
    """The first audio stream of `path` decoded, mixed to one channel and resampled to `rate`, as float32."""
    cmd = [executable(), "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(path), "-map", "0:a:0",
           "-ac", "1", "-ar", str(rate), "-f", "f32le", "pipe:1"]
    try:
        done = subprocess.run(cmd, capture_output=True)
    except OSError as exc:
        raise MediaError(f"reading the sound of {path}: could not start ffmpeg ({exc})") from exc
    if done.returncode != 0:
        raise _failed(f"reading the sound of {path}", done.returncode, done.stderr.decode(errors="replace"), cmd)
    import numpy as np

    return np.frombuffer(done.stdout, dtype="<f4")
