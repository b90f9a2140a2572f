"""``python -m robust_import_app import`` as a script runs it: a real process on the simulated YouTube."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from robust_import_app import library
from robust_import_app.db import Database, migrate

REPO = Path(__file__).resolve().parents[1]
FAST_LIMITS = {
    "IMPORT_BACKEND": "sim",
    "IMPORT_REQUEST_INTERVAL_S": "0.01",
    "IMPORT_MAX_INTERVAL_S": "0.05",
    "IMPORT_BACKOFF_BASE_S": "0.01",
    "IMPORT_BACKOFF_MAX_S": "0.05",
}
GENERATED = [f"cli{i:08d}" for i in range(5)]
PRIVATE = "privAAAAAAA"
"""Always private on the simulator (:mod:`robust_import_app.youtube.sim`)."""


def _env(db_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMPORT_", "YOUTUBE_", "WHISPER_"))}
    return env | FAST_LIMITS | {"REFLEX_DB_URL": f"sqlite:///{db_path}?timeout=30"} | extra


def _cli(
    db_path: Path, list_name: str, source: str, *options: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "robust_import_app", "import", "--list", list_name, *options, source],
        cwd=REPO,
        env=_env(db_path, **env),
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=60,
    )


def _query(db_path: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db_path) as connection:
        return connection.execute(sql, params).fetchall()


def _videos(db_path: Path) -> dict[str, tuple]:
    """youtube id -> (stage, progress, caption source, error message, claimed_by, title)."""
    rows = _query(
        db_path,
        "SELECT youtube_id, import_stage, import_progress, caption_source, error_message, claimed_by, title FROM video",
    )
    return {row[0]: row[1:] for row in rows}


def _paste_file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "paste.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_imports_a_file_to_the_end_and_prints_the_toast_summary(tmp_path):
    db_path = tmp_path / "t.db"
    paste = _paste_file(tmp_path, [f"https://www.youtube.com/watch?v={video_id}" for video_id in GENERATED])

    result = _cli(db_path, "Research", str(paste))

    assert result.returncode == 0, result.stderr
    videos = _videos(db_path)
    assert sorted(videos) == sorted(GENERATED)
    for video_id, (stage, progress, source, error, claimed_by, title) in videos.items():
        assert (stage, progress, error, claimed_by) == ("complete", 100, None, None), video_id
        assert source is not None and title, video_id
    without_captions = sum(source == "none" for _, _, source, *_ in videos.values())
    assert result.stdout.splitlines() == [f"5 imported, {without_captions} without captions, 0 failed"]
    assert _query(db_path, "SELECT name FROM video_list") == [("Research",)]
    assert _query(db_path, "SELECT count(*) FROM import_batch WHERE announced_at IS NOT NULL") == [(1,)]
    assert "Importing 5 videos" in result.stderr
    bars = {line.split()[0]: line for line in result.stderr.splitlines() if "/5" in line}
    for stage in ("metadata", "captions", "chapters", "complete"):
        assert "5/5" in bars[stage], result.stderr
    assert "0/5" in bars["failed"], result.stderr


def test_reads_the_paste_from_stdin_with_a_dash(tmp_path):
    db_path = tmp_path / "t.db"

    result = _cli(db_path, "Inbox", "-", stdin=" ".join(GENERATED[:2]))

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2 imported, ")
    assert {stage for stage, *_ in _videos(db_path).values()} == {"complete"}
    assert sorted(_videos(db_path)) == sorted(GENERATED[:2])


def test_a_failed_video_exits_1_with_its_plain_reason(tmp_path):
    db_path = tmp_path / "t.db"
    paste = _paste_file(tmp_path, [GENERATED[0], PRIVATE, "https://example.com/not-youtube", GENERATED[1]])

    result = _cli(db_path, "Mixed", str(paste))

    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2 imported, ") and lines[0].endswith(", 1 failed")
    assert lines[1:] == [f"{PRIVATE}: This video is private."]
    assert "https://example.com/not-youtube: not a YouTube link" in result.stderr
    videos = _videos(db_path)
    assert videos[PRIVATE][0] == "error"
    assert videos[PRIVATE][3] == "This video is private."
    assert {videos[v][0] for v in GENERATED[:2]} == {"complete"}


def test_a_second_run_of_the_same_paste_reports_duplicates_and_creates_nothing(tmp_path):
    db_path = tmp_path / "t.db"
    paste = _paste_file(tmp_path, GENERATED[:3])
    first = _cli(db_path, "Repeat", str(paste))
    assert first.returncode == 0, first.stderr
    before = _videos(db_path)

    again = _cli(db_path, "rePEAT", str(paste))

    assert again.returncode == 0, again.stderr
    assert "Already in “Repeat” (3)" in again.stderr
    assert "already in" in again.stderr.lower() and "Nothing new" in again.stderr
    assert again.stdout == ""
    assert _videos(db_path) == before
    assert _query(db_path, "SELECT count(*) FROM video_list") == [(1,)]
    assert _query(db_path, "SELECT count(*) FROM import_batch") == [(1,)]


def test_playlists_and_channels_expand_into_the_batch_never_ask_and_limit_caps_each(tmp_path):
    db_path = tmp_path / "t.db"
    paste = _paste_file(
        tmp_path,
        ["https://www.youtube.com/playlist?list=PLsimulated400", "https://www.youtube.com/@simchannel20", GENERATED[0]],
    )

    result = _cli(db_path, "Sources", str(paste), "--limit", "30", IMPORT_SOURCE_CONFIRM_OVER="5")

    assert result.returncode == 0, result.stderr
    assert "Expanding https://www.youtube.com/playlist?list=PLsimulated400 into “Sources”." in result.stderr
    assert "Expanding https://www.youtube.com/@simchannel20/videos into “Sources”." in result.stderr
    sources = _query(db_path, "SELECT key, state, found, entry_limit FROM import_source ORDER BY id")
    assert sources == [("PLsimulated400", "done", 30, 30), ("@simchannel20", "done", 20, 30)]
    videos = _videos(db_path)
    assert len(videos) == 1 + 30 + 20
    assert {stage for stage, *_ in videos.values()} == {"complete"}
    summary = result.stdout.splitlines()[0]
    assert summary.startswith("51 imported, ") and summary.endswith(" · 50 found"), summary
    assert "51/51" in next(line for line in result.stderr.splitlines() if line.startswith("complete")), result.stderr


def test_a_watch_link_with_a_playlist_imports_the_video_and_names_the_playlist_to_paste(tmp_path):
    db_path = tmp_path / "t.db"

    result = _cli(db_path, "Offers", "-", stdin="https://www.youtube.com/watch?v=offerVideo1&list=PLofferlist40")

    assert result.returncode == 0, result.stderr
    assert list(_videos(db_path)) == ["offerVideo1"]
    assert "run again with https://www.youtube.com/playlist?list=PLofferlist40" in result.stderr


@pytest.mark.parametrize("limit", ["0", "-3", "many"])
def test_a_limit_below_one_video_is_a_usage_error(tmp_path, limit):
    result = _cli(tmp_path / "t.db", "Sources", "-", "--limit", limit, stdin="https://www.youtube.com/@simchannel20")

    assert result.returncode == 2
    assert "--limit" in result.stderr
    assert not (tmp_path / "t.db").exists()


def test_input_without_links_exits_2_and_says_why(tmp_path):
    db_path = tmp_path / "t.db"
    paste = _paste_file(tmp_path, ["just some notes", "https://example.com/page"])

    result = _cli(db_path, "Empty", str(paste))

    assert result.returncode == 2
    assert "no YouTube video, playlist or channel links" in result.stderr
    assert "https://example.com/page: not a YouTube link" in result.stderr
    assert result.stdout == ""
    assert not db_path.exists(), "nothing to import must not touch the database"


def test_a_missing_file_or_list_is_a_usage_error(tmp_path, monkeypatch, capsys):
    """In-process (argument checks need no subprocess): exit status 2 with the reason."""
    from robust_import_app import cli

    monkeypatch.setenv("REFLEX_DB_URL", f"sqlite:///{tmp_path / 't.db'}?timeout=30")

    assert cli.main(["import", "--list", "Inbox", str(tmp_path / "absent.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err
    with pytest.raises(SystemExit) as no_list:
        cli.main(["import", "-"])
    assert no_list.value.code == 2
    assert "--list" in capsys.readouterr().err
    assert not (tmp_path / "t.db").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_ctrl_c_stops_cleanly_and_leaves_the_rest_queued(tmp_path):
    db_path = tmp_path / "t.db"
    paste = _paste_file(tmp_path, [f"int{i:08d}" for i in range(30)])
    process = subprocess.Popen(
        [sys.executable, "-m", "robust_import_app", "import", "--list", "Slow", str(paste)],
        cwd=REPO,
        env=_env(db_path, IMPORT_SIM_LATENCY_MS="300"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell's background job ignores SIGINT, and the child would inherit that.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stderr.readline().startswith("Created the list")
        assert process.stderr.readline().startswith("Importing 30 videos")
        time.sleep(1.0)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()

    assert process.returncode == 130, err
    assert "stay queued in the database" in err
    assert out == ""
    videos = _videos(db_path)
    unfinished = [v for v, (stage, *_) in videos.items() if stage not in ("complete", "error")]
    assert len(videos) == 30 and unfinished
    assert all(claimed_by is None for *_, claimed_by, _ in videos.values()), "leases must be released"
    assert _query(db_path, "SELECT announced_at FROM import_batch") == [(None,)]


def test_import_works_on_its_own_batch_only(tmp_path: Path):
    db_path = tmp_path / "library.db"
    first = _cli(db_path, "Inbox", str(_paste_file(tmp_path, GENERATED[:2])))
    assert first.returncode == 0, first.stderr
    # Queue another list's batch behind the command's back, as the web app would.
    _query(db_path, "UPDATE video SET import_stage = 'created', import_progress = 0")
    _query(db_path, "UPDATE import_batch SET announced_at = NULL")
    (tmp_path / "second.txt").write_text("\n".join(GENERATED[2:4]))
    second = _cli(db_path, "Later", str(tmp_path / "second.txt"))
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[0].startswith("2 imported, ")
    stages = {youtube_id: row[0] for youtube_id, row in _videos(db_path).items()}
    assert stages == {
        GENERATED[0]: "created",
        GENERATED[1]: "created",
        GENERATED[2]: "complete",
        GENERATED[3]: "complete",
    }


def test_worker_command_works_through_the_queue_and_stops_on_sigterm(tmp_path: Path):
    db_path = tmp_path / "library.db"
    url = f"sqlite:///{db_path}?timeout=30"
    migrate(url)
    db = Database(url)
    library.import_paste(db, library.ensure_default_list(db), GENERATED[4])  # as the web app's paste
    db.dispose()
    worker = subprocess.Popen(
        [sys.executable, "-m", "robust_import_app", "worker"],
        cwd=REPO,
        env=_env(db_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _videos(db_path)[GENERATED[4]][0] != "complete":
            time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert _videos(db_path)[GENERATED[4]][0] == "complete"
    assert "Batch 1 of list 1 finished: 1 imported, 0 without captions, 0 failed" in output
