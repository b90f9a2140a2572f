"""Real audio files for the Whisper tests, made with the bundled ffmpeg and espeak-ng."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

ESPEAK = shutil.which("espeak-ng")
SPOKEN = "The quick brown fox jumps over the lazy dog. Thank you very much for listening."
BEEP_EVERY_S = 10


def make_audio(target: Path, lavfi: str) -> Path:
    """Render an ffmpeg lavfi source graph into ``target``."""
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    subprocess.run(
        [ffmpeg, "-hide_banner", "-nostdin", "-y", "-f", "lavfi", "-i", lavfi, str(target)],
        check=True,
        capture_output=True,
    )
    return target


@pytest.fixture(scope="session")
def beeps_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 s of 44.1 kHz WAV (about 5.3 MB): a 0.5 s 440 Hz beep every 10 s, silence between."""
    graph = f"sine=frequency=440:duration=60,volume=volume=0:enable='gte(mod(t\\,{BEEP_EVERY_S})\\,0.5)'"
    return make_audio(tmp_path_factory.mktemp("audio") / "beeps.wav", graph)


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """:data:`SPOKEN` read by espeak-ng into a WAV file."""
    if ESPEAK is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng): no speech to transcribe")
    target = tmp_path_factory.mktemp("speech") / "speech.wav"
    subprocess.run([ESPEAK, "-s", "150", "-w", str(target), SPOKEN], check=True, capture_output=True)
    return target
