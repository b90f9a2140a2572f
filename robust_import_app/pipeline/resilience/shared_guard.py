"""One guard per upstream shared by every process through Redis: spacing, concurrency cap, breaker.

:class:`SharedUpstreamGuard` has the interface of
:class:`~robust_import_app.pipeline.resilience.guard.UpstreamGuard` (``request(video_id=,
stage=)``, ``upstream``, ``breaker``) and its rules, but its state lives in
Redis, so that N worker processes together send at most one request per
``interval_s`` to an upstream, stretch the spacing together on a 429, and
pause together while the breaker is open; in half-open exactly one request,
across all processes, goes out as the probe.

Keys, per upstream (``<prefix>:{<upstream>}:...``)::

    state  hash: interval, next_slot, last_slot, paused_until (server seconds),
           breaker (closed|open), failures, opened_at, cooldown, reason,
           epoch (when the hash was created), origin (fresh|restored)
    slots  sorted set: one member per request holding a concurrency slot,
           scored by its expiry (server seconds), so that a ``kill -9``'d
           process's slots free themselves after ``holder_ttl_s``
    probe  string: the holder id of the half-open probe, expiring after the
           base cool-down and renewed, like the slot, while the probe is in
           flight: a slow probe keeps it, one that never reports (its process
           died) is presumed lost once it lapses

Why Lua scripts (``register_script``) and not the ``limits`` package: the
spacing is adaptive (×1.5 per 429 up to ``max_interval_s``, ×0.9 per success
back to ``interval_s``), a Retry-After pauses everyone, and admission must
read the breaker, the concurrency cap and the spacing in one atomic step.
``limits``' moving and sliding windows count hits against a fixed rate per
fixed window; they can neither change the rate per outcome nor tie admission
to a breaker, so these rules, which are the product's own, are written here
in three short scripts. Every time in Redis is the Redis server's clock
(``TIME`` inside the scripts); processes only ever receive durations.

A Redis restart (without persistence), a ``FLUSHALL`` or an eviction
loses the state: an open breaker and a Retry-After pause with it. Making
the state persist is not ours to choose (it is the Redis server's
configuration, and a flush or an eviction loses it anyway), so **lost state
counts as half-open**: one probe goes out, and its success lets everyone
proceed (its refusal reopens the breaker, cool-down doubled, and brings
back the Retry-After). To tell lost state from a fresh deployment's empty
Redis, which must not cost a probe, the marker lives where a flush cannot
reach it: each process remembers the ``epoch`` of the state it last saw and
passes it to every script. A script that finds no state, from a process
that saw one, recreates it half-open (``origin`` restored, reason
``limits_unreachable``); from a process that never saw one (a fresh
deployment), closed (``origin`` fresh). If a newcomer recreated the state
closed before any process that saw the old one came back, the first of
those finds a fresh state with an epoch it does not know and makes it
half-open all the same. What is left: a deployment whose every process
restarted together with Redis starts closed, as a fresh one does, and a
newcomer's first requests after a flush may go out before a process that
saw the lost state next asks.

When Redis cannot be reached no request goes out: :meth:`request` raises
``TransientImportError(CIRCUIT_OPEN, retry_after_s=UNREACHABLE_RETRY_S)``
and the breaker snapshot reads OPEN with reason
``ErrorCode.LIMITS_UNREACHABLE``, so the worker pauses and says why; the
next request after Redis is back goes through.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from typing import TypeVar

import redis.asyncio as aioredis
import redis.exceptions
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript
from redis.retry import Retry

from robust_import_app.domain.errors import ErrorCode, ImportFailure, TransientImportError
from robust_import_app.domain.upstreams import Upstream
from robust_import_app.pipeline.config import GuardConfig, bounded_wait_s, default_guard_configs
from robust_import_app.pipeline.resilience.breaker import BreakerState
from robust_import_app.pipeline.resilience.classify import classify, is_no_captions
from robust_import_app.pipeline.resilience.guard import SLOW_DOWN_CODES, Guards
from robust_import_app.pipeline.resilience.ratelimit import SHRINK_ON_SUCCESS, STRETCH_ON_RATE_LIMIT

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_KEY_PREFIX = "robust_import:guard"
DEFAULT_HOLDER_TTL_S = 30.0
"""Seconds a concurrency slot stays held without a renewal (renewed every third of it)."""
UNREACHABLE_RETRY_S = 5.0
"""Seconds a request refused because Redis is unreachable is told to wait."""
REFRESH_S = 1.0
"""Longest time, in seconds, a waiting request goes without re-reading the shared breaker."""
BUSY_POLL_S = 0.1
"""Seconds between two tries for a concurrency slot while all are held."""
REDIS_TIMEOUT_S = 2.0
"""Connect and read timeout of the Redis client, in seconds."""
UNREACHABLE_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)

_PRELUDE = """
-- Every script's last two ARGV: the base cool-down, and the epoch of the state this process last saw ('' if none).
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local function fmt(x) return string.format('%.6f', x) end
local restore_cooldown, known_epoch = tonumber(ARGV[#ARGV - 1]), ARGV[#ARGV]
local function restore()  -- the state was lost: half-open, one probe decides
  redis.call('HSET', KEYS[1], 'breaker', 'open', 'opened_at', fmt(now - restore_cooldown),
             'cooldown', fmt(restore_cooldown), 'failures', '0', 'reason', 'limits_unreachable', 'origin', 'restored')
end
local e = redis.call('HMGET', KEYS[1], 'epoch', 'origin', 'breaker')
local epoch = e[1]
if not epoch then
  epoch = t[1] .. '.' .. t[2]
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'origin', 'fresh')
  if known_epoch ~= '' then restore() end
elseif known_epoch ~= '' and epoch ~= known_epoch and e[2] == 'fresh' then
  -- recreated by a process that never saw the lost state: lost all the same
  if e[3] == 'open' then redis.call('HSET', KEYS[1], 'origin', 'restored') else restore() end
end
local s = redis.call('HMGET', KEYS[1], 'breaker', 'opened_at', 'cooldown', 'interval',
                     'next_slot', 'last_slot', 'paused_until', 'failures', 'reason')
local breaker = s[1] or 'closed'
local opened_at = tonumber(s[2]) or 0
local interval = tonumber(s[4]) or tonumber(ARGV[3])
local next_slot = tonumber(s[5]) or 0
local last_slot = tonumber(s[6]) or 0
local paused_until = tonumber(s[7]) or 0
local failures = tonumber(s[8]) or 0
local function snapshot(...)
  local state, retry_in = 'closed', 0
  local b = redis.call('HMGET', KEYS[1], 'breaker', 'opened_at', 'cooldown', 'reason', 'interval')
  if b[1] == 'open' then
    local reopen_at = tonumber(b[2]) + tonumber(b[3])
    if now < reopen_at then
      state, retry_in = 'open', reopen_at - now
    else
      state = 'half_open'
      local ttl = redis.call('PTTL', KEYS[3])
      if ttl > 0 then retry_in = ttl / 1000 end
    end
  end
  return {state, fmt(retry_in), b[4] or '', b[5] or fmt(interval), epoch, ...}
end
"""

_ADMIT = (
    _PRELUDE
    + """
-- ARGV: holder, phase (enter|recheck), base interval, is_probe (1|0), concurrency, base cool-down, holder ttl,
--       base cool-down, known epoch
local holder, phase, is_probe = ARGV[1], ARGV[2], ARGV[4] == '1'
local cooldown = tonumber(s[3]) or tonumber(ARGV[6])
if breaker == 'open' and not is_probe then
  if now < opened_at + cooldown or redis.call('EXISTS', KEYS[3]) == 1 then
    redis.call('ZREM', KEYS[2], holder)
    return snapshot('refused', '0', '0')
  end
end
if phase == 'enter' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', fmt(now))
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then
    return snapshot('busy', '0', '0')
  end
end
if breaker == 'open' and not is_probe then
  redis.call('SET', KEYS[3], holder, 'PX', math.ceil(tonumber(ARGV[6]) * 1000))
  is_probe = true
end
local probe = is_probe and '1' or '0'
if phase == 'enter' or now < paused_until then
  local slot = math.max(now, next_slot, paused_until)
  redis.call('HSET', KEYS[1], 'interval', fmt(interval), 'next_slot', fmt(slot + interval), 'last_slot', fmt(slot))
  redis.call('ZADD', KEYS[2], fmt(slot + tonumber(ARGV[7])), holder)
  return snapshot('wait', fmt(slot - now), probe)
end
return snapshot('go', '0', probe)
"""
)

_RECORD = (
    _PRELUDE
    + f"""
-- ARGV: holder, outcome (success|failure), base interval, max interval, counts (1|0), slow_down (1|0),
--       retry_after ('' or seconds), code, threshold, base cool-down, max cool-down, max retry_after,
--       base cool-down, known epoch
local holder, outcome = ARGV[1], ARGV[2]
local base, max_interval = tonumber(ARGV[3]), tonumber(ARGV[4])
local base_cooldown, max_cooldown = tonumber(ARGV[10]), tonumber(ARGV[11])
local cooldown = tonumber(s[3]) or base_cooldown
redis.call('ZREM', KEYS[2], holder)
local is_probe = redis.call('GET', KEYS[3]) == holder
local function open(c)
  redis.call('HSET', KEYS[1], 'breaker', 'open', 'opened_at', fmt(now), 'cooldown', fmt(math.min(c, max_cooldown)),
             'failures', '0', 'reason', ARGV[8])
  redis.call('DEL', KEYS[3])
end
if outcome == 'success' then
  redis.call('HSET', KEYS[1], 'interval', fmt(math.max(base, interval * {SHRINK_ON_SUCCESS})))
  if breaker ~= 'open' then
    redis.call('HSET', KEYS[1], 'failures', '0')
  elseif is_probe then
    redis.call('HSET', KEYS[1], 'breaker', 'closed', 'failures', '0', 'cooldown', fmt(base_cooldown))
    redis.call('HDEL', KEYS[1], 'reason', 'opened_at')
    redis.call('DEL', KEYS[3])
  end
  return snapshot()
end
if ARGV[6] == '1' then
  interval = math.min(max_interval, interval * {STRETCH_ON_RATE_LIMIT})
  next_slot = math.max(next_slot, last_slot + interval)
  local retry_after = tonumber(ARGV[7])
  if retry_after and retry_after == retry_after then  -- not NaN; clamped to [0, max retry_after]
    paused_until = math.max(paused_until, now + math.min(tonumber(ARGV[12]), math.max(0, retry_after)))
  end
  redis.call('HSET', KEYS[1], 'interval', fmt(interval), 'next_slot', fmt(next_slot), 'paused_until', fmt(paused_until))
end
if ARGV[5] == '1' then
  if breaker == 'open' then
    if is_probe then open(cooldown * 2) end
  elseif failures + 1 >= tonumber(ARGV[9]) then
    open(cooldown)
  else
    redis.call('HSET', KEYS[1], 'failures', tostring(failures + 1))
  end
elseif is_probe then
  redis.call('DEL', KEYS[3])
end
return snapshot()
"""
)

_RENEW = (
    _PRELUDE
    + """
-- ARGV: holder, holder ttl, base interval, base cool-down, base cool-down, known epoch
if ARGV[1] ~= '' then
  redis.call('ZADD', KEYS[2], 'XX', fmt(now + tonumber(ARGV[2])), ARGV[1])
  if redis.call('GET', KEYS[3]) == ARGV[1] then  -- the probe is still in flight: not lost
    redis.call('PEXPIRE', KEYS[3], math.ceil(tonumber(ARGV[4]) * 1000))
  end
end
return snapshot()
"""
)


def connect(redis_url: str) -> aioredis.Redis:
    """An asyncio Redis client for the shared guards: 2 s timeouts, one retry, replies as ``str``."""
    return aioredis.Redis.from_url(
        redis_url,
        decode_responses=True,
        socket_timeout=REDIS_TIMEOUT_S,
        socket_connect_timeout=REDIS_TIMEOUT_S,
        retry=Retry(NoBackoff(), 1),
    )


class BreakerSnapshot:
    """This process's last view of a shared breaker, read without I/O (as the banner does).

    ``state`` and ``retry_in_s`` age with ``clock`` (monotonic seconds) from
    the moment of the last read: an OPEN snapshot whose wait ran out reads
    HALF_OPEN, as :class:`~robust_import_app.pipeline.resilience.breaker.CircuitBreaker`
    does. ``opened_reason`` is the code of the failure that opened it, or
    ``ErrorCode.LIMITS_UNREACHABLE`` while Redis cannot be reached.
    """

    __slots__ = ("_clock", "_read_at", "_retry_in_s", "_state", "opened_reason")

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._retry_in_s = 0.0
        self._read_at = clock()
        self.opened_reason: ErrorCode | None = None

    @property
    def state(self) -> BreakerState:
        """CLOSED, OPEN, or HALF_OPEN (also for an OPEN read whose wait has run out)."""
        if self._state is BreakerState.OPEN and self.retry_in_s == 0:
            return BreakerState.HALF_OPEN
        return self._state

    @property
    def retry_in_s(self) -> float:
        """Seconds until a request may be allowed again, as of now; 0 when one may go."""
        return max(0.0, self._retry_in_s - (self._clock() - self._read_at))

    def update(self, state: BreakerState, *, retry_in_s: float, reason: ErrorCode | None) -> None:
        """Take a fresh read of the shared breaker."""
        self._state = state
        self._retry_in_s = retry_in_s
        self._read_at = self._clock()
        self.opened_reason = reason if state is not BreakerState.CLOSED else None

    def __repr__(self) -> str:
        return f"BreakerSnapshot(state={self.state.value!r}, retry_in_s={self.retry_in_s:.1f})"


class SharedUpstreamGuard:
    """Run requests to one upstream through the breaker and limiter all processes share in Redis.

    ::

        guard = SharedUpstreamGuard(Upstream.PLAYER, GuardConfig(interval_s=0.2), redis=connect(url))
        async with guard.request(video_id=vid, stage="metadata"):
            info = await fetch()

    On entry, in one atomic step on Redis: refused with
    ``TransientImportError(CIRCUIT_OPEN)`` while the shared breaker is open
    (or half-open with the probe out); otherwise, once fewer than
    ``config.concurrency`` requests of all processes hold a slot, it takes one
    and reserves the next free send time (``interval_s`` after the previous
    one, and not before a Retry-After pause ends), then sleeps until then and
    asks again: refused if the breaker opened meanwhile, or re-reserved if a
    Retry-After pause began. In half-open the first request admitted becomes
    the probe (a Redis key with the base cool-down as its expiry, renewed
    while the probe is in flight, so that a probe slower than the cool-down
    lets no second one out). On exit the
    outcome is recorded as :class:`~robust_import_app.pipeline.resilience.guard.UpstreamGuard`
    records it (classified, SLOW_DOWN_CODES stretch the spacing ×1.5 and
    honour Retry-After up to ``config.retry_after_max_s``, successes shrink it ×0.9, counting codes open the
    breaker after ``failure_threshold`` in a row across all processes, a
    failed probe reopens it with the cool-down doubled up to
    ``cooldown_max_s``). Cancellation records nothing but frees the slot.

    Raises ``TransientImportError(CIRCUIT_OPEN, retry_after_s=UNREACHABLE_RETRY_S)``
    when Redis is unreachable before the request goes out; a failed record
    after it went out is logged (once, as Redis becomes unreachable), and the
    request's own outcome stands.

    ``key_prefix`` names the keys (guards with one prefix share their limits);
    ``holder_ttl_s`` is how long, in seconds, a dead process's concurrency
    slot stays taken; ``clock`` (monotonic seconds) ages the breaker snapshot
    and, with ``sleep``, times the waits.
    """

    __slots__ = (
        "_admit",
        "_clock",
        "_epoch",
        "_holder_ttl_s",
        "_keys",
        "_local_slots",
        "_record",
        "_redis",
        "_renew",
        "_sleep",
        "_unreachable",
        "breaker",
        "config",
        "interval_s",
        "upstream",
    )

    def __init__(
        self,
        upstream: Upstream,
        config: GuardConfig,
        *,
        redis: aioredis.Redis,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        holder_ttl_s: float = DEFAULT_HOLDER_TTL_S,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.upstream = upstream
        self.config = config
        self.breaker = BreakerSnapshot(clock=clock)
        self.interval_s = config.interval_s
        """The shared spacing, in seconds, as of the last read."""
        base = f"{key_prefix}:{{{upstream.value}}}"
        self._keys = [f"{base}:state", f"{base}:slots", f"{base}:probe"]
        self._redis = redis
        self._admit = redis.register_script(_ADMIT)
        self._record = redis.register_script(_RECORD)
        self._renew = redis.register_script(_RENEW)
        self._holder_ttl_s = holder_ttl_s
        self._local_slots = asyncio.Semaphore(config.concurrency)
        self._clock = clock
        self._sleep = sleep
        self._unreachable = False
        self._epoch = ""

    @asynccontextmanager
    async def request(self, *, video_id: str | None = None, stage: str | None = None) -> AsyncIterator[None]:
        """Guard one request; see the class docstring for what is raised."""
        holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        async with self._local_slots:  # no more of this process's requests poll Redis than could run
            renewal = asyncio.create_task(self._keep_holding(holder))
            try:
                is_probe = await self._enter(holder, video_id=video_id, stage=stage)
                try:
                    yield
                except Exception as exc:
                    if is_no_captions(exc):
                        await self._report(holder, None, is_probe)
                        raise
                    failure = classify(
                        exc, video_id=video_id, stage=stage, retry_after_max_s=self.config.retry_after_max_s
                    )
                    await self._report(holder, failure, is_probe)
                    if failure is exc:
                        raise
                    raise failure from exc
                await self._report(holder, None, is_probe)
            except BaseException as exc:
                if not isinstance(exc, Exception):  # cancelled: record nothing, free the slot
                    with suppress(*UNREACHABLE_ERRORS):
                        await self._redis.zrem(self._keys[1], holder)
                raise
            finally:
                renewal.cancel()

    async def refresh(self) -> None:
        """Re-read the shared breaker and spacing into :attr:`breaker` and :attr:`interval_s`.

        Raises the errors of :data:`UNREACHABLE_ERRORS` when Redis cannot be reached.
        """
        await self._run(self._renew, "", self._holder_ttl_s, self.config.interval_s, self.config.cooldown_s)

    async def _enter(self, holder: str, *, video_id: str | None, stage: str | None) -> bool:
        """Wait for a slot and the send time; True when this request is the half-open probe."""
        phase, is_probe = "enter", False
        while True:
            verdict, wait_s, is_probe = await self._admission(holder, phase, is_probe, video_id, stage)
            if verdict == "busy":
                await self._sleep(BUSY_POLL_S)
                continue
            if verdict == "go" or wait_s <= 0:
                return is_probe
            deadline = self._clock() + wait_s
            while (left_s := deadline - self._clock()) > REFRESH_S:
                await self._sleep(REFRESH_S)
                await self._guarded(self.refresh(), video_id, stage)
            if left_s > 0:
                await self._sleep(left_s)
            phase = "recheck"

    async def _admission(
        self, holder: str, phase: str, is_probe: bool, video_id: str | None, stage: str | None
    ) -> tuple[str, float, bool]:
        config = self.config
        reply = await self._guarded(
            self._run(
                self._admit,
                holder,
                phase,
                config.interval_s,
                "1" if is_probe else "0",
                config.concurrency,
                config.cooldown_s,
                self._holder_ttl_s,
            ),
            video_id,
            stage,
        )
        verdict, wait_s, probe = reply
        if verdict == "refused":
            reason = self.breaker.opened_reason.value if self.breaker.opened_reason else "unknown"
            raise TransientImportError(
                ErrorCode.CIRCUIT_OPEN,
                video_id=video_id,
                stage=stage,
                retry_after_s=self.breaker.retry_in_s,
                detail=f"opened by {reason}",
            )
        return verdict, float(wait_s), probe == "1"

    async def _guarded(self, call: Awaitable[T], video_id: str | None, stage: str | None) -> T:
        """Await a Redis call made before the request goes out; unreachable Redis refuses the request."""
        try:
            return await call
        except UNREACHABLE_ERRORS as exc:
            raise TransientImportError(
                ErrorCode.CIRCUIT_OPEN,
                video_id=video_id,
                stage=stage,
                retry_after_s=UNREACHABLE_RETRY_S,
                detail="the shared rate limit (Redis) is unreachable",
            ) from exc

    async def _report(self, holder: str, failure: ImportFailure | None, is_probe: bool) -> None:
        """Record a request's outcome; an unreachable Redis is logged, not raised (the request went out)."""
        config = self.config
        counts = isinstance(failure, TransientImportError) and failure.counts_for_breaker
        slow_down = failure is not None and failure.code in SLOW_DOWN_CODES
        retry_after_s = bounded_wait_s(failure.retry_after_s, config.retry_after_max_s) if failure is not None else None
        with suppress(*UNREACHABLE_ERRORS):
            await self._run(
                self._record,
                holder,
                "success" if failure is None else "failure",
                config.interval_s,
                config.max_interval_s,
                "1" if counts else "0",
                "1" if slow_down else "0",
                "" if retry_after_s is None else retry_after_s,
                failure.code.value if failure is not None else "",
                config.failure_threshold,
                config.cooldown_s,
                config.cooldown_max_s,
                config.retry_after_max_s,
            )

    async def _keep_holding(self, holder: str) -> None:
        """Renew this request's concurrency slot, and its probe key if it is the probe, until cancelled.

        Every third of the shorter expiry (``holder_ttl_s``, the base cool-down),
        so that neither lapses while the request is alive, however slow.
        """
        config = self.config
        while True:
            await asyncio.sleep(min(self._holder_ttl_s, config.cooldown_s) / 3)
            with suppress(*UNREACHABLE_ERRORS):
                await self._run(self._renew, holder, self._holder_ttl_s, config.interval_s, config.cooldown_s)

    async def _run(self, script: AsyncScript, *args: str | float) -> list[str]:
        """Run ``script`` on this upstream's keys; update the snapshot from its reply, or mark Redis unreachable.

        Appends the arguments every script ends with (the base cool-down and
        the epoch of the state last seen, see the module docstring). Returns
        what the script returned after the snapshot fields.
        """
        args = (*args, self.config.cooldown_s, self._epoch)
        try:
            reply: list[str] = await script(keys=self._keys, args=list(args))  # every script replies strings
        except UNREACHABLE_ERRORS:
            if not self._unreachable:
                logger.warning("The shared rate limit of %s (Redis) is unreachable; pausing", self.upstream.value)
            self._unreachable = True
            self.breaker.update(BreakerState.OPEN, retry_in_s=UNREACHABLE_RETRY_S, reason=ErrorCode.LIMITS_UNREACHABLE)
            raise
        if self._unreachable:
            logger.info("The shared rate limit of %s (Redis) is reachable again", self.upstream.value)
            self._unreachable = False
        state, retry_in_s, reason, interval_s, self._epoch, *rest = reply
        self.breaker.update(
            BreakerState(state), retry_in_s=float(retry_in_s), reason=ErrorCode(reason) if reason else None
        )
        self.interval_s = float(interval_s)
        return rest

    def __repr__(self) -> str:
        return f"SharedUpstreamGuard({self.upstream.value!r}, config={self.config!r}, breaker={self.breaker!r})"


def shared_guards(
    configs: Mapping[Upstream, GuardConfig] | None,
    *,
    redis: aioredis.Redis,
    key_prefix: str = DEFAULT_KEY_PREFIX,
    holder_ttl_s: float = DEFAULT_HOLDER_TTL_S,
) -> Guards:
    """A shared guard for every upstream; ``configs`` overrides :func:`default_guard_configs`.

    The caller owns ``redis`` (see :func:`connect`) and closes it.
    """
    merged = {**default_guard_configs(), **(configs or {})}
    return Guards(
        {
            upstream: SharedUpstreamGuard(
                upstream, config, redis=redis, key_prefix=key_prefix, holder_ttl_s=holder_ttl_s
            )
            for upstream, config in merged.items()
        }
    )
