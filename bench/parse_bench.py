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


def _repeat(unit: str, chars: int) -> str:
    """``unit`` repeated up to ``chars`` characters."""
    return (unit * (chars // len(unit) + 1))[:chars]


def adversarial_pastes(chars: int) -> dict[str, str]:
    """Named hostile pastes of exactly ``chars`` characters each.

    Most start with a YouTube host, so that the parser cannot set their lines
    aside as holding no video (see ``_MAY_NAME_A_VIDEO`` in ``youtube/urls.py``).
    """
    wrapper = "https://www.youtube.com/attribution_link?u="
    yt = "youtube.com "
    return {
        "markdown opener [x]( repeated": _repeat("[x](", chars),
        "markdown opener [x]( after a YouTube host": yt + _repeat("[x](", chars - len(yt)),
        "markdown opener lines of 1,000": _repeat(_repeat("[x](", 1000) + "\n", chars),
        "[ repeated": yt + _repeat("[", chars - len(yt)),
        "]( repeated": yt + _repeat("](", chars - len(yt)),
        "[]( repeated": yt + _repeat("[](", chars - len(yt)),
        "[text](url without ) repeated": _repeat("[ab](https://youtu.be/", chars),
        "one long word": _repeat("a", chars),
        "host-like dot chain a.a.a": "youtu." + _repeat("a.", chars - 6),
        "host-like dot chain, long labels": _repeat("youtubexyz.", chars),
        "scheme-like a+a+a": "youtu" + _repeat("a+", chars - 5),
        "one watch link, &amp; run": "https://www.youtube.com/watch?" + _repeat("&amp;", chars - 32),
        "one watch link, 100k parameters": "https://www.youtube.com/watch?" + _repeat("v=&", chars - 32),
        "nested wrapper links": _repeat(wrapper, chars),
        "youtube path of slashes": "https://www.youtube.com/" + _repeat("/", chars - 24),
        "one prose line of 450k words": yt + _repeat("a ", chars - len(yt)),
        "junk lines x": _repeat("x\n", chars),
        "markup lines <script>": _repeat("<script>alert(1)</script>\n", chars),
        "distinct junk lines": "\n".join(f"{n:x}" for n in range(chars // 5))[:chars],
        "distinct 12-character words, one a line": "\n".join(f"w{n:011d}" for n in range(chars // 13))[:chars],
        "distinct YouTube non-video links": "\n".join(f"youtube.com/x{n}" for n in range(chars // 20))[:chars],
        "bare ids, one a line": "\n".join(f"a{n:010d}" for n in range(chars // 12))[:chars],
        "watch links, one a line": "\n".join(
            f"https://www.youtube.com/watch?v=b{n:010d}&t=1" for n in range(chars // 48)
        )[:chars],
        "commas and zero-width spaces": yt + _repeat(",\u200b", chars - len(yt)),
        "brackets and quotes around nothing": yt + _repeat("(<[{\"'", chars - len(yt)),
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
