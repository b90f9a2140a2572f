"""Start the real app (``reflex run --env prod``) on free ports, for browser tests and benchmarks."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from robust_import_app.db import migrate

REPO = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO.parent / "shared" / "corpus"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class RunningApp:
    """The app's address and database while it runs."""

    frontend_url: str
    backend_url: str
    db_url: str
    process: subprocess.Popen


def app_environment(db_url: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment `make run` would give, with the simulated YouTube."""
    env = dict(os.environ)
    tools_bin = REPO / ".tools" / "node_modules" / ".bin"
    env["PATH"] = os.pathsep.join([str(tools_bin), str(Path(sys.executable).parent), env.get("PATH", "")])
    if (tools_bin / "bun").exists():
        env["REFLEX_USE_SYSTEM_BUN"] = "1"
    env.update(
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="0",
        REFLEX_DB_URL=db_url,
        IMPORT_BACKEND="sim",
        IMPORT_REQUEST_INTERVAL_S="0.02",
        IMPORT_MAX_INTERVAL_S="0.2",
        IMPORT_BACKOFF_BASE_S="0.05",
        IMPORT_BACKOFF_MAX_S="0.5",
        PYTHONUNBUFFERED="1",
    )
    if CORPUS_DIR.is_dir():
        env["IMPORT_SIM_CORPUS"] = str(CORPUS_DIR)
    env.update(extra or {})
    return env


def wait_for(url: str, *, timeout_s: float, process: subprocess.Popen, log: Path) -> None:
    """Poll ``url`` until it answers 200; raises RuntimeError with the log's tail."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout_s} s:\n{log.read_text()[-4000:]}")


@contextlib.contextmanager
def running_app(
    workdir: Path,
    *,
    env: Mapping[str, str] | None = None,
    backend_only: bool = False,
    db_url: str | None = None,
    startup_timeout_s: float = 600,
) -> Iterator[RunningApp]:
    """Run the app until the block ends (SIGTERM to its process group, then SIGKILL).

    ``workdir`` receives the database (unless ``db_url`` is given) and the log.
    """
    db_url = db_url or f"sqlite:///{workdir / 'app.db'}?timeout=30"
    migrate(db_url)
    port = free_port()  # in prod mode one port serves the frontend and the backend
    command = [
        str(Path(sys.executable).parent / "reflex"),
        "run",
        "--env",
        "prod",
        "--backend-port",
        str(port),
        "--loglevel",
        "info",
    ]
    command += ["--backend-only"] if backend_only else ["--frontend-port", str(port)]
    log = workdir / "app.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=app_environment(db_url, env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    app = RunningApp(
        frontend_url=f"http://localhost:{port}",
        backend_url=f"http://localhost:{port}",
        db_url=db_url,
        process=process,
    )
    try:
        wait_for(f"{app.backend_url}/ping", timeout_s=startup_timeout_s, process=process, log=log)
        if not backend_only:
            wait_for(app.frontend_url, timeout_s=startup_timeout_s, process=process, log=log)
        yield app
    finally:
        stop(process)


@contextlib.contextmanager
def running_workers(
    workdir: Path, count: int, *, db_url: str, env: Mapping[str, str] | None = None
) -> Iterator[list[subprocess.Popen]]:
    """Run ``count`` headless import workers (``python -m robust_import_app worker``) until the block ends.

    Each gets the app's environment (:func:`app_environment`) and logs to
    ``workdir/worker-<n>.log``; they are stopped like the app (:func:`stop`).
    """
    processes: list[subprocess.Popen] = []
    try:
        for number in range(count):
            with (workdir / f"worker-{number}.log").open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "robust_import_app", "worker"],
                        cwd=REPO,
                        env=app_environment(db_url, env),
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        yield processes
    finally:
        for process in processes:
            stop(process)


def stop(process: subprocess.Popen, *, timeout_s: float = 15) -> None:
    """SIGTERM the app's process group, SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def chromium_available() -> bool:
    """True when Debian's chromium is installed where the tests expect it."""
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None
