"""Audio files for Whisper: measure, split under an upload limit, stitch back.

Uses the ffmpeg binary bundled with imageio-ffmpeg, so nothing needs to be
installed system-wide. Times are in seconds, sizes in bytes.
"""

from __future__ import annotations

import contextlib
import math
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import imageio_ffmpeg

from robust_import_app.whisper.result import TranscriptionResult

DEFAULT_CHUNK_BITRATE_BPS = 32_000
"""Chunks are mono 16 kHz MP3 at 32 kbit/s: 4,000 bytes a second, about
6,250 seconds (1 h 44 min) under Groq's 25 MB. Whisper hears 16 kHz anyway."""
DEFAULT_CHUNK_SAMPLE_RATE_HZ = 16_000
DEFAULT_SIZE_MARGIN = 0.9
"""Chunks aim at 90 % of the limit, minus :data:`DEFAULT_HEADER_BYTES`."""
DEFAULT_HEADER_BYTES = 4_096
MIN_CHUNK_S = 1.0

_DURATION = re.compile(r"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")
_TIME = re.compile(r"time=\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """One piece of a split file; ``offset_s`` is where it starts in the original."""

    path: Path
    offset_s: float


def _ffmpeg(*args: str) -> subprocess.CompletedProcess[str]:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _seconds(match: re.Match[str]) -> float:
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def probe_duration_s(path: Path) -> float:
    """The length of an audio or video file in seconds.

    Reads the container's ``Duration:`` from ffmpeg's report; when the
    container has none (``N/A``) the file is decoded to find its end.
    Raises :class:`FileNotFoundError` for a missing file and
    :class:`ValueError` when ffmpeg cannot read it.
    """
    if not Path(path).is_file():
        raise FileNotFoundError(path)
    match = _DURATION.search(_ffmpeg("-i", str(path)).stderr)
    if match:
        return _seconds(match)
    times = list(_TIME.finditer(_ffmpeg("-i", str(path), "-vn", "-f", "null", "-").stderr))
    if not times:
        raise ValueError(f"ffmpeg found no audio duration in {path}")
    return _seconds(times[-1])


def chunk_duration_s(max_bytes: int, *, bitrate_bps: int = DEFAULT_CHUNK_BITRATE_BPS) -> float:
    """The longest chunk (seconds) that stays under ``max_bytes`` with a margin.

    Raises :class:`ValueError` when that is shorter than :data:`MIN_CHUNK_S`.
    """
    seconds = (max_bytes * DEFAULT_SIZE_MARGIN - DEFAULT_HEADER_BYTES) / (bitrate_bps / 8)
    if seconds < MIN_CHUNK_S:
        raise ValueError(f"max_bytes={max_bytes} is too small for a {MIN_CHUNK_S} s chunk")
    return seconds


def split_audio(path: Path, *, max_bytes: int, workdir: Path) -> list[AudioChunk]:
    """Cut ``path`` into consecutive chunks of at most ``max_bytes`` each.

    A file already at or under ``max_bytes`` comes back unchanged as one chunk
    at offset 0. A larger one is re-encoded into ``workdir`` as mono 16 kHz
    32 kbit/s MP3 pieces of :func:`chunk_duration_s` seconds, each cut with
    sample-accurate ``-ss``/``-t``, so chunk ``i`` starts exactly at
    ``i * chunk_duration_s`` (the last one runs to the end of the file).
    Raises :class:`ValueError` for a too small ``max_bytes`` and
    :class:`subprocess.CalledProcessError` when ffmpeg fails. Blocking: call
    it through :func:`asyncio.to_thread` from async code.
    """
    path = Path(path)
    if path.stat().st_size <= max_bytes:
        return [AudioChunk(path=path, offset_s=0.0)]
    step_s = chunk_duration_s(max_bytes)
    count = max(1, math.ceil(probe_duration_s(path) / step_s - 1e-6))
    chunks = []
    for index in range(count):
        offset_s = index * step_s
        target = Path(workdir) / f"chunk-{index:03d}.mp3"
        length = ["-t", f"{step_s:.6f}"] if index < count - 1 else []
        args = ["-y", "-ss", f"{offset_s:.6f}", *length, "-i", str(path), "-vn", "-sn"]
        args += ["-map_metadata", "-1", "-ac", "1", "-ar", str(DEFAULT_CHUNK_SAMPLE_RATE_HZ)]
        args += ["-c:a", "libmp3lame", "-b:a", str(DEFAULT_CHUNK_BITRATE_BPS), str(target)]
        done = _ffmpeg(*args)
        if done.returncode != 0:
            raise subprocess.CalledProcessError(done.returncode, done.args, stderr=done.stderr)
        chunks.append(AudioChunk(path=target, offset_s=offset_s))
    return chunks


def stitch(chunks_results: list[tuple[float, TranscriptionResult]]) -> TranscriptionResult:
    """Join per-chunk results into one, shifting each segment by its chunk's offset.

    Takes ``(offset_s, result)`` pairs, in any order (they are sorted by
    offset). The language is the first one a chunk reported; the duration is
    the last chunk's offset plus its duration, or None if it gave none.
    """
    ordered = sorted(chunks_results, key=lambda pair: pair[0])
    segments = tuple(
        replace(segment, start_s=segment.start_s + offset_s)
        for offset_s, result in ordered
        for segment in result.segments
    )
    language = next((r.language for _, r in ordered if r.language), None)
    duration_s = None
    if ordered and ordered[-1][1].audio_duration_s is not None:
        duration_s = ordered[-1][0] + ordered[-1][1].audio_duration_s
    return TranscriptionResult(language=language, segments=segments, audio_duration_s=duration_s)


@contextlib.contextmanager
def temporary_workdir() -> Iterator[Path]:
    """A fresh folder for audio files, removed on exit: normal, error or cancellation.

    :class:`asyncio.CancelledError` (a server stop) unwinds through the
    ``with`` block like any exception, so the folder goes then too. A worker
    thread still writing into it must have ended by then (yt-dlp re-creates a
    removed folder): await such threads with
    :func:`robust_import_app.threads.run_in_thread_to_the_end`, as
    both YouTube backends' ``download_audio`` do.
    """
    with tempfile.TemporaryDirectory(prefix="whisper-", ignore_cleanup_errors=True) as name:
        yield Path(name)
