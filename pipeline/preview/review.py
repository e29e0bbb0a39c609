"""The review page (`pipeline preview --serve`, /review/): each shot's takes side by side (first and last frames,
played in place), and pick, approve, reject and a note per shot, stored in the journal as the CLI stores them
(engine.decisions); after a pick the cut is assembled again from the picks (never a create).

Its POSTs are refused unless they come to the loopback host name the server listens on (a DNS-rebinding page
names another host), carry no foreign Origin (a cross-site form), and carry the session's token, which only
the page itself holds. It serves only the takes' frames and clips, never the journal or the storyboard's folder.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..errors import PipelineError
from ..layout import Layout
from ..plan import Plan
from ..storyboard.load import Project
from . import review_page, thumbs

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
TOKEN_HEADER = "X-Review-Token"
STILL = re.compile(r"[A-Za-z0-9_.-]+-[0-9a-f]{12}-(first|last)\.jpg")


@dataclass
class Reviewer:
    """What the review page acts on: the storyboard and its plan as a run would make them now (read afresh for
    each request, so a pick shows at once), the output folder, and how to assemble the cut again."""

    out: Path
    plan_of: Callable[[], tuple[Project, Plan]]
    assemble: Callable[[Project, Plan], object]
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @property
    def stills(self) -> Path:
        return Layout(self.out).preview / "takes"


def routes(reviewer: Reviewer) -> list[Route]:
    def guarded(handler, *, post: bool):
        async def endpoint(request: Request) -> Response:
            refused = _refusal(request, reviewer.token, post=post)
            if refused:
                return JSONResponse({"error": refused}, status_code=403)
            try:
                return await handler(request)
            except PipelineError as exc:
                return JSONResponse({"error": str(exc)}, status_code=409)
        return endpoint

    async def page(request: Request) -> Response:
        html = await run_in_threadpool(_page, reviewer)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def still(request: Request) -> Response:
        name = request.path_params["name"]
        path = reviewer.stills / name
        return FileResponse(path) if STILL.fullmatch(name) and path.is_file() else Response(status_code=404)

    async def clip(request: Request) -> Response:
        path = await run_in_threadpool(_clip_of, reviewer, request.path_params["shot"],
                                       int(request.path_params["take"]))
        return FileResponse(path) if path else Response("no clip for that take", status_code=404)

    async def decide(request: Request) -> Response:
        try:
            asked = json.loads(await request.body())
        except ValueError:
            asked = None
        if not isinstance(asked, dict):  # a list or a bare value has no fields to read
            return JSONResponse({"error": "send a JSON object"}, status_code=400)
        said = await run_in_threadpool(_act, reviewer, request.path_params["what"], asked)
        return JSONResponse(said)

    return [Route("/review/", guarded(page, post=False)),
            Route("/review/still/{name}", guarded(still, post=False)),
            Route("/review/clip/{shot}/{take:int}", guarded(clip, post=False)),
            Route("/review/{what}", guarded(decide, post=True), methods=["POST"])]


def _refusal(request: Request, token: str, *, post: bool) -> str | None:
    """Why a request is refused: another host name (DNS rebinding), a foreign Origin, no or a wrong token."""
    port = request.scope.get("server", (None, None))[1]
    host = request.headers.get("host", "")
    if host not in {f"{name}:{port}" for name in LOOPBACK_NAMES}:
        return f"the review page answers only on its loopback address, not {host!r}"
    if not post:
        return None
    origin = request.headers.get("origin")
    if origin is not None and origin != f"http://{host}":
        return "a request from another site is refused"
    if not hmac.compare_digest(request.headers.get(TOKEN_HEADER, ""), token):
        return "a request without this page's token is refused: reload the review page"
    return None


def _act(reviewer: Reviewer, what: str, asked: dict) -> dict:
    from ..engine import decisions

    project, plan = reviewer.plan_of()
    if what == "pick":
        decisions.pick(plan, reviewer.out, str(asked.get("shot")), _int(asked.get("take")), wait=False)
        return {"ok": True, **_rebuilt(reviewer)}
    if what in ("approve", "reject", "clear"):
        verdict = {"approve": "approved", "reject": "rejected", "clear": None}[what]
        decisions.review(plan, reviewer.out, [str(asked.get("shot"))], verdict, wait=False)
        return {"ok": True}
    if what == "note":
        decisions.note(plan, reviewer.out, str(asked.get("shot")), str(asked.get("note") or ""), wait=False)
        return {"ok": True}
    raise PipelineError(f"no action {what!r}: pick, approve, reject, clear or note")


def _int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise PipelineError("give the take as a number")


def _rebuilt(reviewer: Reviewer) -> dict:
    """The cut assembled again from the picks, where every picked take's clip is there (never a create)."""
    from ..engine.status import next_run

    project, plan = reviewer.plan_of()
    waiting = [d.shot.id for d in next_run(plan, reviewer.out) or [] if d.shot.picked and d.action.pays]
    if waiting:
        return {"rebuilt": False, "to_generate": waiting,
                "why": f"{', '.join(waiting)} follow the pick and must be generated again: `pipeline run` "
                       "shows the estimate and asks"}
    reviewer.assemble(project, plan)
    return {"rebuilt": True, "to_generate": []}


def _clip_of(reviewer: Reviewer, shot_id: str, take: int) -> Path | None:
    from ..engine.takes import takes_of

    _, plan = reviewer.plan_of()
    if shot_id not in {p.id for p in plan.shots}:
        return None
    for shot in takes_of(plan, reviewer.out, [shot_id]):
        for t in shot["takes"]:
            if t["take"] == take and t["file"]:
                return Layout(reviewer.out).resolve(t["file"])
    return None


def _page(reviewer: Reviewer) -> str:
    from ..engine.takes import takes_of

    project, plan = reviewer.plan_of()
    shots = takes_of(plan, reviewer.out)
    size = thumbs.size_of(project)
    reviewer.stills.mkdir(parents=True, exist_ok=True)
    layout = Layout(reviewer.out)
    for shot in shots:
        for take in shot["takes"]:
            take["stills"] = None
            if take["file"]:
                clip, stem = layout.resolve(take["file"]), f"{shot['id']}-{take['key'][:12]}"
                take["stills"] = tuple(thumbs.still(clip, i, reviewer.stills / f"{stem}-{end}.jpg", size)
                                       for i, end in ((0, "first"), (-1, "last")))
    return review_page.render(project.title, shots, reviewer.token, cut=layout.cut.is_file())
