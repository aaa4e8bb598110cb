"""`tenantry serve --workers N`: N serving processes sharing the listeners.

The parent binds every listener once, then forks the workers; each inherits the listening
sockets and accepts on them (the kernel hands each new connection to one of them). The parent
serves nothing: it restarts a worker that dies, and on SIGTERM or SIGINT sends SIGTERM to every
worker, each of which drains gracefully (web/serving.py), then exits 0 once they all have. A
second signal is passed on too: the workers stop waiting for their requests.

Per-process state:
- metrics: prometheus-client's multiprocess mode, in a directory of the parent's (removed at
  exit); /metrics on any worker adds up all of them, the dead ones' counters included;
- the mail outbox and the sweeps run in every worker and coordinate through the database
  (conditional claims and deletions, domain/outbox.py, domain/signup.py);
- rate limits and automatic persisted queries are shared through Redis when TENANTRY_REDIS_URL
  is set, else each worker keeps its own (a client may then get a limit's allowance once per
  worker);
- subscriptions: PostgreSQL carries changes between processes (LISTEN/NOTIFY); with SQLite
  the workers relay them to each other (domain/events.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field

from config import Config
from domain.event_relay import DIRECTORY_VARIABLE as RELAY_DIRECTORY
from web.listeners import BindTarget

log = logging.getLogger("tenantry.serve")

METRICS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
# A worker that dies sooner than this after its start is restarted only after a pause, so a
# worker that cannot start does not spin the machine.
QUICK_DEATH_SECONDS = 5.0
RESTART_PAUSE_SECONDS = 1.0
_HANDLED = {signal.SIGCHLD, signal.SIGTERM, signal.SIGINT}


def default_count() -> int:
    """The CPUs this process may run on (a container's or taskset's share, not the machine's);
    1 where the supervisor cannot run (it waits for signals with Linux's sigtimedwait)."""
    if not hasattr(signal, "sigtimedwait") or not hasattr(os, "sched_getaffinity"):
        return 1
    return len(os.sched_getaffinity(0))


def prepare_directories() -> None:
    """The workers' shared directories (private to this user, removed by `supervise`): the
    metrics files, set before prometheus_client is imported anywhere (it reads the variable at
    import), and the SQLite change-event relay's sockets."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before the metrics directory was set")
    os.environ[METRICS_DIRECTORY] = tempfile.mkdtemp(prefix="tenantry-metrics-")
    os.environ[RELAY_DIRECTORY] = tempfile.mkdtemp(prefix="tenantry-events-")


@dataclass
class _Supervisor:
    config: Config
    targets: list[BindTarget]
    sockets: list[socket.socket]
    count: int
    workers: dict[int, float] = field(default_factory=dict)  # pid → started at (monotonic)
    stopping: bool = False
    failed: bool = False

    def spawn(self) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            os._exit(_worker(self.config, self.targets, self.sockets))
        self.workers[pid] = time.monotonic()
        log.info("worker %d started", pid)

    def reap(self) -> None:
        while self.workers:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            started = self.workers.pop(pid, None)
            if started is None:
                continue
            _metrics_process_dead(pid)
            code = os.waitstatus_to_exitcode(status)
            if self.stopping:
                if code != 0:
                    self.failed = True
                    log.error("worker %d stopped with status %d", pid, code)
                continue
            log.error("worker %d died (status %d): starting another", pid, code)
            if time.monotonic() - started < QUICK_DEATH_SECONDS:
                time.sleep(RESTART_PAUSE_SECONDS)
            self.spawn()

    def signal_all(self, sig: signal.Signals) -> None:
        for pid in self.workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    def run(self) -> int:
        for _ in range(self.count):
            self.spawn()
        while self.workers:
            received = signal.sigtimedwait(_HANDLED, 1.0)
            if received is None or received.si_signo == signal.SIGCHLD:
                self.reap()
                continue
            if not self.stopping:
                log.info("shutting down %d worker(s)", len(self.workers))
            else:
                log.warning("second signal: the workers stop waiting for their requests")
            self.stopping = True
            # Passed on as SIGTERM: the workers ignore SIGINT, which a terminal's Ctrl-C sends
            # to the whole process group, so that one Ctrl-C is one signal for each of them.
            self.signal_all(signal.SIGTERM)
        return 1 if self.failed else 0


def bind(config: Config, targets: list[BindTarget]) -> list[socket.socket]:
    from web.serving import uvicorn_config

    return [uvicorn_config(None, config, target).bind_socket() for target in targets]


def supervise(config: Config, targets: list[BindTarget], count: int) -> int:
    """Run `count` workers until a signal stops them; the exit status for `serve`."""
    from web.logging import configure_logging  # after the metrics directory is set

    configure_logging(json=config.log_json)
    sockets = bind(config, targets)
    signal.pthread_sigmask(signal.SIG_BLOCK, _HANDLED)
    try:
        return _Supervisor(config, targets, sockets, count).run()
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HANDLED)
        for sock in sockets:
            sock.close()
        for variable in (METRICS_DIRECTORY, RELAY_DIRECTORY):
            directory = os.environ.get(variable)
            if directory:
                shutil.rmtree(directory, ignore_errors=True)


def _worker(config: Config, targets: list[BindTarget], sockets: list[socket.socket]) -> int:
    """In the forked child: serve on the inherited sockets; the status to exit with."""
    from web import serving

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _HANDLED)
    try:
        serving.run(config, targets, sockets, signals=(signal.SIGTERM,))
    except SystemExit as exit_:  # uvicorn exits when its start fails
        return exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        log.exception("worker failed")
        return 1
    finally:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    return 0


def _metrics_process_dead(pid: int) -> None:
    """A dead worker's live gauges leave the sums (its counters stay counted)."""
    if not os.environ.get(METRICS_DIRECTORY):
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)
