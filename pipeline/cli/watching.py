"""What `pipeline watch FILE` does (CLI layer): on every save of the storyboard or a file it names, check
it, render the animatic again and reassemble the cut, while a preview served by the same process follows along.

Only the animatic: watch never calls a paid provider. The engine reuses every clip by its key, so a save
renders only the shots it changed and the shots that extend them. A save with a mistake is reported in the
terminal and on the page (its event stream), and the last good cut stays. Ctrl-C stops it.
"""

from __future__ import annotations

import sys
import time
import webbrowser
from pathlib import Path

import watchfiles

from .. import preview, providers
from ..errors import PipelineError, StoryboardError
from ..files import make_folder
from ..layout import Layout
from ..preview.fmt import plural
from ..secrets import redact
from ..storyboard.load import Project, load
from .output import print_problems
from .watch_command import FREE

LIVE_CHECK_MS = 200  # how soon after starting the watcher says it is live (then every so often, doing nothing)
DEBOUNCE_MS = 300  # an editor's save is often several writes (temp file, rename, chmod): one render for all


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class Watcher:
    """One storyboard's renders: what the last good load named, and the preview's rebuild."""

    def __init__(self, args):
        self.args = args
        self.path = Path(args.path)
        self.out = args.out or Path("output") / self.path.stem  # as `pipeline run` names it
        self.sources: set[Path] = {self.path.resolve()}
        self.told: set[str] = set()  # notes said once, not on every save
        self.read: dict[Path, tuple[int, int] | None] = {}  # each source's stamp when the last render read it

    def load(self) -> Project:
        read = self.read = _stamps(self.sources)  # before reading: a later save is one this render has not seen
        project = load(self.path, provider=FREE)
        self.sources = {p.resolve() for p in preview.sources_of(project)}
        self.read = {p: read.get(p, _stamps([p])[p]) for p in self.sources}
        return project

    def plan(self, project: Project):
        from ..engine import decisions

        options = {name: getattr(self.args, name) for name in providers.capabilities(FREE).render_options}
        cache = Layout(self.out).assembly_cache if self.out.is_dir() else None  # the bed's beats, if any
        # the takes picked in the folder play, as in `pipeline run`'s plan
        return project.plan(options or None, decisions.read(self.out).choices(), cache=cache)

    def rebuild(self) -> preview.Built:
        project = load(self.path, provider=FREE)
        return preview.refresh(project, self.plan(project), self.out)

    def render(self) -> bool:
        """Check the storyboard and render what changed; False when the save has a mistake (nothing rendered)."""
        from ..engine import runner

        try:
            project = self.load()
        except StoryboardError as exc:
            print_problems([p for p in exc.problems if p.severity == "error" or str(p) not in self.told])
            _say("the last good cut stays; fix the storyboard and save again")
            return False
        notes = [str(n) for n in project.notes]
        if project.board.provider != FREE:
            notes.append(f"note: the storyboard says provider: {project.board.provider}; watch renders the {FREE} "
                         f"(free); `pipeline run {self.path}` uses {project.board.provider}")
        for note in notes:
            if note not in self.told:
                _say(redact(note))
        self.told = set(notes)
        plan, rendered, reused = self.plan(project), [], []

        def report(event) -> None:
            (rendered if event.state == "done" else reused if event.state == "cached" else []).append(event.shot_id)

        started = time.monotonic()
        provider = providers.create(FREE, burn_in=self.args.burn_in)
        capabilities = providers.capabilities(FREE)
        limits = runner.Limits(concurrency=capabilities.concurrency, creates_per_minute=None)
        result = runner.run(project, plan, provider, self.out, limits=limits, report=report,
                            caption=self.args.burn_in, resume_hint=f"pipeline watch {self.path}", tell=_say)
        rendered = [p.id for p in plan.shots if p.id in rendered]  # in the cut's order, not the renders'
        shown = ", ".join(rendered) if rendered else "nothing (no shot changed)"
        _say(f"{time.strftime('%H:%M:%S')} rendered {shown}; reused {len(reused)}; assembled "
             f"{result.assembly.runtime_s:.2f} s in {time.monotonic() - started:.1f} s: {result.cut}")
        return True

    def watched(self, changes: set[tuple[watchfiles.Change, str]]) -> bool:
        return any(Path(path).resolve() in self.sources for _, path in changes)


def _stamps(paths) -> dict[Path, tuple[int, int] | None]:
    """Each file's (size, mtime_ns), None where it is missing: what tells a save apart."""
    stamps = {}
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            stamps[path] = None
        else:
            stamps[path] = (info.st_size, info.st_mtime_ns)
    return stamps


def watch(args) -> int:
    if args.provider and providers.capabilities(args.provider).paid:
        raise PipelineError(f"watch renders the {FREE} only, for free, and never calls {args.provider}: leave out "
                            f"--provider; when the {FREE} looks right, `pipeline run {args.path} --provider "
                            f"{args.provider}` shows the estimate and asks before spending")
    if not Path(args.path).is_file():
        raise PipelineError(f"{args.path}: no such storyboard file; check the path (`pipeline init` writes one)")
    watcher = Watcher(args)
    make_folder(watcher.out, hint="choose another output folder with --out")  # a mistake no save can fix
    try:
        if not args.serve:
            return _loop(watcher)
        with preview.running(watcher.out, rebuild=watcher.rebuild, port=args.port) as url:
            _say(f"the preview: {url} (it follows every save)")
            print(url, flush=True)
            if args.open:
                webbrowser.open(url)
            return _loop(watcher)
    except KeyboardInterrupt:
        _say("stopped watching")
        return 0


def _loop(watcher: Watcher) -> int:
    """Render once, then again on every save of a file the storyboard names (the set may change with a save)."""
    try:
        watcher.render()
    except PipelineError as exc:  # e.g. a clip that would not render: say so and go on watching
        _say(f"error: {exc}")
    while True:
        folders = sorted({p.parent for p in watcher.sources if p.parent.is_dir()})
        before = set(watcher.sources)
        named = len(watcher.sources) - 1
        live = False
        # The first (empty) answer comes once the watcher is live: only then is "watching" true, and a save made
        # while it started (or while the first render ran) is caught by comparing the files' stamps.
        for changes in watchfiles.watch(*folders, debounce=DEBOUNCE_MS, recursive=False, raise_interrupt=True,
                                        yield_on_timeout=True, rust_timeout=LIVE_CHECK_MS):
            if not live:
                live = True
                _say(f"watching {watcher.path}" + (f" and the {plural(named, 'file')} it names" if named else "")
                     + " (Ctrl-C stops)")
                if _stamps(watcher.sources) == watcher.read and not changes:
                    continue
            elif not watcher.watched(changes):
                continue
            try:
                watcher.render()
            except PipelineError as exc:
                _say(f"error: {exc}")
            if watcher.sources != before:
                break  # the storyboard names other files now: watch their folders too
