"""Download routes for the exports, as a Starlette app that ``rx.App(api_transformer=...)`` mounts.

- ``GET /export/lists/{list_id}.csv`` / ``.json`` / ``.txt`` — the list as CSV,
  JSON or watch URLs (:mod:`robust_import_app.export.library`);
- ``GET /export/videos/{video_row_id}/transcript.srt`` / ``.vtt`` / ``.txt`` —
  a video's transcript (:mod:`robust_import_app.export.transcript`);
- ``GET /export/videos/{video_row_id}/chapters.txt`` — its chapters as ``0:00 Title`` lines.

Every answer is a ``StreamingResponse`` encoded as UTF-8, sent as an
attachment named after the list or the video (:mod:`robust_import_app.api.disposition`),
``Cache-Control: no-store`` (an export changes while a batch imports). A
list or video id that is not a whole number (ASCII digits) from 1 to
:data:`~robust_import_app.api.params.MAX_ROW_ID` is a 400, an unknown list, video or format, or a video without a transcript or chapters,
is a 404 with ``{"detail": "<why>"}``. The database is read in Starlette's
thread pool, chunk by chunk, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from robust_import_app.api.disposition import content_disposition, safe_filename
from robust_import_app.api.params import ParamError, row_id
from robust_import_app.db import Database
from robust_import_app.export import (
    chapter_lines,
    csv_chunks,
    json_chunks,
    list_name,
    plain_text_chunks,
    srt_chunks,
    url_chunks,
    vtt_chunks,
)
from robust_import_app.library import VideoDetail, video_detail

EXPORT_PREFIX = "/export"


@dataclass(frozen=True, slots=True)
class _Format:
    media_type: str
    chunks: Callable[..., Iterator[str]]


LIST_FORMATS: dict[str, _Format] = {
    "csv": _Format("text/csv", csv_chunks),
    "json": _Format("application/json", json_chunks),
    "txt": _Format("text/plain", url_chunks),
}
TRANSCRIPT_FORMATS: dict[str, _Format] = {
    "srt": _Format("application/x-subrip; charset=utf-8", srt_chunks),
    "vtt": _Format("text/vtt", vtt_chunks),
    "txt": _Format("text/plain", plain_text_chunks),
}


def export_routes(database: Callable[[], Database]) -> Starlette:
    """The export routes over the database ``database()`` returns (called per request, e.g. ``get_database``)."""

    async def list_export(request: Request) -> Response:
        list_id = _path_id(request, "list_id")
        if isinstance(list_id, Response):
            return list_id
        extension: str = request.path_params["extension"]
        export_format = LIST_FORMATS.get(extension)
        if export_format is None:
            return _not_found(f"No export format “.{extension}”; use .csv, .json or .txt.")
        db = database()
        name = await run_in_threadpool(list_name, db, list_id)
        if name is None:
            return _not_found(f"No list {list_id}.")
        fallback = f"list-{list_id}"
        filename = safe_filename(name, extension, fallback_stem=fallback)
        return _download(export_format.chunks(db, list_id), export_format.media_type, filename, fallback)

    async def transcript_export(request: Request) -> Response:
        extension: str = request.path_params["extension"]
        export_format = TRANSCRIPT_FORMATS.get(extension)
        if export_format is None:
            return _not_found(f"No transcript format “.{extension}”; use .srt, .vtt or .txt.")
        detail = await _video(request, database())
        if isinstance(detail, Response):
            return detail
        if not detail.segments:
            return _not_found("This video has no transcript.")
        return _video_download(detail, export_format.chunks(detail.segments), export_format.media_type, extension)

    async def chapters_export(request: Request) -> Response:
        detail = await _video(request, database())
        if isinstance(detail, Response):
            return detail
        if not detail.chapters:
            return _not_found("This video has no chapters.")
        lines = (f"{line}\n" for line in chapter_lines(detail.chapters))
        return _video_download(detail, lines, "text/plain", "txt", suffix=" chapters")

    return Starlette(
        routes=[
            Route(f"{EXPORT_PREFIX}/lists/{{list_id}}.{{extension}}", list_export, methods=["GET"]),
            Route(
                f"{EXPORT_PREFIX}/videos/{{video_row_id}}/transcript.{{extension}}",
                transcript_export,
                methods=["GET"],
            ),
            Route(f"{EXPORT_PREFIX}/videos/{{video_row_id}}/chapters.txt", chapters_export, methods=["GET"]),
        ]
    )


async def _video(request: Request, db: Database) -> VideoDetail | JSONResponse:
    video_row_id = _path_id(request, "video_row_id")
    if isinstance(video_row_id, Response):
        return video_row_id
    detail = await run_in_threadpool(video_detail, db, video_row_id)
    return _not_found(f"No video {video_row_id}.") if detail is None else detail


def _video_download(
    detail: VideoDetail, chunks: Iterator[str], media_type: str, extension: str, *, suffix: str = ""
) -> Response:
    video = detail.video
    fallback = f"video-{video.youtube_id}"
    stem = f"{video.title or video.youtube_id}{suffix}"
    return _download(chunks, media_type, safe_filename(stem, extension, fallback_stem=fallback), fallback)


def _download(chunks: Iterator[str], media_type: str, filename: str, fallback_stem: str) -> StreamingResponse:
    # Each next() of the generator (a database read, for a list) runs in the thread pool.
    return StreamingResponse(
        iterate_in_threadpool(chunks),
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(filename, fallback_stem=fallback_stem),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _path_id(request: Request, name: str) -> int | JSONResponse:
    """The path parameter ``name`` as a row id, or the 400 that refuses it (see :func:`row_id`)."""
    try:
        return row_id(request.path_params[name], name=name)
    except ParamError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=400)


def _not_found(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=404)
