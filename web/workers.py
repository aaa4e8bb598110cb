"""`tenantry serve --workers N`: N serving processes sharing the listeners.

The parent binds every listener, once per worker with SO_REUSEPORT, and forks the workers;
worker i inherits the i-th socket of each listener and accepts on it. The kernel spreads new
connections evenly over the sockets of a port (one shared socket would not: the idlest worker
would win most connections, and a keep-alive client stays where it landed). A worker restarted
in slot i takes over socket i, which the parent kept open, so what queued there meanwhile is
served, not refused. The parent serves nothing: it restarts a worker that dies, and on SIGTERM
or SIGINT sends SIGTERM to every worker, each of which drains gracefully (web/serving.py), then
exits 0 once they all have. A second signal is passed on too: the workers stop waiting for
their requests.

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
import select
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
    """The CPUs this process may run on (a container's or taskset's share, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


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
    sockets: list[list[socket.socket]]  # by worker slot, then by target
    workers: dict[int, tuple[int, float]] = field(default_factory=dict)  # pid → slot, start
    received: list[int] = field(default_factory=list)  # signals not handled yet
    stopping: bool = False
    failed: bool = False

    def spawn(self, slot: int) -> None:
        # Forked with SIGTERM blocked: the worker unblocks it once its event loop handles it
        # (web/serving.py), so one sent while it starts drains it rather than killing it.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        try:
            pid = os.fork()
            if pid == 0:  # the worker
                # The other slots' sockets are not its own: held here, they would outlive
                # their workers' drain with connections queued that nobody takes.
                for other in self.sockets[:slot] + self.sockets[slot + 1 :]:
                    for sock in other:
                        sock.close()
                os._exit(_worker(self.config, self.targets, self.sockets[slot]))
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        self.workers[pid] = (slot, time.monotonic())
        log.info("worker %d started", pid)

    def reap(self) -> None:
        while self.workers:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            worker = self.workers.pop(pid, None)
            if worker is None:
                continue
            slot, started = worker
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
            self.spawn(slot)

    def signal_all(self, sig: signal.Signals) -> None:
        for pid in self.workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    def stop(self) -> None:
        if not self.stopping:
            log.info("shutting down %d worker(s)", len(self.workers))
            # The listeners close once the workers have closed their copies too: from then on
            # a connection is refused (a load balancer tries another process) rather than
            # queued where no worker takes it any more.
            for sockets in self.sockets:
                for sock in sockets:
                    sock.close()
        else:
            log.warning("second signal: the workers stop waiting for their requests")
        self.stopping = True
        # Passed on as SIGTERM: the workers ignore SIGINT, which a terminal's Ctrl-C sends to
        # the whole process group, so that one Ctrl-C is one signal for each of them.
        self.signal_all(signal.SIGTERM)

    def run(self) -> int:
        # Python handlers, not blocked signals: a signal may reach any thread of this process
        # (the password hashing pool's, say), where a blocked or default one would kill it.
        # The wakeup descriptor wakes the loop below whichever thread took the signal.
        wake_read, wake_write = socket.socketpair()
        wake_read.setblocking(False)
        wake_write.setblocking(False)
        previous_wakeup = signal.set_wakeup_fd(wake_write.fileno())
        previous = {sig: signal.signal(sig, self._note) for sig in _HANDLED}
        try:
            for slot in range(len(self.sockets)):
                self.spawn(slot)
            while self.workers:
                select.select([wake_read], [], [], 1.0)
                with contextlib.suppress(BlockingIOError):
                    wake_read.recv(4096)
                while self.received:
                    if self.received.pop(0) != signal.SIGCHLD:
                        self.stop()
                self.reap()
            return 1 if self.failed else 0
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            signal.set_wakeup_fd(previous_wakeup)
            wake_read.close()
            wake_write.close()

    def _note(self, signum: int, _frame: object) -> None:
        self.received.append(signum)


class ListenerUnavailable(Exception):
    """A listener could not be bound: `serve` exits rather than half-serving."""


def bind(config: Config, targets: list[BindTarget], count: int) -> list[list[socket.socket]]:
    """`count` listening sockets per target, sharing its address with SO_REUSEPORT; by worker
    slot, then in the order of `targets`."""
    from web.serving import uvicorn_config

    by_target: list[list[socket.socket]] = []
    try:
        for target in targets:
            # Bound alone first: SO_REUSEPORT would otherwise join a group another server
            # (of this user) holds on the port, and share its traffic, instead of failing.
            try:
                uvicorn_config(None, config, target).bind_socket().close()
            except SystemExit:  # uvicorn logged why
                raise ListenerUnavailable(f"cannot listen on {target.url}") from None
            by_target.append([_reuse_port_socket(target) for _ in range(count)])
    except BaseException:
        for sockets in by_target:
            for sock in sockets:
                sock.close()
        raise
    return [list(slot) for slot in zip(*by_target, strict=True)]


def _reuse_port_socket(target: BindTarget) -> socket.socket:
    family = socket.AF_INET6 if ":" in target.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((target.host, target.port))
        # Listening from now: connections queue for a worker that is still starting.
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise ListenerUnavailable(f"cannot listen on {target.url}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def supervise(config: Config, targets: list[BindTarget], count: int) -> int:
    """Run `count` workers until a signal stops them; the exit status for `serve`."""
    from web.logging import configure_logging  # after the metrics directory is set

    configure_logging(json=config.log_json)
    try:
        sockets = bind(config, targets, count)
    except ListenerUnavailable as exc:
        log.error("%s", exc)
        return 1
    try:
        return _Supervisor(config, targets, sockets).run()
    finally:
        for slot in sockets:
            for sock in slot:
                sock.close()
        for variable in (METRICS_DIRECTORY, RELAY_DIRECTORY):
            directory = os.environ.get(variable)
            if directory:
                shutil.rmtree(directory, ignore_errors=True)


def _worker(config: Config, targets: list[BindTarget], sockets: list[socket.socket]) -> int:
    """In the forked child: serve on the inherited sockets; the status to exit with."""
    from web import serving

    # The parent's handlers and wakeup descriptor are its own. SIGTERM stays blocked until
    # the event loop handles it (web/serving.py).
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
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
