"""Headless import worker processes (``python -m robust_import_app worker``) for tests.

Each logs to its own file in ``log_dir``; :meth:`WorkerProcesses.kill_one`
``kill -9``s one and remembers when, for the tests that check what a dead
process left behind.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STOP_TIMEOUT_S = 30.0


class WorkerProcesses:
    """Worker processes sharing ``env``; stopped with SIGTERM (SIGKILL after 30 s)."""

    def __init__(self, env: Mapping[str, str], log_dir: Path) -> None:
        self.env = dict(env)
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []
        """Every worker started, killed and stopped ones included."""
        self.running: list[subprocess.Popen] = []
        self.died_at: dict[int, float] = {}
        """Epoch seconds at which each ``kill -9``ed process was gone, by pid."""
        self._started = 0

    def start(self, count: int = 1) -> None:
        """Start ``count`` more workers."""
        for _ in range(count):
            self._started += 1
            with open(self.log_dir / f"worker-{self._started}.log", "wb") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", "robust_import_app", "worker"],
                    cwd=REPO,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            self.processes.append(process)
            self.running.append(process)

    def wait_started(self, timeout_s: float) -> None:
        """Until every worker logged "Import worker ... started"; fails the test after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all("Import worker" in text and "started" in text for text in self._texts()):
                return
            assert all(p.poll() is None for p in self.running), f"a worker exited:\n{self.logs()[-3000:]}"
            time.sleep(0.2)
        pytest.fail(f"the workers did not start within {timeout_s} s:\n{self.logs()[-3000:]}")

    def kill_one(self, rng: random.Random) -> int:
        """``kill -9`` a random running worker; returns its pid."""
        process = self.running.pop(rng.randrange(len(self.running)))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_S)
        self.died_at[process.pid] = time.time()
        return process.pid

    def stop(self) -> None:
        """SIGTERM every running worker (they give their videos back), SIGKILL the ones that linger."""
        for process in self.running:
            process.send_signal(signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()

    def _texts(self) -> list[str]:
        return [path.read_text(errors="replace") for path in sorted(self.log_dir.glob("worker-*.log"))]

    def logs(self) -> str:
        """Every worker's log, killed ones included."""
        return "\n".join(self._texts())
