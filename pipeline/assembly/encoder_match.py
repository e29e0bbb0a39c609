"""x264 set up so that its pieces decode inside a stream-copied cut.

A joined MP4 carries one set of parameter sets (the first clip's SPS/PPS), so a re-encoded piece must write
the same bytes there: same entropy coder, reference count, B-frames, weighted prediction, GOP length (frame
numbering), quantiser base, level, colour and timing. x264 writes its settings into every stream it makes,
so the reference clip says how it was made; the settings that shape those headers are copied from it and
the rest (motion search, rate control inside the piece) are ours. The result is checked, never assumed:
a piece whose parameter sets differ raises EncoderMismatch and the cut is re-encoded whole instead.
"""

from __future__ import annotations

from ..errors import MediaError
from .gate import ClipFacts

BASE_PRESET = "veryfast"  # the piece's own speed/quality trade; header-shaping options override it
PIECE_QUALITY = 6  # piece frames are quantised this much finer than the clip's CRF (a re-encode loses less)
HOUSE = {"c:v": "libx264", "preset": "veryfast", "crf": "18", "g": "48", "pix_fmt": "yuv420p",
         "colorspace": "smpte170m", "color_primaries": "smpte170m", "color_trc": "smpte170m",
         "color_range": "tv"}  # the whole cut re-encoded: one encoding for every piece, a key frame each 2 s
COPIED = {"cabac", "ref", "8x8dct", "chroma_qp_offset", "bframes", "weightb", "open_gop", "weightp", "keyint",
          "bluray_compat", "constrained_intra", "stitchable", "intra_refresh", "slices", "sliced_threads",
          "crf", "crf_max", "qp", "bitrate", "vbv_maxrate", "vbv_bufsize", "nal_hrd", "filler"}
PYRAMID = {"0": "none", "1": "strict", "2": "normal"}


class EncoderMismatch(MediaError):
    """A re-encoded piece's parameter sets differ from the reference's: it cannot be copied next to it."""


def x264_params(encoder: str) -> list[str] | None:
    """x264-params reproducing what shapes the headers of a stream made with `encoder`; None if we cannot."""
    options = dict(item.partition("=")[::2] for item in encoder.split())
    if not options or options.get("cqm", "0") not in ("0", "1") or options.get("interlaced", "0") != "0":
        return None
    params = [f"{key.replace('_', '-')}={value}" for key, value in options.items() if key in COPIED]
    params.append("cqm=" + ("flat" if options.get("cqm", "0") == "0" else "jvt"))
    params.append("psy=0")  # psy shifts the chroma QP offset in the PPS; the clip's final offset is copied
    deblock = options.get("deblock", "1:0:0").split(":")
    params.append("no-deblock=1" if deblock[0] == "0" else f"deblock={deblock[1]},{deblock[2]}")
    if "b_pyramid" in options:
        params.append(f"b-pyramid={PYRAMID.get(options['b_pyramid'], options['b_pyramid'])}")
    if "crf" in options:  # the CRF sets the PPS's base QP; a zone quantises the piece finer all the same
        params.append(f"zones=0,9999999,q={max(1, int(float(options['crf'])) - PIECE_QUALITY)}")
    return params


def matching(ref: ClipFacts) -> dict[str, str] | None:
    """ffmpeg output options (name without the dash -> value) that make pieces interchangeable with `ref`'s
    packets, or None."""
    params = x264_params(ref.encoder) if ref.encoder else None
    if params is None or len(ref.extradata) < 4:
        return None
    params.append(f"level={ref.extradata[3] / 10:g}")  # avcC: version, profile, compatibility, level
    primaries, transfer, matrix, colour_range = ref.colour
    return {"c:v": "libx264", "preset": BASE_PRESET, "x264-params": ":".join(params), "pix_fmt": "yuv420p",
            "color_primaries": str(primaries), "color_trc": str(transfer), "colorspace": str(matrix),
            "color_range": str(colour_range)}


def check_piece(piece: ClipFacts, ref: ClipFacts, what: str) -> None:
    """Raise EncoderMismatch unless `piece` can share a stream with `ref`."""
    if piece.family != ref.family:
        raise EncoderMismatch(f"{what}: its parameter sets differ from {ref.path.name}'s")
