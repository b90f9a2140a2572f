"""The simulated YouTube: recorded answers, generated videos, faults, rate limit."""

from __future__ import annotations

import dataclasses
import json
import re
import time
import wave
from pathlib import Path
from typing import Any

import pytest
import requests
import youtube_transcript_api as yta
from yt_dlp.extractor.youtube import YoutubeIE
from yt_dlp.networking.exceptions import HTTPError, TransportError
from yt_dlp.utils import DownloadError, ExtractorError

from robust_import_app.domain.upstreams import Upstream
from robust_import_app.domain.video import CaptionSegment, CaptionTrack, SubtitleTrack
from robust_import_app.youtube.chapters import parse_chapters
from robust_import_app.youtube.info import metadata_from_info
from robust_import_app.youtube.sim import FaultKind, FaultMix, FaultPlan, SimBackend
from robust_import_app.youtube.sim.audio import MAX_AUDIO_S, TONE_RATE_HZ, write_audio
from robust_import_app.youtube.sim.captions import generated_cues, render
from robust_import_app.youtube.sim.playability import LOGIN_HINT, Unplayable, ytdlp_reason
from robust_import_app.youtube.subtitles import parse_subtitles
from tests.clock import FakeClock
from tests.conftest import CORPUS_DIR

CORPUS = CORPUS_DIR
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")

PRIVATE = re.escape("Private video. Sign in if you've been granted access to this video. " + LOGIN_HINT)
REMOVED = re.escape("Video unavailable. This video has been removed by the uploader")
AGE = re.escape("Sign in to confirm your age. This video may be inappropriate for some users. " + LOGIN_HINT)
MEMBERS = re.escape(
    "Join this channel to get access to members-only content like this video, and other exclusive perks."
)
BOT = re.escape("Sign in to confirm you\u2019re not a bot. " + LOGIN_HINT)


def ytdlp_message(video_id: str, reason_pattern: str) -> str:
    """The full DownloadError message yt-dlp prints for a refused video."""
    return rf"^ERROR: \[youtube\] {video_id}: {reason_pattern}$"


async def raised(coro: Any) -> BaseException:
    """The exception ``coro`` raises (fails the test when it returns)."""
    try:
        await coro
    except Exception as exc:  # noqa: BLE001
        return exc
    pytest.fail("no exception raised")


# --- recorded videos --------------------------------------------------------


@needs_corpus
@pytest.mark.asyncio
async def test_recorded_info_json_is_answered_verbatim() -> None:
    sim = SimBackend(corpus_dir=CORPUS)
    info = json.loads((CORPUS / "tubesync/metadata_low_formats.json").read_text(encoding="utf-8"))
    metadata = await sim.fetch_metadata("gogEJyoSB9s")
    assert metadata == metadata_from_info(info)
    assert (metadata.duration_s, len(metadata.chapters)) == (7205, 27)
    assert await sim.list_caption_tracks("gogEJyoSB9s") == [CaptionTrack("en", "English (auto-generated)", True)]


@needs_corpus
@pytest.mark.asyncio
async def test_recorded_player_response_gives_title_tracks_and_recorded_transcript() -> None:
    sim = SimBackend(corpus_dir=CORPUS)
    metadata = await sim.fetch_metadata("GJLlxj_dtq8")
    assert (metadata.title, metadata.channel, metadata.duration_s) == (
        "Surface Go Review - It\u2019s Awesome",
        "Dave2D",
        316,
    )
    tracks = await sim.list_caption_tracks("GJLlxj_dtq8")
    assert len(tracks) == 9
    assert CaptionTrack("en", "English (auto-generated)", True) in tracks
    assert CaptionTrack("de", "German", False) in tracks
    cues = await sim.fetch_captions("GJLlxj_dtq8", CaptionTrack("en", "English", False))
    assert cues[1] == CaptionSegment(1.54, 4.16, "this is not the original transcript")
    assert len(cues) == 3


@needs_corpus
@pytest.mark.asyncio
async def test_recorded_refusals_raise_what_the_libraries_raise() -> None:
    sim = SimBackend(corpus_dir=CORPUS)
    private = await raised(sim.fetch_metadata("m8uHb5jIGN8"))
    assert isinstance(private, DownloadError)
    assert re.match(ytdlp_message("m8uHb5jIGN8", PRIVATE), str(private))
    unplayable = await raised(sim.list_caption_tracks("m8uHb5jIGN8"))
    assert isinstance(unplayable, yta.VideoUnplayable) and unplayable.reason == "This video is private."

    age = await raised(sim.fetch_metadata("Njp5uhTorCo"))
    assert re.match(ytdlp_message("Njp5uhTorCo", AGE), str(age))
    assert isinstance(await raised(sim.list_caption_tracks("Njp5uhTorCo")), yta.AgeRestricted)

    live = await raised(sim.fetch_metadata("5YceQ8YqYMc"))
    assert str(live) == "ERROR: [youtube] 5YceQ8YqYMc: This live stream recording is not available."
    assert isinstance(await raised(sim.list_caption_tracks("5YceQ8YqYMc")), yta.VideoUnplayable)


@needs_corpus
@pytest.mark.asyncio
@pytest.mark.parametrize("video_id", ["dsMFmonKDD4", "Fjg5lYqvzUs", "WXxV9g7lsFE"])
async def test_recorded_videos_without_captions_raise_transcripts_disabled(video_id: str) -> None:
    sim = SimBackend(corpus_dir=CORPUS)
    assert (await sim.fetch_metadata(video_id)).subtitle_tracks == ()
    assert isinstance(await raised(sim.list_caption_tracks(video_id)), yta.TranscriptsDisabled)


def test_corpus_skips_playlists_and_anonymised_ids() -> None:
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not available")
    recorded = SimBackend(corpus_dir=CORPUS)._recorded  # noqa: SLF001
    assert {"gogEJyoSB9s", "JjQDik3yNhA", "L_jWHffIx5E", "m8uHb5jIGN8", "QRS8MkLhQmM"} <= set(recorded)
    assert not {"ABC123", "UCcRSMoQqXc_JrBZRHDFGbqA"} & set(recorded)


# --- generated videos -------------------------------------------------------


@pytest.mark.asyncio
async def test_generated_videos_are_deterministic_per_id() -> None:
    first, second = SimBackend(seed=1), SimBackend(seed=2)
    a = await first.fetch_metadata("abcdefghijk")
    assert a == await second.fetch_metadata("abcdefghijk")
    assert a != await first.fetch_metadata("abcdefghijK")
    track = (await first.list_caption_tracks("abcdefghijk"))[0]
    assert await first.fetch_captions("abcdefghijk", track) == await second.fetch_captions("abcdefghijk", track)


@pytest.mark.asyncio
async def test_generated_videos_look_like_youtube_videos() -> None:
    sim = SimBackend()
    ids = [f"v{n:010d}" for n in range(200)]
    caption_kinds = {"none": 0, "manual": 0, "auto": 0}
    with_chapters = 0
    for video_id in ids:
        metadata = await sim.fetch_metadata(video_id)
        assert 60 <= (metadata.duration_s or 0) <= 3600 and metadata.title and metadata.channel
        assert metadata.published is not None and metadata.thumbnail_url
        parsed = parse_chapters(metadata.description, metadata.duration_s)
        if parsed:
            with_chapters += 1
            assert parsed[0].start_time == 0 and len(parsed) >= 3
            assert all(c.end_time - c.start_time >= 10 for c in parsed)
            assert metadata.chapters in ((), tuple(parsed))
        generated = {t.is_generated for t in metadata.subtitle_tracks}
        caption_kinds["none" if not generated else "manual" if False in generated else "auto"] += 1
    assert 0.05 <= caption_kinds["none"] / len(ids) <= 0.16
    assert caption_kinds["manual"] > 40 and caption_kinds["auto"] > 60
    assert 0.75 <= with_chapters / len(ids) <= 0.95


@pytest.mark.asyncio
async def test_some_generated_videos_leave_chapters_to_the_description_parser() -> None:
    sim = SimBackend()
    chapter_fields = [(await sim.fetch_metadata(f"c{n:010d}")).chapters for n in range(60)]
    assert any(chapters == () for chapters in chapter_fields)
    assert any(len(chapters) >= 3 for chapters in chapter_fields)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("video_id", "reason", "transcript_error"),
    [
        ("privAAAAAAA", PRIVATE, yta.VideoUnplayable),
        ("gone_123456", REMOVED, yta.VideoUnavailable),
        ("agex-abcdef", AGE, yta.AgeRestricted),
        ("membXXXXXXX", MEMBERS, yta.VideoUnplayable),
        ("botc0000000", BOT, yta.RequestBlocked),
    ],
)
async def test_id_classes_refuse_like_youtube(video_id: str, reason: str, transcript_error: type) -> None:
    sim = SimBackend()
    for call in (sim.fetch_metadata(video_id), sim.download_audio(video_id, Path("/nonexistent"))):
        error = await raised(call)
        assert isinstance(error, DownloadError)
        assert re.match(ytdlp_message(video_id, reason), str(error)), str(error)
        assert isinstance(error.exc_info[1], ExtractorError) and error.exc_info[1].expected
    assert type(await raised(sim.list_caption_tracks(video_id))) is transcript_error


@pytest.mark.asyncio
async def test_caption_id_classes() -> None:
    sim = SimBackend()
    assert isinstance(await raised(sim.list_caption_tracks("blokAAAAAAA")), yta.RequestBlocked)
    assert (await sim.fetch_metadata("blokAAAAAAA")).subtitle_tracks
    assert (await sim.fetch_metadata("nocaAAAAAAA")).subtitle_tracks == ()
    assert isinstance(await raised(sim.list_caption_tracks("nocaAAAAAAA")), yta.TranscriptsDisabled)
    assert {t.is_generated for t in await sim.list_caption_tracks("manuAAAAAAA")} == {False, True}
    assert {t.is_generated for t in await sim.list_caption_tracks("autoAAAAAAA")} == {True}
    nchp = await sim.fetch_metadata("nchpAAAAAAA")
    assert nchp.chapters == () and parse_chapters(nchp.description, nchp.duration_s) == []


@pytest.mark.asyncio
async def test_unlisted_caption_track_raises_no_transcript_found() -> None:
    sim = SimBackend()
    error = await raised(sim.fetch_captions("autoAAAAAAA", CaptionTrack("en", "English", False)))
    assert isinstance(error, yta.NoTranscriptFound)


@pytest.mark.asyncio
async def test_subtitle_tracks_parse_identically_in_every_format() -> None:
    sim = SimBackend()
    track = (await sim.fetch_metadata("manuAAAAAAA")).subtitle_tracks[0]
    cues = {
        ext: await sim.fetch_subtitle_track("manuAAAAAAA", dataclasses.replace(track, ext=ext))
        for ext in ("json3", "vtt", "srv1")
    }
    assert cues["json3"] == cues["vtt"] == cues["srv1"] and len(cues["json3"]) > 10
    assert cues["json3"] == await sim.fetch_captions("manuAAAAAAA", CaptionTrack(track.language_code, "English", False))
    missing = SubtitleTrack("xx", "json3", "https://www.youtube.com/api/timedtext?v=manuAAAAAAA", False)
    error = await raised(sim.fetch_subtitle_track("manuAAAAAAA", missing))
    assert str(error) == "ERROR: Unable to download video subtitles for 'xx': HTTP Error 404: Not Found"
    foreign = dataclasses.replace(track, url="https://evil.example/api/timedtext?v=manuAAAAAAA")
    with pytest.raises(ValueError):
        await sim.fetch_subtitle_track("manuAAAAAAA", foreign)


def test_render_round_trips_through_the_parsers() -> None:
    cues = generated_cues("abcdefghijk", "en", is_generated=False, duration_s=90)
    for ext in ("json3", "vtt", "srv1"):
        assert parse_subtitles(render(cues, ext), ext) == cues
    with pytest.raises(ValueError):
        render(cues, "ttml")


@pytest.mark.asyncio
async def test_invalid_ids_are_refused_before_any_call_is_counted() -> None:
    sim = SimBackend(rate_per_s=1)
    for bad in ("https://youtu.be/abcdefghijk", "abcdefghij", "abcdefghijk\n", "abc def ghi"):
        with pytest.raises(ValueError):
            await sim.fetch_metadata(bad)
        with pytest.raises(ValueError):
            await sim.list_caption_tracks(bad)
    assert sim.stats.player.accepted == sim.stats.player.rejected == sim.stats.transcript.accepted == 0


# --- faults -----------------------------------------------------------------


def only(kind: str, seed: int = 0) -> SimBackend:
    """A simulator where every call meets fault ``kind``."""
    return SimBackend(faults=FaultMix.parse(f"{kind}:1"), seed=seed)


@pytest.mark.asyncio
async def test_player_429_is_yt_dlp_http_error_without_retry_after() -> None:
    error = await raised(only("429").fetch_metadata("abcdefghijk"))
    assert isinstance(error, DownloadError)
    assert str(error) == (
        "ERROR: [youtube] abcdefghijk: Unable to download API page: HTTP Error 429: "
        "Too Many Requests (caused by <HTTPError 429: Too Many Requests>)"
    )
    http_error = error.exc_info[1]
    assert isinstance(http_error, HTTPError) and http_error.status == 429
    assert http_error.response.headers.get("Retry-After") is None


@pytest.mark.asyncio
async def test_player_5xx_and_timeout() -> None:
    error = await raised(only("5xx").fetch_metadata("abcdefghijk"))
    status = error.exc_info[1].status
    assert status in (500, 502, 503)
    assert re.match(
        r"^ERROR: \[youtube\] abcdefghijk: Unable to download API page: HTTP Error 5\d\d: "
        r"[A-Za-z ]+ \(caused by <HTTPError 5\d\d: [A-Za-z ]+>\)$",
        str(error),
    )
    timeout = await raised(only("timeout").fetch_metadata("abcdefghijk"))
    assert isinstance(timeout.exc_info[1], TransportError)
    assert isinstance(timeout.exc_info[1].cause, requests.exceptions.ReadTimeout)
    assert str(timeout).startswith(
        "ERROR: [youtube] abcdefghijk: Unable to download API page: HTTPSConnectionPool(host='www.youtube.com', "
        "port=443): Read timed out. (read timeout=20.0) (caused by TransportError("
    )


@pytest.mark.asyncio
async def test_player_bot_check_fault() -> None:
    error = await raised(only("bot_check").fetch_metadata("abcdefghijk"))
    assert re.match(ytdlp_message("abcdefghijk", BOT), str(error))


@pytest.mark.asyncio
async def test_subtitle_faults_are_yt_dlp_subtitle_errors() -> None:
    track = SubtitleTrack("en", "json3", "https://www.youtube.com/api/timedtext?v=abcdefghijk&fmt=json3", True)
    error = await raised(only("429").fetch_subtitle_track("abcdefghijk", track))
    assert str(error) == "ERROR: Unable to download video subtitles for 'en': HTTP Error 429: Too Many Requests"
    assert isinstance(error.exc_info[1], HTTPError)
    timeout = await raised(only("timeout").fetch_subtitle_track("abcdefghijk", track))
    assert str(timeout).startswith("ERROR: Unable to download video subtitles for 'en': HTTPSConnectionPool(")


@pytest.mark.asyncio
async def test_transcript_faults_are_youtube_transcript_api_errors() -> None:
    assert type(await raised(only("429").list_caption_tracks("abcdefghijk"))) is yta.IpBlocked
    assert type(await raised(only("bot_check").list_caption_tracks("abcdefghijk"))) is yta.RequestBlocked
    timeout = await raised(only("timeout").list_caption_tracks("abcdefghijk"))
    assert type(timeout) is requests.exceptions.ReadTimeout
    failed = await raised(only("5xx").fetch_captions("abcdefghijk", CaptionTrack("en", "English", True)))
    assert type(failed) is yta.YouTubeRequestFailed
    context = failed.__context__
    assert isinstance(context, requests.HTTPError) and context.response.status_code in (500, 502, 503)
    assert failed.reason == str(context)
    assert re.match(
        r"^\d{3} Server Error: [A-Za-z ]+ for url: https://www\.youtube\.com/watch\?v=abcdefghijk$", failed.reason
    )


@pytest.mark.asyncio
async def test_faults_are_reproducible_under_a_seed() -> None:
    mix = FaultMix.parse("429:0.2,5xx:0.1,timeout:0.1,bot_check:0.05,private:0.1,removed:0.05")

    async def outcomes(seed: int) -> list[str]:
        sim = SimBackend(faults=mix, seed=seed)
        result = []
        for n in range(120):
            video_id = f"s{n % 30:010d}"
            call = sim.fetch_metadata(video_id) if n % 2 else sim.list_caption_tracks(video_id)
            try:
                await call
                result.append("ok")
            except Exception as exc:  # noqa: BLE001
                result.append(f"{type(exc).__name__}:{str(exc)[:60]}")
        return result

    first = await outcomes(7)
    assert first == await outcomes(7)
    assert first != await outcomes(8)
    assert 0 < first.count("ok") < len(first)


@pytest.mark.asyncio
async def test_permanent_faults_stick_to_their_video() -> None:
    sim = SimBackend(faults=FaultMix.parse("private:0.3,removed:0.2"), seed=3)
    kinds = {}
    for n in range(40):
        video_id = f"p{n:010d}"
        seen = set()
        for _ in range(3):
            try:
                await sim.fetch_metadata(video_id)
                seen.add("ok")
            except DownloadError as exc:
                seen.add("private" if "Private video" in str(exc) else "removed")
        assert len(seen) == 1, seen
        kinds[video_id] = seen.pop()
        if kinds[video_id] == "private":
            assert type(await raised(sim.list_caption_tracks(video_id))) is yta.VideoUnplayable
    assert set(kinds.values()) == {"ok", "private", "removed"}


def test_fault_plan_draws_per_video_and_upstream_independent_of_order() -> None:
    mix = FaultMix.parse("429:0.5")
    forward, backward = FaultPlan(mix, seed=1), FaultPlan(mix, seed=1)
    ids = [f"o{n:010d}" for n in range(20)]
    a = [forward.transient(v, Upstream.PLAYER) for v in ids]
    b = [backward.transient(v, Upstream.PLAYER) for v in reversed(ids)][::-1]
    assert a == b and None in a and any(a)


@pytest.mark.parametrize(
    "text",
    ["nonsense:0.1", "429", "429:abc", "429:1.5", "429:0.6,5xx:0.6", "private:0.7,removed:0.4", "429:0.1,429:0.2"],
)
def test_fault_mix_rejects_bad_specs(text: str) -> None:
    with pytest.raises(ValueError):
        FaultMix.parse(text)


def test_fault_mix_parses_and_prints() -> None:
    mix = FaultMix.parse(" 429:0.1, 5xx:0.05,timeout:0.02,private:0.02,removed:0.01,bot_check:0.005 ")
    assert mix.probabilities[FaultKind.RATE_LIMITED] == 0.1
    assert FaultKind.PRIVATE.is_permanent and not FaultKind.BOT_CHECK.is_permanent
    assert FaultMix.parse(str(mix)) == mix
    assert FaultMix.parse("").probabilities == {}


# --- rate limit, latency, stats --------------------------------------------


@pytest.mark.asyncio
async def test_rate_limit_answers_429_with_retry_after_and_counts() -> None:
    clock = FakeClock(100.0)
    sim = SimBackend(rate_per_s=2, clock=clock)
    await sim.fetch_metadata("abcdefghijk")
    await sim.fetch_metadata("abcdefghij2")
    error = await raised(sim.fetch_metadata("abcdefghij3"))
    assert "HTTP Error 429: Too Many Requests" in str(error)
    assert error.exc_info[1].response.headers["Retry-After"] == "1"
    await sim.list_caption_tracks("autoAAAAAAA")  # the transcript upstream has its own bucket
    clock.now += 0.5
    await sim.fetch_metadata("abcdefghij3")
    assert dataclasses.astuple(sim.stats.player) == (3, 1, 0)
    assert dataclasses.astuple(sim.stats.transcript) == (1, 0, 0)


@pytest.mark.asyncio
async def test_slow_rate_gives_whole_second_retry_after_rounded_up() -> None:
    clock = FakeClock(100.0)
    sim = SimBackend(rate_per_s=0.3, clock=clock)
    await sim.list_caption_tracks("autoAAAAAAA")
    clock.now += 0.1  # a token needs 1/0.3 = 3.33 s; 3.23 s remain
    error = await raised(sim.list_caption_tracks("autoAAAAAAA"))
    assert type(error) is yta.IpBlocked  # what the library raises for HTTP 429
    player = SimBackend(rate_per_s=0.3, clock=clock)
    await player.fetch_metadata("abcdefghijk")
    clock.now += 0.1
    error = await raised(player.fetch_metadata("abcdefghijk"))
    assert error.exc_info[1].response.headers["Retry-After"] == "4"


@pytest.mark.asyncio
async def test_injected_faults_are_counted() -> None:
    sim = only("5xx")
    for _ in range(3):
        await raised(sim.fetch_metadata("abcdefghijk"))
    assert dataclasses.astuple(sim.stats.player) == (3, 0, 3)


@pytest.mark.asyncio
async def test_latency_is_applied_before_each_call() -> None:
    sim = SimBackend(latency_s=0.05)
    started = time.monotonic()
    await sim.fetch_metadata("abcdefghijk")
    await sim.list_caption_tracks("autoAAAAAAA")
    assert time.monotonic() - started >= 0.1
    with pytest.raises(ValueError):
        SimBackend(latency_s=-1)


# --- audio ------------------------------------------------------------------


@pytest.mark.asyncio
async def test_download_audio_writes_a_real_wav(tmp_path: Path) -> None:
    path = await SimBackend().download_audio("abcdefghijk", tmp_path)
    assert path == tmp_path / "abcdefghijk.wav"
    with wave.open(str(path), "rb") as audio:
        seconds = audio.getnframes() / audio.getframerate()
        assert audio.getnchannels() == 1 and audio.getsampwidth() == 2
    assert 0.5 < seconds <= MAX_AUDIO_S


def test_tone_audio_lasts_the_video_duration_capped(tmp_path: Path) -> None:
    short = write_audio(tmp_path / "short.wav", text="", duration_s=2.5, speech=False)
    long = write_audio(tmp_path / "long.wav", text="", duration_s=3600, speech=False)
    with wave.open(str(short), "rb") as audio:
        assert audio.getnframes() == int(2.5 * TONE_RATE_HZ)
        assert max(audio.readframes(TONE_RATE_HZ)) > 0
    with wave.open(str(long), "rb") as audio:
        assert audio.getnframes() == int(MAX_AUDIO_S * TONE_RATE_HZ)


# --- configuration and message mirrors --------------------------------------


def test_from_env_reads_every_variable(tmp_path: Path) -> None:
    sim = SimBackend.from_env(
        {
            "IMPORT_SIM_LATENCY_MS": "250",
            "IMPORT_SIM_RATE": "4.5",
            "IMPORT_SIM_FAULTS": "429:0.1,private:0.01",
            "IMPORT_SIM_SEED": "42",
            "IMPORT_SIM_CORPUS": "",
        }
    )
    assert (sim.latency_s, sim.rate_per_s, sim.seed) == (0.25, 4.5, 42)
    assert sim.faults == FaultMix.parse("429:0.1,private:0.01")
    defaults = SimBackend.from_env({})
    assert (defaults.latency_s, defaults.rate_per_s, defaults.faults, defaults.seed) == (0.0, None, None, 0)
    with pytest.raises(ValueError, match="IMPORT_SIM_RATE"):
        SimBackend.from_env({"IMPORT_SIM_RATE": "fast"})
    with pytest.raises(FileNotFoundError):
        SimBackend.from_env({"IMPORT_SIM_CORPUS": str(tmp_path / "missing")})


def test_login_hint_matches_installed_yt_dlp() -> None:
    assert YoutubeIE(None)._youtube_login_hint == LOGIN_HINT  # noqa: SLF001


@needs_corpus
def test_bot_check_status_reads_like_the_recorded_one() -> None:
    recorded = json.loads(
        (CORPUS / "youtube-transcript-api/youtube_request_blocked.innertube.json.static").read_text("utf-8")
    )
    assert ytdlp_reason(recorded["playabilityStatus"]) == ytdlp_reason(Unplayable.BOT_CHECK.web_status)
    assert ytdlp_reason(recorded["playabilityStatus"]).startswith("Sign in to confirm you\u2019re not a bot. Use")
