"""The fake Agents API's Files: create (a presigned PUT on the fake itself), upload, complete, get, delete.

A file is `pending` until its bytes are PUT and it is completed, then `ready` from the next GET on (as Luma
ingests asynchronously), or `failed` when its bytes are not an image. A generation may use only a ready file.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .faults import error_answer
from .store import FakeLuma, iso_now
from .validate import Refusal

MAX_BYTES = 5 * 1024**3  # the S3 single-PUT ceiling the API names


@dataclass
class FakeFile:
    id: str
    mime_type: str
    size_bytes: int
    filename: str | None
    purpose: str
    created_at: str
    state: str = "pending"
    uploaded: bool = False
    completed: bool = False
    failure_reason: str | None = None

    def to_json(self) -> dict:
        return {"id": self.id, "created_at": self.created_at, "mime_type": self.mime_type, "purpose": self.purpose,
                "size_bytes": self.size_bytes, "state": self.state, "filename": self.filename,
                "failure_reason": self.failure_reason, "expires_at": None, "deleted_at": None, "user_id": None}


class Files:
    def __init__(self, fake: FakeLuma):
        self.fake = fake
        self.items: dict[str, FakeFile] = {}
        self.folder = fake.work_dir / "agents-files"
        self.folder.mkdir(parents=True, exist_ok=True)

    def path_of(self, file_id: str) -> Path:
        return self.folder / file_id

    def check_ready(self, file_id: str) -> None:
        item = self.items.get(file_id)
        if item is None:
            raise Refusal(f"File {file_id} not found")
        if self.settle(item).state != "ready":
            raise Refusal(f"File {file_id} is {item.state}: only ready files can be referenced")

    def settle(self, item: FakeFile) -> FakeFile:
        """A completed file is ingested by the time anyone asks again."""
        if item.completed and item.state == "pending":
            try:
                with Image.open(self.path_of(item.id)) as image:
                    image.verify()
                item.state = "ready"
            except (UnidentifiedImageError, OSError):
                item.state, item.failure_reason = "failed", "corrupt_input: the bytes are not an image"
        return item


def _files(request: Request) -> Files:
    return request.app.state.agents.files


async def create_file(request: Request) -> Response:
    files = _files(request)
    try:
        body = json.loads(await request.body() or b"null")
        item = _new_file(body)
    except ValueError:
        return error_answer(request, "Request body is not valid JSON", 422)
    except Refusal as exc:
        return error_answer(request, exc.detail, exc.status)
    files.items[item.id] = item
    files.fake.count("files")
    agents, base = request.app.state.agents, str(request.base_url).rstrip("/")
    url = agents.signed(base, "upload", item.id, f"/agents-upload/{item.id}")
    expires = iso_now()  # informational: the fake's own clock decides
    upload = {"url": url, "method": "PUT", "headers": {"Content-Type": item.mime_type}, "expires_at": expires}
    return JSONResponse({"id": item.id, "state": item.state, "file": item.to_json(), "upload": upload},
                        status_code=201)


def _new_file(body) -> FakeFile:
    if not isinstance(body, dict):
        raise Refusal([{"loc": ["body"], "msg": "Input should be a valid dictionary"}], status=422)
    for name, kind in (("mime_type", str), ("size_bytes", int)):
        if not isinstance(body.get(name), kind) or isinstance(body.get(name), bool):
            raise Refusal([{"loc": ["body", name], "msg": "Field required"}], status=422)
    if not 0 < body["size_bytes"] <= MAX_BYTES:
        raise Refusal(f"size_bytes must be between 1 and {MAX_BYTES}")
    if body.get("purpose", "input") not in ("input", "reference"):
        raise Refusal([{"loc": ["body", "purpose"], "msg": "Input should be 'input' or 'reference'"}], status=422)
    return FakeFile(id=str(uuid.uuid4()), mime_type=body["mime_type"], size_bytes=body["size_bytes"],
                    filename=body.get("filename"), purpose=body.get("purpose") or "input", created_at=iso_now())


async def upload(request: Request) -> Response:
    """The presigned PUT: the signature is the permission; the bytes must be the size and type declared."""
    files, file_id = _files(request), request.path_params["id"]
    item = files.items.get(file_id)
    if item is None:
        return Response("<Error><Code>NoSuchUpload</Code></Error>", status_code=404, media_type="application/xml")
    if why := request.app.state.agents.valid(request, "upload", file_id):
        return s3_refusal(why)
    data = await request.body()
    if len(data) != item.size_bytes or request.headers.get("content-type") != item.mime_type:
        return Response("<Error><Code>BadDigest</Code><Message>size or Content-Type differs from the file's"
                        "</Message></Error>", status_code=400, media_type="application/xml")
    files.path_of(file_id).write_bytes(data)
    item.uploaded = True
    files.fake.count("uploads")
    return Response(status_code=200)


async def complete(request: Request) -> Response:
    files = _files(request)
    item = files.items.get(request.path_params["id"])
    if item is None:
        return error_answer(request, "File not found", 404)
    if not item.uploaded:
        return error_answer(request, "No bytes were uploaded for this file: PUT them to the upload URL first", 409)
    item.completed = True
    return JSONResponse(item.to_json())


async def get_file(request: Request) -> Response:
    item = _files(request).items.get(request.path_params["id"])
    if item is None:
        return error_answer(request, "File not found", 404)
    return JSONResponse(_files(request).settle(item).to_json())


async def delete_file(request: Request) -> Response:
    item = _files(request).items.get(request.path_params["id"])
    if item is None:
        return error_answer(request, "File not found", 404)
    item.state = "deleted"
    return Response(status_code=204)


def s3_refusal(why: str) -> Response:
    """What a presigned URL answers once expired or badly signed (403, as S3 does)."""
    code, message = (("AccessDenied", "Request has expired") if why == "expired"
                     else ("SignatureDoesNotMatch", "The request signature does not match"))
    return Response(f"<Error><Code>{code}</Code><Message>{message}</Message></Error>", status_code=403,
                    media_type="application/xml")


FILE_ROUTES = [
    Route("/files", create_file, methods=["POST"]),
    Route("/files/{id}", get_file, methods=["GET"]),
    Route("/files/{id}", delete_file, methods=["DELETE"]),
    Route("/files/{id}/complete", complete, methods=["POST"]),
]
UPLOAD_ROUTES = [Route("/agents-upload/{id}", upload, methods=["PUT"])]
