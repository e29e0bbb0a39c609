"""The preview: a contact sheet and player for a storyboard's cut, as one HTML page in OUT/preview/.

    build(project, plan, out_dir)      write OUT/preview/index.html and its thumbnails; return the page's path
    refresh(project, plan, out_dir)    the same, and what an open page needs to show it (a Built)
    serve(out_dir, rebuild=...)        serve the page on loopback until interrupted; it follows runs (live)
    running(out_dir, rebuild=...)      the same in a background thread, for tests: yields the page's URL

The page works before a run (slates, timings, the estimate), during one (what is done so far) and after it
(the assembled cut in a player); see model for what it reads, findings for what it warns about, page for how
it looks and live for how a served page keeps up with a run in any process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..engine.ledger import Ledger
from ..files import make_folder, write_atomic
from ..layout import Layout
from ..plan import Plan
from ..storyboard.checks import is_url
from ..storyboard.load import Project
from . import captions, model, page, rows, thumbs
from .server import running, serve

__all__ = ["Built", "build", "refresh", "running", "serve", "sources_of"]


@dataclass(frozen=True)
class Built:
    page: Path  # OUT/preview/index.html
    update: dict  # the same page as pieces for an open one to put in place (live sends it; page.js applies it)
    sources: tuple[Path, ...]  # the files outside OUT it was made from: the storyboard and its media


def build(project: Project, plan: Plan, out_dir: Path, journal: Ledger | None = None) -> Path:
    """Write out_dir/preview/index.html (with thumbs/ and captions.vtt beside it) and return its path.

    `plan` must be the plan the run used (same render options), or the shots' keys, and so their states,
    will not match the journal. `journal` defaults to out_dir/journal.sqlite when that exists.
    """
    return refresh(project, plan, out_dir, journal).page


def refresh(project: Project, plan: Plan, out_dir: Path, journal: Ledger | None = None) -> Built:
    """build(), and the page as the pieces an open page puts in place."""
    layout = Layout(Path(out_dir))
    folder = layout.preview
    make_folder(folder, hint="choose another output folder with --out")
    seen = model.read(project, plan, Path(out_dir), journal)
    made = thumbs.make_all(seen, folder / "thumbs")
    vtt = captions.vtt_for(Path(out_dir), plan, {s.planned.id: s.start_s for s in seen.shots})
    if vtt is not None:
        write_atomic(folder / "captions.vtt", vtt.encode())
    else:
        (folder / "captions.vtt").unlink(missing_ok=True)
    files = [path.name for path in layout.side_files if path.is_file()]
    shown = vtt is not None and seen.cut is not None
    write_atomic(layout.preview_page, page.render(seen, made, captions=shown, files=files).encode())
    update = {
        "shots": [{"id": s.planned.id, "state": s.state, "first": made[s.planned.id].first,
                   "last": made[s.planned.id].last, "html": html}
                  for s, html in zip(seen.shots, rows.each(seen.shots, made, current=seen.assembly.current),
                                     strict=True)],
        "parts": page.parts(seen, made, shown, files), "runtime": round(seen.runtime_s, 3),
        "cut": {"version": str(seen.cut.version), "current": seen.assembly.current} if seen.cut else None,
        "problems": len(seen.problems), "notes": len(seen.notes)}
    return Built(layout.preview_page, update, sources_of(project))


def sources_of(project: Project) -> tuple[Path, ...]:
    """The storyboard and the local files it names (keyframes, footage, music): a save of any changes the film."""
    return (project.path, *sorted({project.file(ref) for ref in project.digests if not is_url(ref)}))
