"""What the bookmarklet, the phone's share menu and a drop hand the app, as paste text (pure, no I/O).

- The bookmarklet (:func:`bookmarklet`) opens ``<origin>/add?url=<the page>``.
- The share target (the web app manifest's ``share_target``) opens
  ``/add?title=…&text=…&url=…``; Android apps often put the link inside
  ``text`` and the video's name in ``title`` (:func:`share_text`).
- A drop carries ``text/uri-list`` and/or ``text/plain`` (:func:`dropped_text`).

The result is text for :func:`robust_import_app.youtube.parse_paste`, like a paste.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from robust_import_app.youtube import parse_paste

ADD_PATH = "/add"
"""The page that shows the import dialog pre-filled (the bookmarklet's and the share target's action)."""


def names_a_video_or_source(text: str) -> bool:
    """True when ``text`` holds a YouTube video, playlist or channel link (or a bare video id)."""
    found = parse_paste(text)
    return bool(found.video_ids or found.sources)


def share_text(url: str | None, text: str | None, title: str | None) -> str:
    """The paste text for the share target's (and the bookmarklet's) query parameters.

    ``url`` and ``text`` are kept as given (stripped), one per line, ``url``
    first; ``title`` only when it names a video or source (it is usually the
    page's or video's name, which the page shows apart). A value already
    contained in another one kept is left out, so that a link shared both as
    ``url`` and inside ``text`` is imported once without a "pasted more than
    once" notice. Missing or blank values give "".
    """
    candidates = [(url or "").strip(), (text or "").strip()]
    shared_title = (title or "").strip()
    if shared_title and names_a_video_or_source(shared_title):
        candidates.append(shared_title)
    kept: list[str] = []
    for value in candidates:
        if not value or any(value in other for other in kept):
            continue
        kept = [other for other in kept if other not in value] + [value]
    return "\n".join(kept)


def dropped_text(uri_list: str | None, plain: str | None) -> str:
    """The paste text of a drop: the ``text/uri-list`` links, else the ``text/plain`` text.

    ``uri_list`` is RFC 2483's format: one URI per line (CRLF or LF), lines
    starting with ``#`` are comments. ``plain`` is taken whole when the list
    holds no URI. Neither gives "".
    """
    links = [line.strip() for line in (uri_list or "").splitlines()]
    links = [line for line in links if line and not line.startswith("#")]
    return "\n".join(links) if links else (plain or "")


def bookmarklet(origin: str) -> str:
    """The ``javascript:`` URL that opens ``<origin>/add?url=<the current page>`` in a new tab.

    ``origin`` is the app's scheme, host and port as the browser reaches it
    (``https://import.example.org``); a trailing ``/`` is dropped. The new
    tab is opened with ``noopener``, so neither page can script the other.
    Raises ValueError for an origin that is not ``http(s)://host[:port]``
    (with no path, query or credentials). The code holds no ``%`` (a
    ``javascript:`` URL is percent-decoded before it runs) and no spaces.
    """
    parts = urlsplit(origin.rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or parts.fragment:
        raise ValueError(f"not an app origin (http(s)://host[:port]): {origin!r}")
    if "@" in parts.netloc or "%" in parts.netloc:
        raise ValueError(f"not an app origin (http(s)://host[:port]): {origin!r}")
    target = json.dumps(f"{parts.scheme}://{parts.netloc}{ADD_PATH}?url=")
    return f"javascript:void(window.open({target}+encodeURIComponent(location.href),'_blank','noopener'))"
