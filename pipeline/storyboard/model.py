"""The storyboard format v1: pydantic models that refuse unknown keys and explain every refusal.

The models check each value on its own; checks.py then checks the storyboard as a whole (references,
files, what Luma refuses in combination) and load.py reports both in one pass with file positions.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .. import formats, providers
from . import camera
from .cuts import CutMode, Frames, Length, Snap

NONE = "none"  # `start: none`: a new chain from text alone
ProviderName = Literal[providers.NAMES]  # a tuple subscript: one literal per registered provider
PROVIDERS_SAID = "; ".join(f"{name} {spec.summary}" for name, spec in providers.PROVIDERS.items()) + "."
# What some provider offers; checks.check_offered then holds the chosen provider to its own capabilities.
_OFFERED = [m for spec in providers.PROVIDERS.values() for m in spec.capabilities.models.items()]
MODELS = tuple(dict.fromkeys(name for name, _ in _OFFERED))
RESOLUTIONS = tuple(r for r in formats.RESOLUTIONS if any(r in m.resolutions for _, m in _OFFERED))
DURATIONS_S = tuple(sorted({d for _, m in _OFFERED for d in m.durations_s}))
DURATIONS_SAID = ", ".join(f"{d}s" for d in DURATIONS_S[:-1]) + f" or {DURATIONS_S[-1]}s"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _duration(value: object) -> object:
    """'5s', 5, '10s', ... -> seconds; anything else is refused with the allowed values."""
    text = str(value).strip().lower() if isinstance(value, str | int) and not isinstance(value, bool) else None
    match = re.fullmatch(r"(\d+)\s*s?", text or "")
    if match and int(match[1]) in DURATIONS_S:
        return int(match[1])
    raise PydanticCustomError("pipeline", "{got} is not a duration any provider generates; use {allowed}",
                              {"got": repr(value), "allowed": DURATIONS_SAID})


def _aspect(value: object) -> object:
    # YAML 1.1 reads an unquoted 16:9 as the base-60 number 969; the intent is plain.
    sexagesimal = {int(a) * 60 + int(b): f"{a}:{b}" for a, b in (r.split(":") for r in formats.ASPECT_RATIOS)}
    if isinstance(value, int) and not isinstance(value, bool) and value in sexagesimal:
        return sexagesimal[value]
    return value


Duration = Annotated[Literal[DURATIONS_S], BeforeValidator(
    _duration, json_schema_input_type=Literal[(*(f"{d}s" for d in DURATIONS_S), *DURATIONS_S)])]
AspectRatio = Annotated[
    Literal["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21"],
    BeforeValidator(_aspect, json_schema_input_type=Literal[formats.ASPECT_RATIOS]),
]
Seconds = Annotated[float, Field(ge=0, le=3600)]
TTL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_URL_TTL_S = 7 * 86400  # SigV4's limit on a presigned URL


def _ttl(value: object) -> object:
    """'24h', '30m', '7d', '90s' or seconds -> seconds, from 1 s to 7 days."""
    text = str(value).strip().lower() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    match = re.fullmatch(r"(\d+)\s*([smhd]?)", text)
    seconds = int(match[1]) * TTL_UNITS[match[2] or "s"] if match else None
    if seconds is None or not 1 <= seconds <= MAX_URL_TTL_S:
        raise PydanticCustomError("pipeline", "{got} is not a URL lifetime; give one from 1s to 7d (e.g. 24h)",
                                  {"got": repr(value)})
    return seconds


UrlTTL = Annotated[int, BeforeValidator(_ttl, json_schema_input_type=str | int)]


def _known_concept(name: str) -> str:
    if camera.resolve(name) is None:
        hint = camera.suggest(name)
        todo = f"did you mean {hint}?" if hint else "`pipeline cameras` lists them all"
        raise PydanticCustomError("pipeline", "`{name}` is not a camera move Luma knows; {todo}",
                                  {"name": name, "todo": todo})
    return name


# The schema lists keys and aliases so editors complete them; validation also accepts phrases like "dolly in".
CameraMove = Annotated[str, AfterValidator(_known_concept),
                       WithJsonSchema({"type": "string", "enum": [*camera.CONCEPTS, *camera.ALIASES]})]


CameraMoves = CameraMove | list[CameraMove]


# Common languages by their two-letter code (ISO 639-1) and English name, for the hint when a caption_language
# is not a three-letter code.
LANGUAGES = {
    "en": ("english", "eng"), "fr": ("french", "fra"), "de": ("german", "deu"), "es": ("spanish", "spa"),
    "it": ("italian", "ita"), "pt": ("portuguese", "por"), "nl": ("dutch", "nld"), "sv": ("swedish", "swe"),
    "no": ("norwegian", "nor"), "da": ("danish", "dan"), "fi": ("finnish", "fin"), "pl": ("polish", "pol"),
    "ru": ("russian", "rus"), "uk": ("ukrainian", "ukr"), "el": ("greek", "ell"), "tr": ("turkish", "tur"),
    "ar": ("arabic", "ara"), "he": ("hebrew", "heb"), "hi": ("hindi", "hin"), "ja": ("japanese", "jpn"),
    "ko": ("korean", "kor"), "zh": ("chinese", "zho"), "vi": ("vietnamese", "vie"), "th": ("thai", "tha"),
    "id": ("indonesian", "ind"), "cs": ("czech", "ces"), "hu": ("hungarian", "hun"), "ro": ("romanian", "ron"),
}


def _language(value: object) -> object:
    """An ISO 639-2 code (three letters, lower case); a two-letter code or a name gets the code to write."""
    text = value.strip().lower() if isinstance(value, str) else None
    if text is not None and re.fullmatch(r"[a-z]{3}", text):
        return text
    found = next((code for short, (name, code) in LANGUAGES.items() if text in (short, name)), None)
    hint = f"`{found}`" if found else "e.g. `eng` for English, `fra` for French, `jpn` for Japanese"
    raise PydanticCustomError("pipeline", "{got} is not an ISO 639-2 language code (three letters); use {hint}",
                              {"got": repr(value), "hint": hint})


Language = Annotated[str, BeforeValidator(_language, json_schema_input_type=str)]


class ShotRef(Strict):
    """`{shot: ID}`: another shot's generation used as a keyframe."""

    shot: str = Field(description="The id of the shot whose generation this keyframe uses.")


def _image_ref(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        raise PydanticCustomError("pipeline", "is empty; give an image file, an https URL or {{shot: ID}}")
    return value


IMAGE_TAG, SHOT_TAG = "image", "{shot: ID}"  # union tags; diagnose.py drops them from error locations
Keyframe = Annotated[
    Annotated[str, Tag(IMAGE_TAG)] | Annotated[ShotRef, Tag(SHOT_TAG)],
    Discriminator(lambda v: SHOT_TAG if isinstance(v, dict | ShotRef) else IMAGE_TAG),
    BeforeValidator(_image_ref),
]


def _time(value: object) -> object:
    """'2.5s', '2.5 s' or 2.5 -> seconds: the storyboard's time syntax, as in `duration: 5s`."""
    text = str(value).strip().lower() if isinstance(value, str | int | float) and not isinstance(value, bool) else ""
    match = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)\s*s?", text)
    if match is None:
        raise PydanticCustomError("pipeline", "{got} is not a time; give seconds into the shot, e.g. 2.5s",
                                  {"got": repr(value)})
    return float(match[1])


def _pinned_image(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        raise PydanticCustomError("pipeline", "is empty; give an image file or an https URL")
    return value


Time = Annotated[float, BeforeValidator(_time, json_schema_input_type=str | float)]


class PinnedKeyframe(Strict):
    """An image the shot shows at one moment inside it (`keyframes:`), on the 24 fps frame grid."""

    at: Time = Field(description="Seconds into the shot, e.g. 2.5s: from 0 to the shot's duration, on a frame "
                                 "(a multiple of 1/24 s).")
    image: Annotated[str, BeforeValidator(_pinned_image)] = Field(
        description="An image file beside the storyboard or an https URL.")


class Transition(Strict):
    """How the cut enters this shot from the one before it."""

    type: Literal["cut", "dissolve", "fade"] = Field("cut", description="cut, dissolve, or fade through black")
    duration: float = Field(0.5, gt=0, le=5, description="Seconds the transition lasts (overlaps both shots).")


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _transition(value: object) -> object:
    return {"type": value} if isinstance(value, str) else value


class Audio(Strict):
    """One music bed laid over the whole cut."""

    path: str = Field(min_length=1, description="Audio file, relative to the storyboard.")
    volume: float = Field(1.0, ge=0, le=4, description="Gain: 1 keeps the file's level.")
    offset: Seconds = Field(0.0, description="Seconds into the file where the cut starts.")
    fade_in: Seconds = 0.0
    fade_out: Seconds = 0.0
    loudness: float | None = Field(None, ge=-70, le=-5, description="Target loudness, LUFS (EBU R128).")
    loop: bool = Field(True, description="A bed shorter than the cut starts again (true), or ends with its "
                       "fade_out, then silence (false).")


MAX_TAKES = 10
Takes = Annotated[int, Field(ge=1, le=MAX_TAKES)]


class Tier(Strict):
    """A quality to render at: a model and a resolution."""

    model: Literal[MODELS] | None = Field(None, description="The tier's model; default: the storyboard's.")
    resolution: Literal[RESOLUTIONS] | None = Field(None, description="The tier's resolution; default: the "
                                                    "storyboard's.")
    upscale: bool = Field(False, description="final only: upscale each approved shot's draft to `resolution` "
                          "(where the provider can) instead of generating it again; shots extending it stay.")


class Tiers(Strict):
    """`draft` renders every shot cheaply; `pipeline run --tier final` renders only approved shots at `final`."""

    draft: Tier = Field(default_factory=Tier, description="The cheap tier every shot starts at.")
    final: Tier = Field(default_factory=Tier, description="The tier approved shots go up to.")


class Shot(Strict):
    """One generation (or, with `clip:`, a piece of existing footage) in the cut."""

    id: str | None = Field(None, description="A name for the shot, safe as a file name; default shot-NN.")
    prompt: str | None = Field(None, description="What happens in the shot, 3..5000 characters.")
    camera: Annotated[list[CameraMove], BeforeValidator(_one_or_many, json_schema_input_type=CameraMoves)] = Field(
        default_factory=list, description="One Luma camera concept or a list (aliases like 'dolly in' work).")
    start: Keyframe | None = Field(
        None, description="Omitted: extend the previous shot. none: a new chain. An image: start from it. "
        "{shot: ID}: extend that shot.")
    end: Keyframe | None = Field(None, description="An end image, or {shot: ID} to lead into that shot.")
    keyframes: list[PinnedKeyframe] | None = Field(
        None, min_length=1, description="Images pinned inside the shot: [{at: 2.5s, image: FILE}, ...], where "
        "the provider's model can (not with start, end or loop).")
    duration: Duration | None = Field(None, description=f"{DURATIONS_SAID}, as the provider offers; default: "
                                      "the storyboard's duration.")
    loop: bool | None = Field(None, description="Make the shot loop seamlessly (not with an end keyframe).")
    transition: Annotated[Transition | None, BeforeValidator(
        _transition, json_schema_input_type=Literal["cut", "dissolve", "fade"] | Transition | None)] = None
    caption: str | None = Field(None, description="Subtitle cue and chapter title for this shot.")
    clip: str | None = Field(None, description="Existing footage to play as is instead of generating.")
    in_: Frames | None = Field(None, alias="in", description="Where in its clip the shot starts: `0.5s` or "
                               "`12f` (default: its first frame).")
    out: Frames | None = Field(None, description="Where in its clip the shot ends (default: the clip's end).")
    length: Length | None = Field(None, description="How long the shot plays from `in`: `3.5s`, `84f`, or "
                                  "`8 beats` of the music bed (not with `out`).")
    snap: Snap | None = Field(None, description="Move the cut at the shot's end to the nearest beat or downbeat "
                              "of the music bed its clip can reach.")
    takes: Takes | None = Field(None, description="How many takes to generate (each its own generation and "
                                "cost); default: the storyboard's takes. The first is picked unless told.")

    @field_validator("prompt")
    @classmethod
    def _prompt_length(cls, value: str | None) -> str | None:
        if value is not None and not 3 <= len(value.strip()) <= 5000:
            raise PydanticCustomError("pipeline", "is {n} characters; Luma accepts 3 to 5000",
                                      {"n": len(value.strip())})
        return value.strip() if value is not None else None

    @property
    def concepts(self) -> tuple[str, ...]:
        """The camera as Luma concept keys, aliases resolved, repeats dropped."""
        return tuple(dict.fromkeys(camera.resolve(name) for name in self.camera))


class Storyboard(Strict):
    """A film: settings shared by every shot, an optional music bed, and the shots in cut order."""

    title: str | None = Field(None, description="The film's title; default: the file's name.")
    provider: ProviderName = Field(providers.DEFAULT, description=PROVIDERS_SAID)
    model: Literal[MODELS] = Field("ray-2", description="The provider's model (ray-3.2 with luma-agents).")
    resolution: Literal[RESOLUTIONS] = Field("720p", description="One the provider offers for the model.")
    aspect_ratio: AspectRatio = "16:9"
    duration: Duration = Field(5, description=f"Default length of a shot: {DURATIONS_SAID}, as the provider offers.")
    loop: bool = False
    budget_usd: float | None = Field(None, gt=0, description="Refuse to start work estimated above this.")
    asset_base_url: str | None = Field(
        None, pattern=r"^https?://\S+$",
        description="Public URL of the storyboard's folder, so Luma can fetch local keyframe images.")
    assets: str | None = Field(
        None, pattern=r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/\S*)?$",
        description="An S3-compatible bucket, s3://BUCKET/PREFIX/, where local keyframes are published for "
                    "providers that read URLs (credentials and endpoint as boto3 finds them).")
    assets_url_ttl: UrlTTL = Field(86400, description="How long a presigned keyframe URL lasts: 1s to 7d.")
    assets_public_url: str | None = Field(
        None, pattern=r"^https?://\S+$",
        description="The public address of the `assets` bucket (a CDN or public bucket): URLs without signatures.")
    audio: Audio | None = None
    cut: CutMode = Field("shots", description="shots: each shot plays its length; beats: every cut moves to "
                         "the nearest beat of the music bed its clip can reach.")
    takes: Takes = Field(1, description="Takes per generated shot, unless a shot says otherwise.")
    tiers: Tiers | None = Field(None, description="Render tiers: draft for every shot, final only for approved "
                                "shots (`pipeline run --tier final`).")
    caption_language: Language = Field(
        "eng", description="The captions' language, an ISO 639-2 code (eng, fra, deu, jpn, ...): the cut's "
        "subtitle stream is tagged with it, so players offer it by its name.")
    shots: list[Shot] = Field(min_length=1)

    def shot_ids(self) -> list[str]:
        """Each shot's id, with shot-NN (1-based) for shots that have none."""
        return [s.id if s.id is not None else f"shot-{i:02d}" for i, s in enumerate(self.shots, 1)]
