"""Timedtext parsers against small files in YouTube's real formats."""

from __future__ import annotations

import json

import pytest
from defusedxml import EntitiesForbidden

from robust_import_app.domain.video import CaptionSegment
from robust_import_app.youtube.subtitles import parse_json3, parse_srv1, parse_subtitles, parse_vtt
from tests.conftest import CORPUS_DIR

CORPUS = CORPUS_DIR

# json3 as YouTube serves auto captions: a window event without segs, word
# segments with offsets, and aAppend line-feed events.
JSON3_AUTO = json.dumps(
    {
        "wireMagic": "pb3",
        "pens": [{}],
        "wsWinStyles": [{}, {"mhModeHint": 2, "juJustifCode": 0, "sdScrollDir": 3}],
        "wpWinPositions": [{}, {"apPoint": 6, "ahHorPos": 20, "avVerPos": 100, "rcRows": 2, "ccCols": 40}],
        "events": [
            {"tStartMs": 0, "dDurationMs": 316000, "id": 1, "wpWinPosId": 1, "wsWinStyleId": 1},
            {
                "tStartMs": 1280,
                "dDurationMs": 4640,
                "wWinId": 1,
                "segs": [
                    {"utf8": "hey", "acAsrConf": 0},
                    {"utf8": " guys", "tOffsetMs": 320, "acAsrConf": 0},
                    {"utf8": " so", "tOffsetMs": 800, "acAsrConf": 0},
                ],
            },
            {"tStartMs": 3350, "dDurationMs": 2570, "wWinId": 1, "aAppend": 1, "segs": [{"utf8": "\n"}]},
            {
                "tStartMs": 3360,
                "dDurationMs": 4400,
                "wWinId": 1,
                "segs": [
                    {"utf8": "this", "acAsrConf": 0},
                    {"utf8": " is", "tOffsetMs": 240, "acAsrConf": 0},
                    {"utf8": " the", "tOffsetMs": 400},
                    {"utf8": " surface", "tOffsetMs": 560},
                    {"utf8": " go"},
                ],
            },
        ],
    }
)

# WebVTT as YouTube serves auto captions: a header block, karaoke timestamps and
# <c> tags, a 10 ms cue repeating the line, then a cue starting with that line.
VTT_AUTO = """WEBVTT
Kind: captions
Language: en

00:00:01.280 --> 00:00:03.350 align:start position:0%
 
hey<00:00:01.600><c> guys</c><00:00:02.080><c> so</c>

00:00:03.350 --> 00:00:03.360 align:start position:0%
hey guys so
 

00:00:03.360 --> 00:00:05.920 align:start position:0%
hey guys so
this<00:00:03.600><c> is</c><00:00:03.760><c> the</c><00:00:03.920><c> surface</c>

"""

VTT_MANUAL = """\ufeffWEBVTT

1
01:02:03.500 --> 01:02:06.000
Fish &amp; chips,
<i>please</i>.

2
00:00:10.000 --> 00:00:12.250
Second cue
"""

SRV1 = """<?xml version="1.0" encoding="utf-8" ?><transcript>
<text start="0.5" dur="2.25">It&amp;#39;s a &lt;b&gt;test&lt;/b&gt;</text>
<text start="2.75" dur="1">  spaced
 out </text>
<text start="4" dur="0.5"></text>
<text start="5">no duration</text>
</transcript>"""


def test_json3_keeps_spoken_events_in_seconds() -> None:
    assert parse_json3(JSON3_AUTO) == [
        CaptionSegment(1.28, 4.64, "hey guys so"),
        CaptionSegment(3.36, 4.4, "this is the surface go"),
    ]


def test_vtt_auto_captions_drop_rolling_repeats_and_karaoke_tags() -> None:
    assert parse_vtt(VTT_AUTO) == [
        CaptionSegment(1.28, 2.07, "hey guys so"),
        CaptionSegment(3.36, 2.56, "this is the surface"),
    ]


def test_vtt_manual_cues_with_identifiers_hours_and_entities() -> None:
    assert parse_vtt(VTT_MANUAL) == [
        CaptionSegment(3723.5, 2.5, "Fish & chips, please."),
        CaptionSegment(10.0, 2.25, "Second cue"),
    ]


def test_vtt_without_word_timestamps_keeps_repeated_lines() -> None:
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAgain!\n\n00:00:02.000 --> 00:00:03.000\nAgain!\n"
    assert parse_vtt(text) == [CaptionSegment(1.0, 1.0, "Again!"), CaptionSegment(2.0, 1.0, "Again!")]


def test_srv1_unescapes_twice_strips_tags_and_drops_empty_cues() -> None:
    assert parse_srv1(SRV1) == [
        CaptionSegment(0.5, 2.25, "It's a test"),
        CaptionSegment(2.75, 1.0, "spaced out"),
        CaptionSegment(5.0, 0.0, "no duration"),
    ]


def test_srv1_reads_the_recorded_timedtext_file() -> None:
    path = CORPUS / "youtube-transcript-api/transcript.xml.static"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    assert parse_srv1(path.read_text(encoding="utf-8")) == [
        CaptionSegment(0.0, 1.54, "Hey, this is just a test"),
        CaptionSegment(1.54, 4.16, "this is not the original transcript"),
        CaptionSegment(5.7, 3.239, "just something shorter, I made up for testing"),
    ]


@pytest.mark.parametrize(("ext", "text"), [("json3", JSON3_AUTO), ("vtt", VTT_MANUAL), ("srv1", SRV1)])
def test_parse_subtitles_dispatches_on_ext(ext: str, text: str) -> None:
    parsers = {"json3": parse_json3, "vtt": parse_vtt, "srv1": parse_srv1}
    assert parse_subtitles(text, ext) == parsers[ext](text)


@pytest.mark.parametrize(
    ("ext", "text"),
    [
        ("ttml", SRV1),
        ("json3", "<transcript/>"),
        ("json3", '{"no_events": []}'),
        ("srv1", JSON3_AUTO),
        ("srv1", "<timedtext format='3'><body/></timedtext>"),
        ("vtt", SRV1),
    ],
)
def test_wrong_format_raises_value_error(ext: str, text: str) -> None:
    with pytest.raises(ValueError):
        parse_subtitles(text, ext)


def test_srv1_refuses_entity_expansion() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><transcript><text start="0">&a;</text></transcript>'
    with pytest.raises(EntitiesForbidden):
        parse_srv1(bomb)
