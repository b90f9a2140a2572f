"""Small real audio files standing in for a video's soundtrack.

With ``espeak-ng`` on PATH the file is speech of the given text, so a speech
recogniser has something to transcribe; without it, a 440 Hz sine tone as long
as the video. Either way a 16-bit mono WAV of at most :data:`MAX_AUDIO_S`.
"""

from __future__ import annotations

import math
import shutil
import struct
import subprocess
import wave
from pathlib import Path

MAX_AUDIO_S = 30.0
TONE_RATE_HZ = 16_000
TONE_PITCH_HZ = 440.0
ESPEAK_TIMEOUT_S = 30.0


def speech_available() -> bool:
    """True when ``espeak-ng`` is on PATH."""
    return shutil.which("espeak-ng") is not None


def write_audio(path: Path, *, text: str, duration_s: float, speech: bool) -> Path:
    """Write speech of ``text`` (``speech=True``) or a tone of ``duration_s`` seconds.

    Both are capped to :data:`MAX_AUDIO_S`. Returns ``path``. Raises OSError
    when the file cannot be written, ``subprocess.CalledProcessError`` when
    espeak-ng fails.
    """
    if speech:
        subprocess.run(
            ["espeak-ng", "-w", str(path), "--", text],
            check=True,
            capture_output=True,
            timeout=ESPEAK_TIMEOUT_S,
        )
        _truncate(path, MAX_AUDIO_S)
    else:
        _write_tone(path, min(duration_s, MAX_AUDIO_S))
    return path


def _write_tone(path: Path, duration_s: float) -> None:
    """A sine tone at :data:`TONE_PITCH_HZ`, half amplitude."""
    frames = int(duration_s * TONE_RATE_HZ)
    step = 2 * math.pi * TONE_PITCH_HZ / TONE_RATE_HZ
    samples = struct.pack(f"<{frames}h", *(int(16_000 * math.sin(i * step)) for i in range(frames)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(TONE_RATE_HZ)
        out.writeframes(samples)


def _truncate(path: Path, max_s: float) -> None:
    """Cut a WAV file to at most ``max_s`` seconds."""
    with wave.open(str(path), "rb") as source:
        params = source.getparams()
        keep = min(params.nframes, int(max_s * params.framerate))
        if keep == params.nframes:
            return
        frames = source.readframes(keep)
    with wave.open(str(path), "wb") as out:
        out.setparams(params)
        out.writeframes(frames)
