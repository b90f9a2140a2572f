"""The transcript every Whisper engine returns (API or local)."""

from __future__ import annotations

from dataclasses import dataclass

from robust_import_app.domain.video import CaptionSegment


@dataclass(frozen=True, slots=True)
class TranscriptionResult:
    """One transcription: its segments in time order, all times in seconds.

    ``language`` is what the engine detected or was told (None when it did
    not say); ``audio_duration_s`` is the length of the audio it heard, in
    seconds, when it reported one.
    """

    language: str | None
    segments: tuple[CaptionSegment, ...]
    audio_duration_s: float | None = None

    @property
    def text(self) -> str:
        """All segment texts joined by single spaces."""
        return " ".join(segment.text for segment in self.segments)
