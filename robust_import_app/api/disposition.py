"""Safe download file names and the ``Content-Disposition`` header that carries them.

The header follows RFC 6266: ``attachment; filename="<ASCII fallback>"``, plus
``filename*=UTF-8''<percent-encoded>`` (RFC 8187) when the name is not plain
ASCII. A name comes from user or YouTube text (a list's name, a video's
title), so it is cleaned first: path separators, quotes, control characters
and the characters Windows forbids in file names (``<>:"/\\|?*``) become
``_``; Unicode format characters (category Cf: the right-to-left override
U+202E, which shows ``evil<U+202E>txt.exe`` as ``evilexe.txt``, zero-width
spaces and joiners) and lone surrogates are dropped; runs of white space
become one space, leading and trailing dots and spaces go, and the stem is
cut to ``MAX_STEM_CHARS`` characters.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_STEM_CHARS = 120
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9 ._()\-]")


def safe_filename(stem: str, extension: str, *, fallback_stem: str) -> str:
    """``stem`` cleaned for a file name, plus ``.extension``; ``fallback_stem`` when nothing is left.

    ``extension`` and ``fallback_stem`` are ours (``"csv"``, ``"list-3"``) and
    are not cleaned.
    """
    cleaned = _FORBIDDEN.sub("_", unicodedata.normalize("NFC", _without_format_characters(stem)))
    cleaned = " ".join(cleaned.split())[:MAX_STEM_CHARS].strip(" .")
    return f"{cleaned or fallback_stem}.{extension}"


def _without_format_characters(text: str) -> str:
    """``text`` without format characters (Unicode category Cf) and lone surrogates (Cs)."""
    return "".join(char for char in text if unicodedata.category(char) not in ("Cf", "Cs"))


def content_disposition(filename: str, *, fallback_stem: str) -> str:
    """``attachment`` with ``filename`` (from :func:`safe_filename`) and, when not ASCII, its UTF-8 form.

    The ASCII fallback keeps letters without their accents (NFKD), drops
    characters with no ASCII form (``東京``, emoji) and turns the other ASCII
    characters outside ``A-Z a-z 0-9 space . _ ( ) -`` into ``_``;
    ``fallback_stem`` names a file whose stem would be empty or only ``_``.
    """
    stem, _, extension = filename.rpartition(".")
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    ascii_stem = _NOT_ASCII_SAFE.sub("_", ascii_stem).strip(" .")
    if not ascii_stem.strip("_"):
        ascii_stem = fallback_stem
    value = f'attachment; filename="{ascii_stem}.{extension}"'
    if f"{ascii_stem}.{extension}" != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value
