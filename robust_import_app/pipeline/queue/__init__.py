"""The import queue is the database: videos and sources are jobs, leased by workers.

Guarantees, in the manner of Oban and procrastinate:

- **Job states.** A video is a job from ``created`` through ``metadata``,
  ``captions`` and ``chapters`` to ``complete`` or ``error``; its stage is
  committed before the stage runs, so a restart resumes there. A source is a
  job from ``queued`` (or ``offered``) through ``expanding`` (perhaps
  ``awaiting_choice``) to ``done``, ``failed`` or ``cancelled``. A job waiting for a retry holds its stage or
  state and a ``next_attempt_at`` (the backoff schedule).
- **Leases.** Claiming a due row sets ``claimed_by`` (the holder,
  ``host:pid:kernel:start:nonce``), ``claimed_until`` and a fresh ``lease_token``; the
  worker renews the lease on a heartbeat while it works. Lease times are the
  database's clock, so workers whose clocks disagree agree on them. A lease that runs
  out frees the row for any worker. A worker that died (``kill -9``) leaves
  leases that expire; a successor under the same kernel boot and PID namespace
  releases them at start-up, once it proves the holder gone (its pid no longer
  runs the process that claimed). A stopped worker gives its leases back.
- **Fencing.** Every write about a claimed row names holder and token and
  checks that it changed exactly one row, else raises
  :class:`~robust_import_app.pipeline.queue.lease.LeaseLost` and rolls back.
  A worker whose lease expired and was taken over, or whose row was
  cancelled or deleted, therefore writes nothing more about it.
- **At least once.** A stage or page a worker was stopped in runs again at
  the next claim; its writes are idempotent (a stage's results are replaced,
  a source's cursor names the last page written), so running twice stores once.
- **Fairness.** Each free slot goes to the open batch with the fewest videos
  in flight (across all workers), ties to the older batch; within a batch,
  videos go in paste order; sources go oldest first.

Modules: :mod:`~robust_import_app.pipeline.queue.lease` (the leases both
queues share), :mod:`~robust_import_app.pipeline.queue.videos` (the video
queue), :mod:`~robust_import_app.pipeline.queue.sources` (the source queue),
:mod:`~robust_import_app.pipeline.queue.transitions` (a video's import state
changed outside the worker: a new row, a retry, a cancel).
"""
