"""What a provider can do, declared once per provider class, so that nothing outside providers/ needs its name.

Validation asks `images` whether a local keyframe needs a public URL, planning asks the prices, the engine asks
`remote` and the poll floor, the CLI asks the default limits. A provider declares one `ModelCapabilities` per
model it offers inside its `Capabilities`:

    Capabilities(paid=True, remote=True, images=frozenset({ImageInput.PUBLIC_URL}), lists_jobs=True,
                 models={"ray-2": ModelCapabilities(resolutions=("720p",), prices={"720p": 0.08}, ...)}, ...)
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .. import formats

NEVER_EXPIRES = math.inf  # result_url_ttl_s of a provider whose results are made on demand


class ImageInput(StrEnum):
    """How a keyframe image reaches the provider."""

    PUBLIC_URL = "public_url"  # the provider fetches it from a URL anyone can read
    INLINE = "inline"  # sent inside the request (base64)
    UPLOAD = "upload"  # uploaded to the provider's own file store first
    LOCAL_FILE = "local_file"  # read from this machine's disk (an offline provider)


@dataclass(frozen=True)
class ModelCapabilities:
    """One model: what a request to it may ask for, and what a second of its video costs."""

    resolutions: tuple[str, ...] = tuple(formats.RESOLUTIONS)
    durations_s: tuple[int, ...] = formats.DURATIONS_S
    aspect_ratios: tuple[str, ...] = formats.ASPECT_RATIOS
    end_frame: bool = True  # an end keyframe image
    loop: bool = True
    concepts: bool = True  # camera concepts
    extend_forward: bool = True  # start = another generation's id (continue after it)
    extend_backward: bool = False  # end = another generation's id (lead up to it)
    interpolate: bool = False  # both ends generations
    framed_durations_s: tuple[int, ...] | None = None  # with a keyframe, an extension or a loop; None: any
    pinned_keyframes: int = 0  # most images pinned to frames inside one shot (`keyframes:`); 0: none
    prices: Mapping[str, float] = field(default_factory=dict)  # resolution -> USD per second; empty if free


@dataclass(frozen=True)
class Capabilities:
    """A provider as a whole: cost, where it runs, how it takes images, and the limits it is run within."""

    paid: bool
    remote: bool  # generates elsewhere and its results are downloaded (else rendered on this machine)
    models: Mapping[str, ModelCapabilities]
    images: frozenset[ImageInput]
    lists_jobs: bool  # can list recent jobs, so an ambiguous create is recovered instead of paid again
    min_poll_s: float = 0.0  # never ask for a job's status more often than this
    result_url_ttl_s: float | None = None  # how long a result URL lives; inf: never expires; None: not published
    concurrency: int = 2  # default jobs at once
    creates_per_minute: float | None = None  # default rate limit; None: none
    render_options: tuple[str, ...] = ()  # run options that change the pixels, hence part of each shot's key
    # An extension's first frame may show its parent's last picture again: assembly looks for the repeat at
    # each join and trims it. False: it never does (its frame 0 is the next moment), so nothing is trimmed.
    repeats_join_frame: bool = True
    # The version of a renderer that runs here: part of each shot's key, so a changed renderer's clips are
    # never mixed with the old one's. Only for a free provider: a paid provider's keys never change under it.
    renderer_version: int | None = None
    upscales: bool = False  # can make a finished generation larger (a final tier that upscales the draft)

    @property
    def needs_public_urls(self) -> bool:
        """True when a local keyframe file reaches this provider only through a public URL (never for a
        provider that takes no image at all: validation refuses keyframes there)."""
        return bool(self.images) and not self.images & {ImageInput.INLINE, ImageInput.UPLOAD, ImageInput.LOCAL_FILE}

    def offers(self, model: str, resolution: str) -> bool:
        return model in self.models and resolution in self.models[model].resolutions

    def cost_usd(self, model: str, resolution: str, seconds: float) -> float:
        """Estimated cost of `seconds` of video; 0 when free; KeyError when no price is listed."""
        if not self.paid:
            return 0.0
        return round(self.models[model].prices[resolution] * seconds, 4)



@dataclass(frozen=True)
class ProviderSpec:
    """A provider as the registry lists it: its name, words for people, capabilities, and where its class is
    (imported only when a run needs it, so that validating and planning never load an HTTP client)."""

    name: str
    title: str  # in sentences: "Luma", "the animatic"
    summary: str  # in the schema's description of `provider:`
    capabilities: Capabilities
    implementation: str  # "package.module:Class"

    def load(self) -> type:
        module, _, cls = self.implementation.partition(":")
        return getattr(importlib.import_module(module), cls)
