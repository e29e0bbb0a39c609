"""The preview: a contact sheet and player for a storyboard's cut, as one HTML page in OUT/preview/.

    build(project, plan, out_dir)      write OUT/preview/index.html and its thumbnails; return the page's path
    serve(out_dir, rebuild=...)        serve OUT on loopback until interrupted (a reload rebuilds the page)
    running(out_dir, rebuild=...)      the same in a background thread, for tests: yields the page's URL

The page works before a run (slates, timings, the estimate), during one (what is done so far) and after it
(the assembled cut in a player); see model for what it reads and page for how it looks.
"""

from __future__ import annotations

from pathlib import Path

from ..engine.journal import Journal
from ..files import make_folder, write_atomic
from ..plan import Plan
from ..storyboard.load import Project
from . import captions, model, page, thumbs
from .server import running, serve

__all__ = ["build", "running", "serve", "PAGE"]

PAGE = Path("preview") / "index.html"  # inside the output folder
LINKED = ("final.mp4", "final.srt", "timeline.otio", "assembly.json")


def build(project: Project, plan: Plan, out_dir: Path, journal: Journal | None = None) -> Path:
    """Write out_dir/preview/index.html (with thumbs/ and captions.vtt beside it) and return its path.

    `plan` must be the plan the run used (same render options), or the shots' keys, and so their states,
    will not match the journal. `journal` defaults to out_dir/journal.sqlite when that exists.
    """
    folder = Path(out_dir) / PAGE.parent
    make_folder(folder, hint="choose another output folder with --out")
    seen = model.read(project, plan, Path(out_dir), journal)
    made = thumbs.make_all(seen, folder / "thumbs")
    vtt = captions.vtt_for(Path(out_dir), plan, {s.planned.id: s.start_s for s in seen.shots})
    if vtt is not None:
        write_atomic(folder / "captions.vtt", vtt.encode())
    else:
        (folder / "captions.vtt").unlink(missing_ok=True)
    files = [name for name in LINKED if (Path(out_dir) / name).is_file()]
    html = page.render(seen, made, captions=vtt is not None and seen.cut is not None, files=files)
    write_atomic(folder / PAGE.name, html.encode())
    return folder / PAGE.name
