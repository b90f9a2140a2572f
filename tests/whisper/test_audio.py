"""Splitting real audio with ffmpeg, stitching results, and the chunk folder's lifetime."""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

from robust_import_app.domain.video import CaptionSegment
from robust_import_app.whisper import (
    AudioChunk,
    TranscriptionResult,
    probe_duration_s,
    split_audio,
    stitch,
    temporary_workdir,
)

MAX_BYTES = 100_000  # about 22 s of 32 kbit/s MP3: the 60 s file needs 3 chunks
BEEP_EVERY_S = 10  # as in conftest.beeps_wav


def beep_onsets_s(path: Path) -> list[float]:
    """Where each beep starts in ``path`` (seconds), from ffmpeg's silencedetect."""
    report = subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-i",
            str(path),
            "-af",
            "silencedetect=n=-40dB:d=0.3",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    ends = [float(v) for v in re.findall(r"silence_end: ([0-9.]+)", report)]
    length_s = probe_duration_s(path)
    return [t for t in ends if t < length_s - 0.05]  # the file's end is no beep


@pytest.fixture
def chunks(beeps_wav: Path, tmp_path: Path) -> list[AudioChunk]:
    return split_audio(beeps_wav, max_bytes=MAX_BYTES, workdir=tmp_path)


def test_probe_duration_of_generated_tone(beeps_wav: Path) -> None:
    assert probe_duration_s(beeps_wav) == pytest.approx(60.0, abs=0.05)


def test_probe_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        probe_duration_s(tmp_path / "nope.wav")


def test_small_file_is_one_unchanged_chunk(beeps_wav: Path, tmp_path: Path) -> None:
    size = beeps_wav.stat().st_size
    assert split_audio(beeps_wav, max_bytes=size, workdir=tmp_path) == [AudioChunk(beeps_wav, 0.0)]
    assert list(tmp_path.iterdir()) == []


def test_split_chunks_fit_and_are_compact_mp3(chunks: list[AudioChunk]) -> None:
    assert len(chunks) == 3
    for chunk in chunks:
        assert 0 < chunk.path.stat().st_size <= MAX_BYTES
        report = subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(chunk.path)],
            capture_output=True,
            text=True,
        ).stderr
        assert re.search(r"Audio: mp3.*16000 Hz, mono", report), report


def test_split_offsets_ascend_and_cover_the_file(beeps_wav: Path, chunks: list[AudioChunk]) -> None:
    offsets = [c.offset_s for c in chunks]
    lengths = [probe_duration_s(c.path) for c in chunks]
    assert offsets[0] == 0.0
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)
    for offset, length, next_offset in zip(offsets, lengths, offsets[1:], strict=False):
        assert offset + length == pytest.approx(next_offset, abs=0.1)
    assert sum(lengths) == pytest.approx(probe_duration_s(beeps_wav), abs=0.1)


def test_split_offsets_are_exact_in_the_audio(chunks: list[AudioChunk]) -> None:
    """Each beep heard in a chunk, shifted by the chunk's offset, lands on a multiple of 10 s."""
    heard = [chunk.offset_s + t for chunk in chunks for t in beep_onsets_s(chunk.path)]
    assert heard == pytest.approx([10, 20, 30, 40, 50], abs=0.05)
    assert all(abs(t / BEEP_EVERY_S - round(t / BEEP_EVERY_S)) < 0.005 for t in heard)


def test_split_rejects_a_limit_too_small_for_one_second(beeps_wav: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="too small"):
        split_audio(beeps_wav, max_bytes=5_000, workdir=tmp_path)


def _result(language: str | None, duration_s: float | None, *cues: tuple[float, str]) -> TranscriptionResult:
    segments = tuple(CaptionSegment(start, 1.5, text) for start, text in cues)
    return TranscriptionResult(language=language, segments=segments, audio_duration_s=duration_s)


def test_stitch_shifts_segments_by_chunk_offsets_in_order() -> None:
    second = _result("en", 20.0, (0.0, "c"), (12.5, "d"))
    first = _result(None, 22.0, (1.0, "a"), (20.0, "b"))
    third = _result("de", 16.0, (3.25, "e"))
    stitched = stitch([(22.0, second), (0.0, first), (44.0, third)])
    assert [(s.start_s, s.text) for s in stitched.segments] == [
        (1.0, "a"),
        (20.0, "b"),
        (22.0, "c"),
        (34.5, "d"),
        (47.25, "e"),
    ]
    assert all(s.duration_s == 1.5 for s in stitched.segments)
    assert stitched.language == "en"
    assert stitched.audio_duration_s == 60.0


def test_stitch_of_nothing_is_empty() -> None:
    assert stitch([]) == TranscriptionResult(language=None, segments=(), audio_duration_s=None)


def test_workdir_is_removed_after_use() -> None:
    with temporary_workdir() as workdir:
        (workdir / "chunk-000.mp3").write_bytes(b"x" * 10)
        assert workdir.is_dir()
    assert not workdir.exists()


def test_workdir_is_removed_after_an_exception() -> None:
    with pytest.raises(RuntimeError, match="boom"):
        with temporary_workdir() as workdir:
            (workdir / "chunk-000.mp3").write_bytes(b"x")
            raise RuntimeError("boom")
    assert not workdir.exists()


@pytest.mark.asyncio
async def test_workdir_is_removed_when_the_task_is_cancelled() -> None:
    entered: asyncio.Future[Path] = asyncio.get_running_loop().create_future()

    async def work() -> None:
        with temporary_workdir() as workdir:
            (workdir / "chunk-000.mp3").write_bytes(b"x")
            entered.set_result(workdir)
            await asyncio.sleep(60)

    task = asyncio.create_task(work())
    workdir = await entered
    assert workdir.is_dir()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not workdir.exists()
