"""How long the paste parser takes on hostile pastes of the largest size the server accepts.

Builds a set of adversarial pastes of ``--chars`` characters each (default
900,000, the paste cap of the import dialog): shapes that make a backtracking
regex or a careless loop go quadratic (repeated ``[x](``, brackets without
ends, one giant token, host-like dot chains, ``&amp;`` runs, nested wrapper
links) and shapes that make much output (one junk line per character pair,
75,000 bare ids, 20,000 links). Times :func:`robust_import_app.youtube.parse_paste`
on each (best of ``--runs``, wall-clock seconds on one core), prints one line
per paste and the worst; the target is that the worst stays under 0.5 s.

    .venv/bin/python bench/parse_bench.py [--chars 900000] [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from robust_import_app.youtube import parse_paste  # noqa: E402

TARGET_S = 0.5
DEFAULT_CHARS = 900_000


def _repeat(unit: str, chars: int, *, after: str = "") -> str:
    """``after``, then ``unit`` repeated, cut to ``chars`` characters."""
    return (after + unit * ((chars - len(after)) // len(unit) + 1))[:chars]


def _numbered_lines(line_format: str, chars: int) -> str:
    """Lines ``line_format.format(n)`` for n = 0, 1, ..., cut to ``chars`` characters."""
    line_chars = len(line_format.format(0)) + 1
    count = chars // line_chars + 2
    return "\n".join(line_format.format(n) for n in range(count))[:chars]


def adversarial_pastes(chars: int) -> dict[str, str]:
    """Named hostile pastes of exactly ``chars`` characters each.

    Most start with a YouTube host, so that the parser cannot set their lines
    aside as holding no video (see ``_MAY_NAME_A_VIDEO`` in ``youtube/urls.py``).
    """
    wrapper = "https://www.youtube.com/attribution_link?u="
    yt = "youtube.com "
    return {
        "markdown opener [x]( repeated": _repeat("[x](", chars),
        "markdown opener [x]( after a YouTube host": _repeat("[x](", chars, after=yt),
        "markdown opener lines of 1,000": _repeat(_repeat("[x](", 1000) + "\n", chars),
        "[ repeated": _repeat("[", chars, after=yt),
        "]( repeated": _repeat("](", chars, after=yt),
        "[]( repeated": _repeat("[](", chars, after=yt),
        "[text](url without ) repeated": _repeat("[ab](https://youtu.be/", chars),
        "one long word": _repeat("a", chars),
        "host-like dot chain a.a.a": _repeat("a.", chars, after="youtu."),
        "host-like dot chain, long labels": _repeat("youtubexyz.", chars),
        "scheme-like a+a+a": _repeat("a+", chars, after="youtu"),
        "one watch link, &amp; run": _repeat("&amp;", chars, after="https://www.youtube.com/watch?"),
        "one watch link, 100k parameters": _repeat("v=&", chars, after="https://www.youtube.com/watch?"),
        "nested wrapper links": _repeat(wrapper, chars),
        "youtube path of slashes": _repeat("/", chars, after="https://www.youtube.com/"),
        "one prose line of 450k words": _repeat("a ", chars, after=yt),
        "junk lines x": _repeat("x\n", chars),
        "markup lines <script>": _repeat("<script>alert(1)</script>\n", chars),
        "distinct junk lines": _numbered_lines("{:x}", chars),
        "distinct 12-character words, one a line": _numbered_lines("w{:011d}", chars),
        "distinct YouTube non-video links": _numbered_lines("youtube.com/x{}", chars),
        "bare ids, one a line": _numbered_lines("a{:010d}", chars),
        "watch links, one a line": _numbered_lines("https://www.youtube.com/watch?v=b{:010d}&t=1", chars),
        "commas and zero-width spaces": _repeat(",\u200b", chars, after=yt),
        "brackets and quotes around nothing": _repeat("(<[{\"'", chars, after=yt),
    }


def best_time_s(parse: Callable[[str], object], text: str, runs: int) -> float:
    """The fastest of ``runs`` calls of ``parse(text)``, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        parse(text)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=DEFAULT_CHARS)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    timings = {}
    for name, text in adversarial_pastes(args.chars).items():
        timings[name] = best_time_s(parse_paste, text, args.runs)
        print(f"{timings[name]:8.3f} s  {name}", flush=True)
    worst = max(timings, key=timings.__getitem__)
    passed = timings[worst] < TARGET_S
    print(
        f"worst of {len(timings)} pastes of {args.chars:,} characters: {timings[worst]:.3f} s ({worst}); "
        f"target {TARGET_S} s: " + ("PASS" if passed else "FAIL")
    )
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
