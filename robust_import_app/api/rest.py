"""The REST API under ``/api``, as a Starlette app that ``rx.App(api_transformer=...)`` mounts.

- ``POST /api/lists/{list_id}/videos`` — add videos: ``application/json``
  ``{"urls": ["https://youtu.be/…", …]}`` or ``text/plain`` pasted text (one
  link or id per line, as the paste box takes it). Answers the paste report
  (:func:`paste_report`): 201 when videos or sources (playlists, channels)
  were created, 200 when nothing was new. A source's videos are created as
  the worker lists its pages; the report gives each source's id and state.
  The worker is woken at once.
- ``GET /api/lists`` — every list with its number of videos.
- ``GET /api/lists/{list_id}/videos?page=1&per_page=50`` — one page of the
  list's videos, newest first, each with its import state; ``per_page`` at
  most ``MAX_PER_PAGE``.
- ``GET /api/videos/{video_row_id}`` — one video with its chapters.
- ``GET /api/openapi.json`` — the OpenAPI 3.1 document (:data:`OPENAPI`), served without a token.

Access: ``Authorization: Bearer <IMPORT_API_TOKEN>``, compared with
:func:`hmac.compare_digest` (no timing difference between a wrong and a right
prefix); a missing or wrong token is a 401 with ``WWW-Authenticate: Bearer``.
Without a configured token the API is off: every ``/api`` path is a 404.

Errors are JSON ``{"detail": "<why>"}``: 400 for malformed JSON, text that is
not UTF-8, or a list id, video id, ``page`` or ``per_page`` that is not a
whole number (ASCII digits) in its range (:mod:`robust_import_app.api.params`); 404 for an unknown list or video;
413 for a body over ``MAX_BODY_BYTES`` or more than ``MAX_IDS_PER_PASTE``
links; 415 for another content type; 422 for JSON of the wrong shape.
The database is used in Starlette's thread pool, never on the event loop.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from robust_import_app.api.params import MAX_ROW_ID, ParamError, row_id, whole_number
from robust_import_app.db import Database
from robust_import_app.domain.video import watch_url
from robust_import_app.library import (
    MAX_IDS_PER_PASTE,
    LibraryError,
    PasteOutcome,
    VideoDetail,
    count_videos,
    import_paste,
    list_exists,
    list_summaries,
    page_of_videos,
    video_detail,
)
from robust_import_app.models import Video
from robust_import_app.pipeline.stages import table
from robust_import_app.redact import register_secret
from robust_import_app.runtime import wake_worker
from robust_import_app.sources import SourceView, get_source
from robust_import_app.youtube import parse_paste

API_PREFIX = "/api"
MAX_BODY_BYTES = 2_000_000
"""A paste body's limit: 5,000 links with their surrounding text fit many times over."""
DRAIN_MAX_BYTES = 4 * MAX_BODY_BYTES
"""Bodies declared up to this size are read to their end before a 413 (see :func:`_body`)."""
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_PAGE = 10_000_000
"""The last page asked for: its ``OFFSET`` (at most 10⁹ rows) stays within any database's integers."""

Handler = Callable[[Request], Awaitable[Response]]


class _RequestError(Exception):
    """A request refused with ``status_code`` and a ``detail`` for the caller."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


def rest_routes(database: Callable[[], Database], *, api_token: str | None) -> Starlette:
    """The REST API over the database ``database()`` returns (called per request, e.g. ``get_database``).

    ``api_token`` is the bearer token every call but the OpenAPI document
    needs (registered with :func:`register_secret`, so it never reaches a
    log); None turns the API off (every ``/api`` path answers 404).
    """
    if not api_token:
        return Starlette(routes=[Route(f"{API_PREFIX}/{{rest:path}}", _api_off, methods=_ALL_METHODS)])
    register_secret(api_token)
    expected = api_token.encode()

    def guarded(handler: Handler) -> Handler:
        async def check_token(request: Request) -> Response:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if not hmac.compare_digest(given.strip().encode(), expected) or scheme.lower() != "bearer":
                return JSONResponse(
                    {"detail": "A valid bearer token (IMPORT_API_TOKEN) is needed."},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="robust-import"'},
                )
            try:
                return await handler(request)
            except _RequestError as refused:
                return _error(refused.status_code, refused.detail)

        return check_token

    async def add_videos(request: Request) -> Response:
        list_id = _path_id(request, "list_id")
        db = database()
        if not await run_in_threadpool(list_exists, db, list_id):
            raise _RequestError(404, f"No list {list_id}.")
        text = _paste_text(request.headers.get("content-type", ""), await _body(request))
        outcome = await run_in_threadpool(_import, db, list_id, text)
        if outcome.queued:
            wake_worker()
        sources = await run_in_threadpool(_sources_of, db, outcome)
        created = outcome.created or outcome.sources
        return JSONResponse(paste_report(list_id, outcome, sources), status_code=201 if created else 200)

    async def lists(request: Request) -> Response:
        summaries = await run_in_threadpool(list_summaries, database())
        return JSONResponse({"lists": [{"id": s.id, "name": s.name, "video_count": s.video_count} for s in summaries]})

    async def list_videos(request: Request) -> Response:
        list_id = _path_id(request, "list_id")
        page = _int_param(request, "page", default=1, low=1, high=MAX_PAGE)
        per_page = _int_param(request, "per_page", default=DEFAULT_PER_PAGE, low=1, high=MAX_PER_PAGE)
        db = database()
        if not await run_in_threadpool(list_exists, db, list_id):
            raise _RequestError(404, f"No list {list_id}.")
        total = await run_in_threadpool(count_videos, db, list_id)
        rows = await run_in_threadpool(
            lambda: page_of_videos(db, list_id, offset=(page - 1) * per_page, limit=per_page)
        )
        return JSONResponse(
            {
                "list_id": list_id,
                "page": page,
                "per_page": per_page,
                "total": total,
                "pages": -(-total // per_page),
                "videos": [video_json(row) for row in rows],
            }
        )

    async def video(request: Request) -> Response:
        video_row_id = _path_id(request, "video_row_id")
        detail = await run_in_threadpool(video_detail, database(), video_row_id)
        if detail is None:
            raise _RequestError(404, f"No video {video_row_id}.")
        return JSONResponse(video_detail_json(detail))

    async def openapi(request: Request) -> Response:
        return JSONResponse(OPENAPI)

    return Starlette(
        routes=[
            Route(f"{API_PREFIX}/openapi.json", openapi, methods=["GET"]),
            Route(f"{API_PREFIX}/lists", guarded(lists), methods=["GET"]),
            Route(f"{API_PREFIX}/lists/{{list_id}}/videos", guarded(list_videos), methods=["GET"]),
            Route(f"{API_PREFIX}/lists/{{list_id}}/videos", guarded(add_videos), methods=["POST"]),
            Route(f"{API_PREFIX}/videos/{{video_row_id}}", guarded(video), methods=["GET"]),
            Route(f"{API_PREFIX}/{{rest:path}}", guarded(_unknown), methods=_ALL_METHODS),
        ]
    )


_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


async def _api_off(request: Request) -> Response:
    return _error(404, "The REST API is off; set IMPORT_API_TOKEN to turn it on.")


async def _unknown(request: Request) -> Response:
    return _error(404, f"No API route {request.method} {request.url.path}; see {API_PREFIX}/openapi.json.")


def _error(status_code: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status_code)


async def _body(request: Request) -> bytes:
    """The request body; 413 past ``MAX_BODY_BYTES``, told by Content-Length or found while reading.

    A body declared too large but under ``DRAIN_MAX_BYTES`` is read to its end
    (and dropped) before the 413 goes out: answering while the client is still
    sending makes the server close the connection, and the client then sees a
    reset instead of the answer. Larger bodies are refused at once.
    """
    too_large = _RequestError(413, f"A request body can be at most {MAX_BODY_BYTES:,} bytes.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        if int(declared) <= DRAIN_MAX_BYTES:
            async for _ in request.stream():
                pass
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise too_large
    return bytes(body)


def _paste_text(content_type: str, body: bytes) -> str:
    """The pasted text a body carries: JSON ``{"urls": [str, ...]}`` one per line, or UTF-8 text as sent."""
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "application/json":
        try:
            document = json.loads(body)
        except (UnicodeDecodeError, ValueError) as exc:
            raise _RequestError(400, f"The body is not valid JSON: {exc}.") from exc
        urls = document.get("urls") if isinstance(document, dict) else None
        if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
            raise _RequestError(422, 'The JSON body must be {"urls": ["<YouTube link or id>", ...]}.')
        _refuse_too_many(len(urls))
        return "\n".join(urls)
    if media_type == "text/plain":
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _RequestError(400, "The text body is not UTF-8.") from exc
    raise _RequestError(415, 'Send application/json {"urls": [...]} or text/plain pasted text.')


def _refuse_too_many(count: int) -> None:
    if count > MAX_IDS_PER_PASTE:
        raise _RequestError(413, f"One request can add at most {MAX_IDS_PER_PASTE:,} videos; this one has {count:,}.")


def _import(db: Database, list_id: int, text: str) -> PasteOutcome:
    """:func:`import_paste` with its refusals as request errors (413 for too many, 404 for a list gone since)."""
    _refuse_too_many(len(parse_paste(text).video_ids))
    try:
        return import_paste(db, list_id, text)
    except LibraryError as exc:
        raise _RequestError(404, str(exc)) from exc


def _int_param(request: Request, name: str, *, default: int, low: int, high: int) -> int:
    """The query parameter ``name`` as an int from ``low`` to ``high``, ``default`` when absent; 400 otherwise."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return whole_number(raw, name=name, low=low, high=high)
    except ParamError as exc:
        raise _RequestError(400, str(exc)) from exc


def _path_id(request: Request, name: str) -> int:
    """The path parameter ``name`` as a row id (1 to ``MAX_ROW_ID``); 400 otherwise."""
    try:
        return row_id(request.path_params[name], name=name)
    except ParamError as exc:
        raise _RequestError(400, str(exc)) from exc


def _sources_of(db: Database, outcome: PasteOutcome) -> dict[int, SourceView]:
    """The source rows the paste created (its playlists and channels, and its offers), by id."""
    return {source_id: get_source(db, source_id) for source_id in (*outcome.sources, *outcome.offers)}


def _source_json(source: SourceView) -> dict[str, Any]:
    return {
        "id": source.id,
        "kind": source.kind.value,
        "url": source.url,
        "state": source.state.value,
        "message": source.message,
    }


def paste_report(list_id: int, outcome: PasteOutcome, sources: dict[int, SourceView] | None = None) -> dict[str, Any]:
    """The JSON answer to a paste: what was created, already there, repeated or rejected, and why.

    ``sources`` (from :func:`_sources_of`) describes the created sources and
    offers; without it they are listed by id only.
    """
    sources = sources or {}

    def described(source_id: int) -> dict[str, Any]:
        return _source_json(sources[source_id]) if source_id in sources else {"id": source_id}

    return {
        "list_id": list_id,
        "batch_id": outcome.batch_id,
        "created": [{"youtube_id": v, "url": watch_url(v)} for v in outcome.created],
        "duplicates": [{"youtube_id": v, "reason": "already in this list"} for v in outcome.duplicates],
        "repeated": [{"youtube_id": v, "reason": "more than once in this request"} for v in outcome.repeated],
        "rejected": [{"text": r.text, "problem": r.problem.value, "reason": r.reason} for r in outcome.rejected],
        "sources": [described(source_id) for source_id in outcome.sources],
        "duplicate_sources": [
            {"kind": ref.kind.value, "url": ref.url, "reason": "this list already imports or follows it"}
            for ref in outcome.duplicate_sources
        ],
        "offers": [described(source_id) for source_id in outcome.offers],
        "counts": {
            "created": len(outcome.created),
            "duplicates": len(outcome.duplicates),
            "repeated": len(outcome.repeated),
            "rejected": len(outcome.rejected),
            "sources": len(outcome.sources),
            "duplicate_sources": len(outcome.duplicate_sources),
            "offers": len(outcome.offers),
        },
    }


def video_json(video: Video) -> dict[str, Any]:
    """A video with its import state; times as ISO 8601 (UTC), durations in seconds."""
    return {
        "id": video.id,
        "list_id": video.list_id,
        "youtube_id": video.youtube_id,
        "url": watch_url(video.youtube_id),
        "title": video.title,
        "channel": video.channel,
        "duration_s": video.duration_s,
        "published": video.published.isoformat() if video.published else None,
        "thumbnail_url": video.thumbnail_url,
        "language": video.language,
        "import": {
            "stage": video.import_stage.value,
            "progress": video.import_progress,
            "failed_stage": video.failed_stage.value if video.failed_stage else None,
            "error_code": video.error_code,
            "error_message": video.error_message,
            "attempt_count": video.attempt_count,
            "next_attempt_at": video.next_attempt_at.isoformat() if video.next_attempt_at else None,
        },
        "created_at": video.created_at.isoformat(),
        "updated_at": video.updated_at.isoformat(),
    }


def video_detail_json(detail: VideoDetail) -> dict[str, Any]:
    """:func:`video_json` with the chapters, the transcript's source and size, and its export links."""
    video = detail.video
    export = f"/export/videos/{video.id}"
    return {
        **video_json(video),
        "description": video.description,
        "chapters": [{"start_s": c.start_s, "end_s": c.end_s, "title": c.title} for c in detail.chapters],
        "transcript": {
            "source": video.caption_source.value if video.caption_source else None,
            "language": video.caption_language,
            "segment_count": len(detail.segments),
            "downloads": {ext: f"{export}/transcript.{ext}" for ext in ("srt", "vtt", "txt")}
            if detail.segments
            else {},
        },
    }


def _ok(description: str, schema: str) -> dict[str, Any]:
    """An OpenAPI response whose JSON body is the component schema ``schema``."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _json_error(description: str) -> dict[str, Any]:
    return _ok(description, "Error")


_UNAUTHORISED = _json_error("No or wrong bearer token")
_PAGE_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
    },
]


def _id_param(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID},
    }


_YOUTUBE_IDS = {"type": "array", "items": {"type": "object", "properties": {"youtube_id": {"type": "string"}}}}
_SOURCES = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["playlist", "channel"]},
            "url": {"type": "string"},
            "state": {"type": "string"},
            "message": {"type": "string"},
        },
    },
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Robust Import",
        "version": "1",
        "description": "Add YouTube videos to lists and follow their import.",
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "IMPORT_API_TOKEN"}},
        "schemas": {
            "Error": {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}},
            "Urls": {
                "type": "object",
                "required": ["urls"],
                "properties": {"urls": {"type": "array", "maxItems": MAX_IDS_PER_PASTE, "items": {"type": "string"}}},
            },
            "PasteReport": {
                "type": "object",
                "properties": {
                    "list_id": {"type": "integer"},
                    "batch_id": {"type": ["integer", "null"]},
                    "created": _YOUTUBE_IDS,
                    "duplicates": _YOUTUBE_IDS,
                    "repeated": _YOUTUBE_IDS,
                    "rejected": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "text": {"type": "string"},
                                "problem": {"type": "string"},
                                "reason": {"type": "string"},
                            },
                        },
                    },
                    "sources": _SOURCES,
                    "duplicate_sources": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "kind": {"type": "string", "enum": ["playlist", "channel"]},
                                "url": {"type": "string"},
                                "reason": {"type": "string"},
                            },
                        },
                    },
                    "offers": _SOURCES,
                    "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                },
            },
            "Lists": {
                "type": "object",
                "properties": {
                    "lists": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "integer"},
                                "name": {"type": "string"},
                                "video_count": {"type": "integer"},
                            },
                        },
                    }
                },
            },
            "Video": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "list_id": {"type": "integer"},
                    "youtube_id": {"type": "string"},
                    "title": {"type": "string"},
                    "duration_s": {"type": ["integer", "null"]},
                    "import": {
                        "type": "object",
                        "properties": {
                            "stage": {"enum": list(table.stage_names())},
                            "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                            "error_code": {"type": ["string", "null"]},
                            "error_message": {"type": ["string", "null"]},
                        },
                    },
                },
            },
            "VideoPage": {
                "type": "object",
                "properties": {
                    "page": {"type": "integer"},
                    "per_page": {"type": "integer"},
                    "total": {"type": "integer"},
                    "pages": {"type": "integer"},
                    "videos": {"type": "array", "items": {"$ref": "#/components/schemas/Video"}},
                },
            },
        },
    },
    "security": [{"bearer": []}],
    "paths": {
        f"{API_PREFIX}/lists": {
            "get": {"summary": "Every list", "responses": {"200": _ok("The lists", "Lists"), "401": _UNAUTHORISED}}
        },
        f"{API_PREFIX}/lists/{{list_id}}/videos": {
            "parameters": [_id_param("list_id")],
            "get": {
                "summary": "One page of the list's videos, newest first, with their import state",
                "parameters": _PAGE_PARAMS,
                "responses": {
                    "200": _ok("The page", "VideoPage"),
                    "400": _json_error("Bad list id, page or per_page"),
                    "401": _UNAUTHORISED,
                    "404": _json_error("No such list"),
                },
            },
            "post": {
                "summary": "Add videos to the list",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Urls"}},
                        "text/plain": {"schema": {"type": "string"}},
                    },
                },
                "responses": {
                    "201": _ok("Videos created", "PasteReport"),
                    "200": _ok("Nothing new", "PasteReport"),
                    "400": _json_error("Bad list id, malformed JSON or text"),
                    "401": _UNAUTHORISED,
                    "404": _json_error("No such list"),
                    "413": _json_error(f"Over {MAX_BODY_BYTES} bytes or {MAX_IDS_PER_PASTE} links"),
                    "415": _json_error("Another content type"),
                    "422": _json_error("JSON of the wrong shape"),
                },
            },
        },
        f"{API_PREFIX}/videos/{{video_row_id}}": {
            "parameters": [_id_param("video_row_id")],
            "get": {
                "summary": "One video with its chapters and transcript summary",
                "responses": {
                    "200": _ok("The video", "Video"),
                    "400": _json_error("Bad video id"),
                    "401": _UNAUTHORISED,
                    "404": _json_error("No such video"),
                },
            },
        },
        f"{API_PREFIX}/openapi.json": {
            "get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI 3.1"}}}
        },
    },
}
"""The OpenAPI 3.1 document served at ``/api/openapi.json``."""
