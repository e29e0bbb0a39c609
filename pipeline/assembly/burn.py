"""Captions burnt into the picture, for platforms that show no subtitle stream.

The cut's video is re-encoded once, whole, through ffmpeg's subtitles filter (libass) from the same SRT as
final.srt; the sound and the chapters are copied, every frame keeps its timestamp. The burnt cut has no
subtitle stream (players would show the captions twice); final.srt stays beside it. This costs a full
re-encode (a few times realtime, against the copy's hundreds), so it is never the default.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from PIL import ImageFont

from .. import ffmpeg
from ..files import atomic_path, temp_folder, write_atomic
from . import caption_text, captions, gate, reuse, verify
from .encoder_match import HOUSE
from .report import AssemblyReport

FONT = "Aileron"  # the animatic's own face (Pillow's built-in font), so burnt captions look like its slates
SCRIPT_W, SCRIPT_H = 384, 288  # the script space libass is given for SRT (FFmpeg's default ASS header)
FONT_SIZE, MARGIN = 18, 16  # in that space: the size (scaled by the frame's height), side margins (by its width)
STYLE = f"FontName=Aileron,FontSize={FONT_SIZE},PrimaryColour=&H00FFFFFF,OutlineColour=&H80000000,BorderStyle=1," \
        f"Outline=1.5,Shadow=0,MarginV=24,MarginL={MARGIN},MarginR={MARGIN}"  # size: about 6% of the height
FILL = 0.9  # of the width between the margins a line may take: libass's hinting differs from Pillow's a little
QUALITY = {key: HOUSE[key] for key in ("c:v", "preset", "crf", "pix_fmt")}  # as a whole-cut re-encode


def burn_captions(report: AssemblyReport) -> AssemblyReport:
    """Rewrite report.cut with its captions in the picture and assembly.json to say so; return the report
    as it now is (with a warning naming characters no font could draw). A cut without captions is left as it is.

    assembly.json is written after the burnt cut is in place, with that cut's own (size, mtime_ns) (assembly.reuse):
    stopped between the two, the record still names the cut that was replaced, so the next run makes it again."""
    if not report.cues:
        return report
    started = time.perf_counter()
    facts = gate.inspect(report.cut)
    cues, missing = _drawn_cues(report.cues, facts.info.width, facts.info.height)
    with temp_folder(report.cut.parent) as work:
        srt, fonts = work / "captions.srt", work / "fonts"
        srt.write_text(captions.srt(cues), encoding="utf-8")
        fonts.mkdir()
        (fonts / f"{FONT}.ttf").write_bytes(ImageFont.load_default(size=10).font_bytes)
        with atomic_path(report.cut) as tmp:
            ffmpeg.run(_args(report.cut, _filter(srt, fonts), facts, tmp), what="burning the captions into the cut")
            verify.verify(tmp, report.runtime_frames, None, [(s.start_frame, s.id) for s in report.shots],
                          sound=facts.info.has_audio)
    said = (f"the captions hold characters no font here can draw ({' '.join(missing)}); they are burnt in as "
            f"{captions.UNDRAWABLE}: install a font that has them (e.g. Noto), or rewrite those captions",)
    said = said if missing else ()
    burnt = dataclasses.replace(report, copied_frames=0, reencoded_frames=report.runtime_frames,
                                burnt_captions=True, warnings=(*report.warnings, *said), reused=False,
                                seconds=report.seconds + time.perf_counter() - started)
    burnt = dataclasses.replace(burnt, inputs=reuse.written(report.inputs or {}, burnt))
    write_atomic(burnt.report, burnt.to_bytes())
    return burnt


def _drawn_cues(cues, width: int, height: int) -> tuple[list[captions.Cue], list[str]]:
    """The cues as they are burnt: undrawable characters replaced, lines wrapped to the frame (long words
    broken), measured in the face at the size libass draws it in this frame."""
    size, room = round(FONT_SIZE * height / SCRIPT_H), (width - 2 * MARGIN * width / SCRIPT_W) * FILL
    drawn, missing = [], {}
    for cue in cues:
        text, lacking = caption_text.drawable(cue.text, size)
        missing.update(dict.fromkeys(lacking))
        drawn.append(dataclasses.replace(cue, text=caption_text.wrapped(text, size, room)))
    return drawn, list(missing)


def _args(cut: Path, graph: str, facts: gate.ClipFacts, dest: Path) -> list[str]:
    """Picture re-encoded through `graph` with the cut's colour tags and time base; sound, chapters and
    metadata copied; each frame's timestamp kept (passthrough), so the frame count and timing cannot move."""
    primaries, transfer, matrix, colour_range = facts.colour
    encode = [arg for key, value in QUALITY.items() for arg in (f"-{key}", value)]
    return ["-i", str(cut), "-map", "0:v:0", "-map", "0:a?", "-vf", graph, *encode, "-c:a", "copy",
            "-color_primaries", str(primaries), "-color_trc", str(transfer), "-colorspace", str(matrix),
            "-color_range", str(colour_range), "-fps_mode", "passthrough",
            "-video_track_timescale", str(facts.time_base.denominator), "-copyts", "-map_metadata", "0",
            "-map_chapters", "0", "-movflags", "+faststart", "-f", "mp4", str(dest)]


def _filter(srt: Path, fonts: Path) -> str:
    """The subtitles filter on `srt` in the animatic's face (glyphs it lacks come from the system's fonts)."""
    options = {"filename": str(srt.resolve()), "fontsdir": str(fonts.resolve()), "force_style": STYLE}
    return "subtitles=" + _graph_escaped(":".join(f"{key}={_quoted(value)}" for key, value in options.items()))


def _quoted(value: str) -> str:
    # an option value in quotes, so ':' and ',' in a path are plain text; a quote closes, is escaped, reopens
    return "'" + value.replace("'", "'\\''") + "'"


def _graph_escaped(text: str) -> str:
    # the filter graph's own level of escaping, under the option's (ffmpeg-filters, "Notes on filtergraph escaping")
    return "".join("\\" + c if c in "\\'[],;" else c for c in text)
