"""A simulated YouTube for offline use, demos, tests and benchmarks.

:class:`SimBackend` answers like the real client (same data classes, same
library exceptions and messages) from three sources, first match wins:

1. Recorded data in ``corpus_dir`` (:mod:`.corpus`), e.g. gogEJyoSB9s
   (27 chapters, 7205 s), GJLlxj_dtq8 (9 caption tracks), m8uHb5jIGN8
   (private), Njp5uhTorCo (age-restricted), 5YceQ8YqYMc (unplayable live
   stream), dsMFmonKDD4 and Fjg5lYqvzUs (TranscriptsDisabled).
2. The id's class, from its first four characters (:mod:`.generated`):

   ========  ===============================================================
   prefix    behaviour (e.g. ``privAAAAAAA``)
   ========  ===============================================================
   ``priv``  private: DownloadError "Private video. Sign in if you've been
             granted access to this video. Use --cookies...", transcript
             ``VideoUnplayable``
   ``gone``  removed: DownloadError "Video unavailable. This video has been
             removed by the uploader", transcript ``VideoUnavailable``
   ``agex``  age-restricted: DownloadError "Sign in to confirm your age. This
             video may be inappropriate for some users. Use --cookies...",
             transcript ``AgeRestricted``
   ``memb``  members-only: DownloadError "Join this channel to get access to
             members-only content like this video, and other exclusive
             perks.", transcript ``VideoUnplayable``
   ``botc``  every call meets the bot check: DownloadError "Sign in to confirm
             you’re not a bot. Use --cookies...", transcript ``RequestBlocked``
   ``blok``  playable; the transcript endpoint answers ``RequestBlocked``
   ``noca``  playable, no captions: ``TranscriptsDisabled``, no subtitle tracks
   ``manu``  playable, manual and auto-generated captions
   ``auto``  playable, auto-generated captions only
   ``nchp``  playable, no chapters in the description
   ========  ===============================================================

3. Any other valid id: a deterministic generated video (60..3600 s, chapters
   for ~85 %, captions manual ~40 % / auto ~50 % / none ~10 %).

On top come latency, a per-upstream rate limit and injected faults
(:mod:`.faults`); ``SimBackend.stats`` counts the calls.

Playlists and channels are generated from their key (:mod:`.sources`: a
trailing number sets the size, ``PLsimulated400`` has 400 entries), with
recorded titles for the playlist and channel infos in the corpus, and feeds
rendered as YouTube's Atom (:mod:`.atom`).
"""

from robust_import_app.youtube.sim.backend import SimBackend
from robust_import_app.youtube.sim.faults import Fault, FaultKind, FaultMix, FaultPlan, FeedFault, PageFaults
from robust_import_app.youtube.sim.generated import ID_CLASSES
from robust_import_app.youtube.sim.ratelimit import SimStats, UpstreamStats

__all__ = [
    "ID_CLASSES",
    "Fault",
    "FaultKind",
    "FaultMix",
    "FaultPlan",
    "FeedFault",
    "PageFaults",
    "SimBackend",
    "SimStats",
    "UpstreamStats",
]
