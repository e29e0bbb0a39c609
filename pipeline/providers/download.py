"""Streamed downloads that land whole or not at all.

A download streams into a temp file beside its destination, is verified (a video must probe complete, with
the frame count expected of it), and only then is renamed into place: a crash or a truncated transfer never
leaves a file that looks finished. A transfer that fails or does not verify is fetched again, a bounded
number of times. Asset URLs are fetched without credentials: they live on a CDN, not behind the API key.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import httpx
import stamina

from .. import ffmpeg
from ..errors import MediaError, ProviderError
from ..files import atomic_path, make_folder

T = TypeVar("T")
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class _BadStatus(Exception):
    def __init__(self, status: int):
        self.status = status
        super().__init__(f"HTTP {status}")


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, _BadStatus):
        return exc.status in RETRY_STATUSES
    return isinstance(exc, (MediaError, *TRANSPORT_ERRORS))


def shown(url: str) -> str:
    """The URL without its query string, which may carry a signature that does not belong in messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


async def download(url: str, dest: Path, *, verify: Callable[[Path], T], client: httpx.AsyncClient | None = None,
                   attempts: int = 3, what: str = "download") -> T:
    """Stream `url` to `dest` through a verified temp file; return what `verify(temp_path)` returned."""
    dest = Path(dest)
    make_folder(dest.parent)
    async with contextlib.AsyncExitStack() as stack:
        if client is None:
            client = await stack.enter_async_context(
                httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0), follow_redirects=True))
        try:
            async for attempt in stamina.retry_context(on=_retryable, attempts=attempts, timeout=None,
                                                       wait_initial=0.5, wait_max=5.0):
                with attempt:
                    return await _attempt(client, url, dest, verify)
        except (MediaError, _BadStatus, *TRANSPORT_ERRORS) as exc:
            raise _final_error(exc, url, what, attempts) from exc
    raise AssertionError("unreachable: the retry loop returns or raises")


async def _attempt(client: httpx.AsyncClient, url: str, dest: Path, verify: Callable[[Path], T]) -> T:
    with atomic_path(dest) as temp:  # renamed into place only once verified
        await _stream(client, url, temp)
        return await asyncio.to_thread(verify, temp)


async def _stream(client: httpx.AsyncClient, url: str, temp: Path) -> None:
    async with client.stream("GET", url) as response:
        if not response.is_success:
            raise _BadStatus(response.status_code)
        with temp.open("wb") as out:
            async for chunk in response.aiter_bytes():
                out.write(chunk)
        encoded = response.headers.get("content-encoding", "identity") != "identity"
        expected = None if encoded else response.headers.get("content-length")
    if expected is not None and temp.stat().st_size != int(expected):
        raise MediaError(f"the transfer stopped after {temp.stat().st_size} of {expected} bytes")


def _final_error(exc: Exception, url: str, what: str, attempts: int) -> MediaError | ProviderError:
    if isinstance(exc, MediaError):
        return MediaError(f"{what} from {shown(url)} was incomplete or unreadable after {attempts} "
                          f"attempt(s): {exc}")
    if isinstance(exc, _BadStatus):
        return ProviderError(f"could not download the {what} from {shown(url)}: HTTP {exc.status}",
                             retryable=exc.status in RETRY_STATUSES)
    return ProviderError(f"could not download the {what} from {shown(url)} after {attempts} attempt(s) "
                         f"({type(exc).__name__}): check the network", retryable=True)


def http_status(error: Exception) -> int | None:
    """The HTTP status a download's ProviderError was raised for (e.g. 403 for an expired signed URL), or None."""
    cause = error.__cause__
    return cause.status if isinstance(cause, _BadStatus) else None


def check_video(path: Path, expected_frames: int | None = None, *, at_least: bool = False,
                tolerance: int = 1) -> ffmpeg.MediaInfo:
    """Probe `path` as a complete video; frames are counted by demuxing (a cut-off file has fewer packets
    than its index promises). With `at_least`, a longer video passes (e.g. an extension holding its parent).
    """
    info = ffmpeg.probe(path)
    if info.kind != "video":
        raise MediaError(f"{path.name}: expected a video, found {info.kind}")
    frames, listed = ffmpeg.packets_missing(path, "video")
    if listed and frames != listed:
        raise MediaError(f"{path.name}: cut short: {frames} whole frames of the {listed} it indexes are present")
    if expected_frames is not None:
        short = frames < expected_frames - tolerance
        if short or (not at_least and frames > expected_frames + tolerance):
            raise MediaError(f"{path.name}: {frames} frames, expected {'at least ' if at_least else ''}"
                             f"{expected_frames}")
    return replace(info, frames=frames)


def check_image(path: Path) -> ffmpeg.MediaInfo:
    info = ffmpeg.probe(path)
    if info.kind != "image":
        raise MediaError(f"{path.name}: expected an image, found {info.kind}")
    return info


async def fetch_video(url: str, dest: Path, *, expected_frames: int | None = None, at_least: bool = False,
                      tolerance: int = 1, client: httpx.AsyncClient | None = None,
                      attempts: int = 3) -> ffmpeg.MediaInfo:
    """Download a video to `dest`, verified complete; its MediaInfo carries the counted frames."""
    return await download(url, dest, client=client, attempts=attempts, what="video",
                          verify=lambda p: check_video(p, expected_frames, at_least=at_least,
                                                       tolerance=tolerance))


async def fetch_image(url: str, dest: Path, *, client: httpx.AsyncClient | None = None,
                      attempts: int = 3) -> ffmpeg.MediaInfo:
    """Download a still image (e.g. a keyframe) to `dest`, verified decodable."""
    return await download(url, dest, client=client, attempts=attempts, what="image", verify=check_image)
