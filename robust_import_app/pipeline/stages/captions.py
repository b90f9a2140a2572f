"""Stage 2 (60 %): the transcript, through the caption fallback chain.

In order, the first step that yields cues wins:

1. manual captions — the video's language, then English, then any;
2. auto-generated captions — the same order;
3. the subtitle tracks yt-dlp lists (manual before auto-generated);
4. Whisper transcription of the audio (API or local model), within the
   batch's cost guard (``WHISPER_MAX_MINUTES_PER_BATCH``): the video's
   duration is counted before transcribing and given back when nothing was
   transcribed (refused key, failure to be retried, server stopped);
5. none — not an error: the video completes with caption source ``none``.

Steps 1–2 use youtube-transcript-api. Any failure of that endpoint (blocked,
rate-limited, no captions) means "try the next step", never a failed video.
A track that only YouTube's own player may fetch (``PoTokenRequired``, see
:func:`~robust_import_app.pipeline.resilience.classify.is_withheld_captions`)
ends steps 1–2 at once, without counting toward the transcripts breaker: the
next step fetches the subtitle files with yt-dlp (through the PO token
provider when ``YOUTUBE_POT_PROVIDER_URL`` is set; without one yt-dlp leaves
such tracks out), else Whisper transcribes the audio. The card's note then
says where the captions came from and why (:data:`WITHHELD_BY_YOUTUBE`).
A transient failure of yt-dlp (steps 3–4) fails the stage, to be retried
later with backoff, rather than spending Whisper minutes on a hiccup.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from robust_import_app.domain.errors import ErrorCode, ImportFailure, PermanentImportError
from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.domain.video import CaptionSegment, CaptionSource, CaptionTrack, SubtitleTrack
from robust_import_app.pipeline.queue.videos import CaptionsOutcome, ImportQueue, VideoJob
from robust_import_app.pipeline.resilience.classify import is_no_captions, is_withheld_captions
from robust_import_app.pipeline.resilience.guard import Guard
from robust_import_app.pipeline.stages import metadata as metadata_stage
from robust_import_app.pipeline.stages.context import StageContext
from robust_import_app.whisper.audio import temporary_workdir
from robust_import_app.whisper.result import TranscriptionResult
from robust_import_app.whisper.transcriber import Transcriber, transcribe_file

FALLBACK_LANGUAGE = "en"
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]+)?")
STAGE = ImportStage.CAPTIONS


@dataclass(frozen=True, slots=True)
class Skip:
    """Why a step of the chain produced nothing, as a clause in plain words (no tool names)."""

    reason: str


NO_CAPTIONS_FROM_YOUTUBE = "YouTube has none"
WITHHELD_BY_YOUTUBE = "YouTube gives this video's captions only to its own player"
"""The skip reason of a track youtube-transcript-api refuses with ``PoTokenRequired``."""


async def run(job: VideoJob, ctx: StageContext) -> CaptionsOutcome:
    """Walk the chain; returns the first transcript found or caption source ``none``.

    Raises :class:`TransientImportError` when yt-dlp (steps 3–4) or the
    Whisper API (429 with its Retry-After, 5xx, timeout) fails transiently:
    the stage is retried later. Never for caption trouble; a Whisper API
    that refuses for good (bad key, upload too large) and audio over the
    backend's download cap are skip reasons.
    """
    skips: list[Skip] = []
    for attempt in (_youtube_captions, _ytdlp_subtitles, _whisper):
        outcome = await attempt(job, ctx, skips)
        if outcome is not None:
            return _noting_withheld(outcome, skips)
    return CaptionsOutcome(
        source=CaptionSource.NONE,
        language=None,
        segments=(),
        note=note_for(skips),
    )


def save(queue: ImportQueue, job: VideoJob, outcome: CaptionsOutcome) -> None:
    """Store the transcript :func:`run` found (or caption source ``none``). Raises :class:`LeaseLost`."""
    queue.save_captions(job, outcome)


def preferred_order(codes: Iterable[str], language: str | None) -> list[str]:
    """Language codes in preference order: the video's, then English, then the rest.

    A base language matches its regional variants (``en`` matches ``en-GB``).
    """
    wanted = [code for code in (language, FALLBACK_LANGUAGE) if code]

    def rank(code: str) -> tuple[int, str]:
        base = code.split("-")[0].lower()
        for index, want in enumerate(wanted):
            if code.lower() == want.lower():
                return (2 * index, code)
            if base == want.split("-")[0].lower():
                return (2 * index + 1, code)
        return (2 * len(wanted), code)

    return sorted(dict.fromkeys(codes), key=rank)


Track = TypeVar("Track", CaptionTrack, SubtitleTrack)


def ordered_tracks(tracks: Sequence[Track], language: str | None) -> list[Track]:
    """Manual tracks before auto-generated ones, each in :func:`preferred_order`."""
    ordered: list[Track] = []
    for generated in (False, True):
        by_code = {t.language_code: t for t in tracks if t.is_generated is generated}
        ordered.extend(by_code[code] for code in preferred_order(by_code, language))
    return ordered


def _from_track(track: CaptionTrack | SubtitleTrack, segments: Sequence[CaptionSegment]) -> CaptionsOutcome:
    return CaptionsOutcome(
        source=CaptionSource.AUTO if track.is_generated else CaptionSource.MANUAL,
        language=track.language_code,
        segments=tuple(segments),
    )


async def _youtube_captions(job: VideoJob, ctx: StageContext, skips: list[Skip]) -> CaptionsOutcome | None:
    guard = ctx.guards[Upstream.TRANSCRIPT]
    try:
        async with guard.request(video_id=job.youtube_id, stage=STAGE):
            tracks = await ctx.backend.list_caption_tracks(job.youtube_id)
        for track in ordered_tracks(tracks, job.language):
            try:
                async with guard.request(video_id=job.youtube_id, stage=STAGE):
                    segments = await ctx.backend.fetch_captions(job.youtube_id, track)
            except Exception as exc:
                if is_withheld_captions(exc):
                    skips.append(Skip(WITHHELD_BY_YOUTUBE))
                    return None
                if is_no_captions(exc):
                    continue  # this track went away; the next one may not have
                raise
            if segments:
                return _from_track(track, segments)
    except ImportFailure as failure:
        skips.append(Skip(_clause(failure.message)))
        return None
    except Exception as exc:
        if not is_no_captions(exc):
            raise
    skips.append(Skip(NO_CAPTIONS_FROM_YOUTUBE))
    return None


async def _ytdlp_subtitles(job: VideoJob, ctx: StageContext, skips: list[Skip]) -> CaptionsOutcome | None:
    if job.metadata is None or (not job.metadata.subtitle_tracks and ctx.data_api is not None):
        # Resumed after a restart, or the metadata came from the Data API:
        # only yt-dlp lists subtitle files.
        job.metadata = await metadata_stage.fetch_with_ytdlp(job, ctx)
    guard = ctx.guards[Upstream.PLAYER]
    for track in ordered_tracks(job.metadata.subtitle_tracks, job.language):
        try:
            async with guard.request(video_id=job.youtube_id, stage=STAGE):
                segments = await ctx.backend.fetch_subtitle_track(job.youtube_id, track)
        except PermanentImportError as failure:
            skips.append(Skip(f"the {track.language_code} subtitles could not be fetched: {_clause(failure.message)}"))
            continue
        if segments:
            return _from_track(track, segments)
    if Skip(NO_CAPTIONS_FROM_YOUTUBE) not in skips:  # else the same news twice
        skips.append(Skip("YouTube lists no subtitle files"))
    return None


async def _whisper(job: VideoJob, ctx: StageContext, skips: list[Skip]) -> CaptionsOutcome | None:
    if ctx.transcriber is None:
        skips.append(Skip("transcription is not set up"))
        return None
    reserved_s = await _reserve_budget(job, ctx)
    if reserved_s is None:
        minutes = round((ctx.whisper_max_s_per_batch or 0) / 60, 1)
        skips.append(Skip(f"this batch reached its limit of {minutes:g} minutes of transcription"))
        return None
    engine = _guarded(ctx.transcriber, ctx.guards[Upstream.WHISPER], job.youtube_id)
    try:
        with temporary_workdir() as workdir:
            # The folder goes only once download_audio returned or raised: the
            # backend's download thread has ended by then, also on cancellation.
            result = await _download_and_transcribe(job, ctx, engine, workdir, skips)
    except BaseException:
        await _release_budget(job, ctx, reserved_s)
        raise
    if result is None:
        await _release_budget(job, ctx, reserved_s)
        return None
    if not result.segments:
        skips.append(Skip("the transcription heard no speech"))
        return None
    return CaptionsOutcome(
        source=CaptionSource.WHISPER,
        language=whisper_language(result.language, requested=job.language),
        segments=result.segments,
    )


async def _download_and_transcribe(
    job: VideoJob, ctx: StageContext, engine: Transcriber, workdir: Path, skips: list[Skip]
) -> TranscriptionResult | None:
    """The audio into ``workdir``, then its transcript; None with a skip reason when refused for good.

    Audio over the backend's download cap (TOO_LARGE) and an engine that
    refuses for good (a rejected key, an upload over its limit) are skip
    reasons; every other failure propagates (a live stream fails the video).
    """
    try:
        async with ctx.guards[Upstream.PLAYER].request(video_id=job.youtube_id, stage=STAGE):
            audio = await ctx.backend.download_audio(job.youtube_id, workdir)
    except PermanentImportError as failure:
        if failure.code is not ErrorCode.TOO_LARGE:
            raise
        skips.append(Skip("the audio is too large to transcribe"))
        return None
    try:
        return await transcribe_file(
            engine, audio, max_upload_bytes=ctx.whisper_max_upload_bytes, language=job.language
        )
    except PermanentImportError as failure:  # e.g. the key is rejected: skip, don't fail
        skips.append(Skip(f"transcription failed: {_clause(failure.message)}"))
        return None


def whisper_language(reported: str | None, *, requested: str | None) -> str | None:
    """The transcript's language as a code like the caption tracks' (``en``, ``pt-BR``).

    The local engine reports a code; OpenAI and Groq name the language in
    English (``english``), and then the code the request asked for is the
    transcript's language. Without either, the reported value is kept.
    """
    if reported and _LANGUAGE_CODE.fullmatch(reported):
        return reported
    return requested or reported


async def _reserve_budget(job: VideoJob, ctx: StageContext) -> float | None:
    """Seconds counted against the batch's cap (0 without a cap), None when refused."""
    if ctx.whisper_max_s_per_batch is None or job.batch_id is None:
        return 0.0
    seconds = float(job.duration_s or 0)
    reserved = await asyncio.to_thread(
        ctx.queue.reserve_whisper_seconds, job, seconds=seconds, cap_s=ctx.whisper_max_s_per_batch
    )
    return seconds if reserved else None


async def _release_budget(job: VideoJob, ctx: StageContext, seconds: float) -> None:
    if seconds and job.batch_id is not None:
        # Shielded: runs to the end also when the stage is being cancelled.
        await asyncio.shield(asyncio.to_thread(ctx.queue.release_whisper_seconds, job))


class _GuardedTranscriber:
    """A Whisper engine whose every call (one per chunk) passes the Whisper guard."""

    def __init__(self, engine: Transcriber, guard: Guard, video_id: str) -> None:
        self.max_upload_bytes = engine.max_upload_bytes
        self._engine = engine
        self._guard = guard
        self._video_id = video_id

    async def transcribe(self, audio_path: Path, *, language: str | None = None) -> TranscriptionResult:
        async with self._guard.request(video_id=self._video_id, stage=STAGE):
            return await self._engine.transcribe(audio_path, language=language)

    async def aclose(self) -> None:
        await self._engine.aclose()


def _guarded(engine: Transcriber, guard: Guard, video_id: str) -> Transcriber:
    # The local model runs here: no upstream to protect.
    return engine if engine.max_upload_bytes is None else _GuardedTranscriber(engine, guard, video_id)


_FOUND_ELSEWHERE = {
    CaptionSource.MANUAL: "Captions taken from YouTube's subtitle files",
    CaptionSource.AUTO: "Captions taken from YouTube's subtitle files",
    CaptionSource.WHISPER: "Captions transcribed from the audio",
}


def _noting_withheld(outcome: CaptionsOutcome, skips: Sequence[Skip]) -> CaptionsOutcome:
    """``outcome`` with a note saying where its captions came from when YouTube withheld its own tracks.

    E.g. ``"Captions transcribed from the audio, as YouTube gives this video's
    captions only to its own player."``; any other outcome is returned as is.
    """
    if Skip(WITHHELD_BY_YOUTUBE) not in skips or outcome.source not in _FOUND_ELSEWHERE:
        return outcome
    note = f"{_FOUND_ELSEWHERE[outcome.source]}, as {WITHHELD_BY_YOUTUBE}."
    return dataclasses.replace(outcome, note=note)


def note_for(skips: Sequence[Skip]) -> str:
    """The card's note for a video left without captions, e.g.
    ``"No captions: YouTube has none, and transcription is not set up."`` ("" for no skips).
    """
    reasons = list(dict.fromkeys(skip.reason for skip in skips))
    if not reasons:
        return ""
    if len(reasons) == 1:
        joined = reasons[0]
    elif len(reasons) == 2:
        joined = f"{reasons[0]}, and {reasons[1]}"
    else:
        joined = "; ".join(reasons[:-1]) + f"; and {reasons[-1]}"
    return f"No captions: {joined}."


def _clause(message: str) -> str:
    """An error's sentence as a clause: no closing full stop, a lower-case first word unless it is a name."""
    text = message.rstrip(".")
    first_word = text.split(" ", 1)[0]
    if first_word[1:].islower():  # "The" becomes "the"; "YouTube" stays
        text = text[0].lower() + text[1:]
    return text
