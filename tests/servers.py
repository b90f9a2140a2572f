"""Throwaway PostgreSQL and Redis servers for tests, on free loopback ports in temporary directories.

Each server is started from Debian's own binaries (``postgresql``, ``redis-server``;
``make test`` installs them), listens only on 127.0.0.1 (PostgreSQL also on a unix
socket inside its directory), keeps nothing durable, and is removed by ``stop()``.
A free port is picked by binding port 0; as another process may take it before the
server binds it, a start that fails with "Address already in use" is retried on a
new port, up to ``start_attempts`` times.

Errors: :class:`ServerUnavailable` when the binaries are missing (the caller may skip),
:class:`ServerStartError` when they are there but the server does not come up.
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import psycopg
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

DEFAULT_START_ATTEMPTS = 5
DEFAULT_READY_TIMEOUT_S = 30.0
DEFAULT_STOP_TIMEOUT_S = 30.0
POLL_INTERVAL_S = 0.05
LOOPBACK = "127.0.0.1"
# initdb and postgres refuse to run as root; the Debian package creates this user.
POSTGRES_SYSTEM_USER = "postgres"
POSTGRES_SUPERUSER = "postgres"
ADDRESS_IN_USE = "Address already in use"
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class ServerUnavailable(RuntimeError):
    """The server's binaries are not installed (or cannot be run by this user)."""


class ServerStartError(RuntimeError):
    """The binaries are there, but the server did not start; the message ends with its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def _version_key(bindir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name)) or (0,)


def find_postgres_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``postgres``, or None when none is installed.

    Looked for in order: ``initdb`` on PATH, ``pg_config --bindir``, then the newest
    of Debian's ``/usr/lib/postgresql/<major>/bin`` (which is not on PATH).
    """
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(Path(result.stdout.strip()))
    candidates.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True))
    for bindir in candidates:
        if all((bindir / name).is_file() for name in ("initdb", "postgres")):
            return bindir
    return None


def _child_prefix(*, user: str | None, death_signal: str) -> list[str]:
    """The command prefix that runs a server as ``user`` (None: as we are), sent ``death_signal`` when we die.

    setpriv (util-linux) execs the program in the same process, so the child's pid is the
    server's and a killed test run takes its servers along. Without setpriv a server runs
    as we are and outlives a killed run; dropping to ``user`` then raises ServerUnavailable.
    """
    if shutil.which("setpriv"):
        prefix = ["setpriv", "--pdeathsig", death_signal]
        if user is not None:
            prefix += [f"--reuid={user}", f"--regid={pwd.getpwnam(user).pw_gid}", "--init-groups"]
        return [*prefix, "--"]
    if user is None:
        return []
    raise ServerUnavailable(f"running as root, and setpriv (util-linux) is not installed to drop to '{user}'")


def _log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


class PostgresServer:
    """A PostgreSQL cluster of its own: ``initdb`` into a temporary folder, ``postgres`` on a free port.

    Durability is off (``fsync``, ``synchronous_commit``, ``full_page_writes``): a crash
    of the machine loses the data, which a test throws away anyway. Clients connect
    as superuser ``postgres`` with ``trust`` authentication, over 127.0.0.1 only.
    As root, the server's programs run as the ``postgres`` system user and the
    folder is handed to it; otherwise they run as the current user. The server is a
    child process that gets SIGINT (fast shutdown) when the thread that started it dies.

    Usage::

        with PostgresServer() as server:
            engine = create_engine(server.url)          # database "robust_import"
            other = server.create_database("test_1")    # a URL

    ``settings`` are more server parameters (``{"shared_buffers": "6GB"}``), given as ``-c``.
    ``start()`` raises :class:`ServerUnavailable` (no binaries, or root without a
    ``postgres`` user) or :class:`ServerStartError`.
    """

    def __init__(
        self,
        *,
        database: str = "robust_import",
        bindir: Path | None = None,
        start_attempts: int = DEFAULT_START_ATTEMPTS,
        ready_timeout_s: float = DEFAULT_READY_TIMEOUT_S,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        self.database = _checked_identifier(database)
        self.settings = dict(settings or {})
        self._bindir = bindir
        self._start_attempts = start_attempts
        self._ready_timeout_s = ready_timeout_s
        self.port: int | None = None
        self.directory: Path | None = None
        self._prefix: list[str] = []
        self._process: subprocess.Popen[bytes] | None = None

    def __repr__(self) -> str:
        return f"PostgresServer(port={self.port}, directory={str(self.directory)!r})"

    @property
    def data_dir(self) -> Path:
        assert self.directory is not None, "server not started"
        return self.directory / "data"

    @property
    def log_path(self) -> Path:
        assert self.directory is not None, "server not started"
        return self.directory / "server.log"

    @property
    def socket_dir(self) -> Path:
        """The folder holding the unix socket (``host=`` for libpq)."""
        assert self.directory is not None, "server not started"
        return self.directory

    @property
    def url(self) -> str:
        """``postgresql+psycopg://postgres@127.0.0.1:<port>/<database>``."""
        return self.url_for(self.database)

    def url_for(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` on this server."""
        assert self.port is not None, "server not started"
        return f"postgresql+psycopg://{POSTGRES_SUPERUSER}@{LOOPBACK}:{self.port}/{_checked_identifier(database)}"

    def start(self) -> PostgresServer:
        """Create the cluster, start it, create :attr:`database`; returns self."""
        bindir = self._bindir or find_postgres_bindir()
        if bindir is None:
            raise ServerUnavailable(
                "PostgreSQL is not installed (no initdb on PATH, from pg_config, or in /usr/lib/postgresql/*/bin); "
                "`make test-deps` installs Debian's postgresql"
            )
        self._bindir = bindir
        self._prefix = self._privilege_prefix()
        self.directory = Path(tempfile.mkdtemp(prefix="robust-import-pg-"))
        try:
            self._hand_over(self.directory)
            self._initdb()
            self._start_on_free_port()
            self._admin_execute(f'CREATE DATABASE "{self.database}"')
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are ended) and delete its folder. Idempotent."""
        if self.directory is None:
            return
        if self._process is not None:
            _end(self._process, signal.SIGINT)
            self._process = None
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory = None
        self.port = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """``CREATE DATABASE name [TEMPLATE template]``; returns its URL.

        A template must have no open connections (PostgreSQL copies it file by file).
        """
        statement = f'CREATE DATABASE "{_checked_identifier(name)}"'
        if template is not None:
            statement += f' TEMPLATE "{_checked_identifier(template)}"'
        self._admin_execute(statement)
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """``DROP DATABASE IF EXISTS name WITH (FORCE)``: ends its open sessions first."""
        self._admin_execute(f'DROP DATABASE IF EXISTS "{_checked_identifier(name)}" WITH (FORCE)')

    def close_connections(self, database: str) -> int:
        """End every session on ``database`` (e.g. before copying it as a template); returns how many."""
        with self._admin_connection() as connection:
            rows = connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            ).fetchall()
        return len(rows)

    def _privilege_prefix(self) -> list[str]:
        if os.geteuid() != 0:
            return _child_prefix(user=None, death_signal="INT")
        try:
            pwd.getpwnam(POSTGRES_SYSTEM_USER)
        except KeyError:
            raise ServerUnavailable(
                f"running as root, and there is no '{POSTGRES_SYSTEM_USER}' system user for initdb/postgres "
                "(Debian's postgresql package creates it)"
            ) from None
        return _child_prefix(user=POSTGRES_SYSTEM_USER, death_signal="INT")

    def _hand_over(self, directory: Path) -> None:
        if os.geteuid() == 0:
            user = pwd.getpwnam(POSTGRES_SYSTEM_USER)
            os.chown(directory, user.pw_uid, user.pw_gid)

    def _run(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        assert self._bindir is not None
        command = [*self._prefix, str(self._bindir / argv[0]), *argv[1:]]
        # cwd: the child must be able to enter it after dropping to 'postgres'.
        return subprocess.run(
            command, capture_output=True, text=True, check=False, cwd=self.directory, stdin=subprocess.DEVNULL
        )

    def _initdb(self) -> None:
        result = self._run(
            [
                "initdb",
                "-D",
                str(self.data_dir),
                "--username",
                POSTGRES_SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
            ]
        )
        if result.returncode != 0:
            raise ServerStartError(f"initdb failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")

    def _start_on_free_port(self) -> None:
        assert self._bindir is not None
        for _attempt in range(self._start_attempts):
            port = free_port()
            with self.log_path.open("wb") as log:
                self._process = subprocess.Popen(
                    [
                        *self._prefix,
                        str(self._bindir / "postgres"),
                        "-D",
                        str(self.data_dir),
                        "-p",
                        str(port),
                        "-c",
                        f"listen_addresses={LOOPBACK}",
                        "-c",
                        f"unix_socket_directories={self.socket_dir}",
                        "-c",
                        "fsync=off",
                        "-c",
                        "synchronous_commit=off",
                        "-c",
                        "full_page_writes=off",
                        *itertools.chain.from_iterable(("-c", f"{k}={v}") for k, v in self.settings.items()),
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.directory,
                )
            if self._wait_ready(port):
                self.port = port
                return
            self._process = None
            log_text = _log_tail(self.log_path)
            if ADDRESS_IN_USE not in log_text:
                raise ServerStartError(f"postgres did not start:\n{log_text}")
        raise ServerStartError(f"no free port after {self._start_attempts} attempts:\n{_log_tail(self.log_path)}")

    def _wait_ready(self, port: int) -> bool:
        """True once our server accepts connections; False when it exited; ServerStartError after the timeout."""
        assert self._process is not None
        deadline = time.monotonic() + self._ready_timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            try:
                with psycopg.connect(
                    host=LOOPBACK, port=port, user=POSTGRES_SUPERUSER, dbname="postgres", connect_timeout=1
                ) as connection:
                    # Another server may hold the port: only our own data directory counts.
                    data_directory = connection.execute("SHOW data_directory").fetchone()[0]
                if Path(data_directory) == self.data_dir:
                    return True
            except psycopg.OperationalError:
                pass  # not accepting connections yet, or the port's holder is not a PostgreSQL server
            time.sleep(POLL_INTERVAL_S)
        _end(self._process, signal.SIGKILL)
        self._process = None
        raise ServerStartError(f"postgres did not accept connections within {self._ready_timeout_s} s")

    def _admin_connection(self) -> psycopg.Connection:
        assert self.port is not None
        return psycopg.connect(
            host=LOOPBACK, port=self.port, user=POSTGRES_SUPERUSER, dbname="postgres", autocommit=True
        )

    def _admin_execute(self, statement: str) -> None:
        with self._admin_connection() as connection:
            connection.execute(statement)


def _end(process: subprocess.Popen[bytes], stop_signal: signal.Signals) -> None:
    """Send ``stop_signal``, wait up to 30 s, then SIGKILL."""
    if process.poll() is None:
        process.send_signal(stop_signal)
    try:
        process.wait(timeout=DEFAULT_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _checked_identifier(name: str) -> str:
    """``name`` when it is a plain lower-case SQL identifier; ValueError otherwise (it is quoted into SQL)."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a plain lower-case identifier: {name!r}")
    return name


def one_try_client(port: int, *, timeout_s: float = 1.0) -> redis.Redis:
    """A Redis client of 127.0.0.1:``port`` that fails at once (redis-py otherwise retries with backoff, ~10 s)."""
    return redis.Redis(
        host=LOOPBACK,
        port=port,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=Retry(NoBackoff(), 0),
    )


class RedisServer:
    """A ``redis-server`` on a free port of 127.0.0.1 that keeps nothing on disk.

    Started as ``redis-server --port <port> --bind 127.0.0.1 --save '' --appendonly no
    --dir <temporary folder>``; ``start()`` returns once this very process (checked by
    its pid in ``INFO server``) answers PING. ``stop()`` ends it and deletes the folder; it
    also gets SIGTERM when the thread that started it dies.

    Usage::

        with RedisServer() as server:
            client = redis.Redis.from_url(server.url)   # redis://127.0.0.1:<port>/0

    ``start()`` raises :class:`ServerUnavailable` (no ``redis-server``) or :class:`ServerStartError`.
    """

    def __init__(
        self,
        *,
        executable: str | None = None,
        start_attempts: int = DEFAULT_START_ATTEMPTS,
        ready_timeout_s: float = DEFAULT_READY_TIMEOUT_S,
    ) -> None:
        self._executable = executable
        self._start_attempts = start_attempts
        self._ready_timeout_s = ready_timeout_s
        self.port: int | None = None
        self.directory: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def __repr__(self) -> str:
        return f"RedisServer(port={self.port}, directory={str(self.directory)!r})"

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        assert self.port is not None, "server not started"
        return f"redis://{LOOPBACK}:{self.port}/0"

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self._process.pid if self._process is not None else None

    @property
    def log_path(self) -> Path:
        assert self.directory is not None, "server not started"
        return self.directory / "redis.log"

    def start(self) -> RedisServer:
        """Start the server and wait until it answers PING; returns self."""
        executable = self._executable or shutil.which("redis-server")
        if executable is None:
            raise ServerUnavailable("redis-server is not installed; `make test-deps` installs Debian's redis-server")
        self._executable = executable
        self.directory = Path(tempfile.mkdtemp(prefix="robust-import-redis-"))
        try:
            self._start_on_free_port()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """End the server (SIGTERM, then SIGKILL after 30 s) and delete its folder. Idempotent."""
        if self._process is not None:
            _end(self._process, signal.SIGTERM)
            self._process = None
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None
        self.port = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _start_on_free_port(self) -> None:
        assert self._executable is not None and self.directory is not None
        for _attempt in range(self._start_attempts):
            port = free_port()
            with self.log_path.open("wb") as log:
                self._process = subprocess.Popen(
                    [
                        *_child_prefix(user=None, death_signal="TERM"),
                        self._executable,
                        "--port",
                        str(port),
                        "--bind",
                        LOOPBACK,
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        str(self.directory),
                        "--daemonize",
                        "no",
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            if self._wait_ready(port):
                self.port = port
                return
            self._process.wait()
            self._process = None
            log_text = _log_tail(self.log_path)
            if ADDRESS_IN_USE not in log_text:
                raise ServerStartError(f"redis-server did not start:\n{log_text}")
        raise ServerStartError(f"no free port after {self._start_attempts} attempts:\n{_log_tail(self.log_path)}")

    def _wait_ready(self, port: int) -> bool:
        """True once our process answers PING; False when it exited; ServerStartError after the timeout."""
        assert self._process is not None
        client = one_try_client(port)
        deadline = time.monotonic() + self._ready_timeout_s
        try:
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    return False
                try:
                    # Another server may hold the port: only our own pid counts.
                    if client.ping() and client.info("server")["process_id"] == self._process.pid:
                        return True
                except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
                    pass  # not listening yet, or the port's holder is not a Redis server
                time.sleep(POLL_INTERVAL_S)
        finally:
            client.close()
        self._process.kill()
        self._process.wait()
        self._process = None
        raise ServerStartError(f"redis-server did not answer PING within {self._ready_timeout_s} s")
