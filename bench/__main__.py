"""python -m bench: starts the server (one uvicorn process) on SQLite and on PostgreSQL, seeds a
tenant of 1,000 users, drives it with wrk and prints each figure next to its baseline.

Options: --seconds N (per wrk run, default 5), --db sqlite|postgres|both (default both),
--postgres URL (default $TENANTRY_BENCH_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from bench import audit, queries, smtp, workers, wrk
from bench.smtp import free_port

SECRET = "bench-secret-key"
RESULTS = Path(__file__).with_name("RESULTS.md")


def machine() -> str:
    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return (f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}, {memory} RAM, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")  # fmt: skip


def load() -> str:
    """Other processes on the machine skew every figure: the run records how busy it was."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


@contextlib.contextmanager
def database(kind: str, admin_url: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="tenantry-bench-") as directory:
            yield f"sqlite://{directory}/bench.db"
        return
    import asyncpg

    name = f"tenantry_bench_{uuid.uuid4().hex[:10]}"
    dsn = admin_url.replace("postgres://", "postgresql://", 1)

    async def execute(sql: str) -> None:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def prepare(database_url: str) -> dict[str, str]:
    """Migrate and seed in a child process, so this one holds no ORM state."""
    code = (
        "import asyncio, json\n"
        "from tortoise import Tortoise\n"
        "from config import Config, configure\n"
        "from models.db import migrate, tortoise_config\n"
        "from bench.seed import seed\n"
        "async def main():\n"
        f"    configure(Config(database_url={database_url!r}, secret_key={SECRET!r}))\n"
        f"    await migrate({database_url!r})\n"
        f"    await Tortoise.init(config=tortoise_config({database_url!r}))\n"
        "    try:\n"
        "        print('SEEDED ' + json.dumps(await seed()))\n"
        "    finally:\n"
        "        await Tortoise.close_connections()\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("SEEDED ")), None)
    if line is None:
        raise SystemExit(f"seeding failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return json.loads(line.removeprefix("SEEDED "))


@contextlib.contextmanager
def server(database_url: str, smtp_url: str | None) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "bench.server", database_url, str(port)]
    if smtp_url:
        command.append(smtp_url)
    log = tempfile.NamedTemporaryFile(prefix="tenantry-bench-server-", suffix=".log", delete=False)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start: {Path(log.name).read_text()[-3000:]}")
            time.sleep(0.1)
        yield url
    except Exception:
        process.send_signal(signal.SIGUSR1)  # the server prints its threads' stacks
        time.sleep(1)
        print(f"server log ({log.name}):\n{Path(log.name).read_text()[-6000:]}", flush=True)
        raise
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def post(url: str, path: str, body: bytes, token: str | None = None, method: str = "POST") -> bytes:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url + path, data=body, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310
        return answer.read()


def graphql_body(query: str, variables: dict | None = None) -> str:
    return json.dumps({"query": query, **({"variables": variables} if variables else {})})


def get(url: str, path: str) -> bytes:
    with urllib.request.urlopen(url + path, timeout=60) as answer:  # noqa: S310
        return answer.read()


def has_mutation(url: str, token: str, name: str) -> bool:
    answer = json.loads(post(url, "/graphql", graphql_body(
        '{ __type(name: "Mutation") { fields { name } } }').encode(), token))  # fmt: skip
    return name in {f["name"] for f in answer["data"]["__type"]["fields"]}


def settle(url: str) -> None:
    """Waits until the server has drained what the last run queued (wrk stops sending, but
    requests already accepted still run): the next figure must not pay for the previous one."""
    deadline = time.monotonic() + 60
    quick = 0
    # Ten quick answers in a row (a second or more): a backlog of 64 users pages lets a few
    # health checks through quickly, and the next figure (`me` alone) would pay for it.
    while quick < 10 and time.monotonic() < deadline:
        started = time.perf_counter()
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(  # noqa: S310
                f"{url}/healthz", timeout=30
            ),
        ):
            pass
        quick = quick + 1 if time.perf_counter() - started < 0.02 else 0
        time.sleep(0.1)


def step(name: str, url: str) -> None:
    settle(url)
    print(f"   {time.strftime('%H:%M:%S')} {name}", flush=True)


def measure(kind: str, database_url: str, seconds: float) -> dict[str, object]:
    seeded = prepare(database_url)
    auth = f"Bearer {seeded['admin_token']}"
    controller, handler, smtp_url = smtp.start()
    figures: dict[str, object] = {}
    try:
        with server(database_url, smtp_url) as url:
            nested = graphql_body(queries.USERS_NESTED)
            scalars = graphql_body(queries.USERS_SCALARS)
            graphql_bytes = post(url, "/graphql", nested.encode(), seeded["admin_token"])
            bare_bytes = post(url, "/bare/users-sql", b"", seeded["admin_token"])
            figures["identical_bytes"] = graphql_bytes == bare_bytes
            scalar_bytes = post(url, "/graphql", scalars.encode(), seeded["admin_token"])
            post(url, "/bare/memory/scalars", scalar_bytes, method="PUT")
            memory_bytes = post(url, "/bare/graphql-memory", scalars.encode())
            figures["identical_scalars"] = memory_bytes == scalar_bytes
            plain_bytes = post(url, "/bare/plain-strawberry-memory", scalars.encode())
            figures["identical_plain"] = plain_bytes == scalar_bytes
            figures["response_kib"] = round(len(graphql_bytes) / 1024, 1)
            warm_raw = dict(connections=16, threads=2, seconds=1)
            # The raw limit: the driver and orjson alone, same rows, same bytes (bench/raw.py).
            raw_nested = post(url, "/bare/raw/nested", b"", seeded["admin_token"])
            figures["identical_raw_nested"] = raw_nested == graphql_bytes
            figures["raw_nested_statements"] = int(get(url, "/bare/raw/statements"))
            raw_scalars = post(url, "/bare/raw/scalars", b"", seeded["admin_token"])
            figures["identical_raw_scalars"] = raw_scalars == scalar_bytes
            figures["raw_scalars_statements"] = int(get(url, "/bare/raw/statements"))
            figures["nested_statements"] = json.loads(
                post(url, "/bare/statements", nested.encode(), seeded["admin_token"])
            )
            figures["scalars_statements"] = json.loads(
                post(url, "/bare/statements", scalars.encode(), seeded["admin_token"])
            )
            wrk.run(url, path="/bare/raw/nested", auth=auth, **warm_raw)

            warm = dict(connections=16, threads=2, seconds=2)
            wrk.run(url, body=nested, auth=auth, **warm)
            wrk.run(url, body=scalars, auth=auth, **warm)
            wrk.run(url, path="/bare/users-sql", auth=auth, **warm)

            load = dict(connections=16, threads=2, seconds=seconds)
            # The pages and their baselines take turns (the CPU's speed drifts between runs).
            compared = {
                "nested": dict(body=nested), "nested_bare_sql": dict(path="/bare/users-sql"),
                "nested_raw": dict(path="/bare/raw/nested"), "scalars": dict(body=scalars),
                "scalars_raw": dict(path="/bare/raw/scalars"),
            }  # fmt: skip
            turns: dict[str, list[wrk.Run]] = {name: [] for name in compared}
            for _ in range(wrk.ROUNDS):
                for name, target in compared.items():
                    step(name, url)
                    turns[name].append(wrk.run(url, auth=auth, **target, **load))  # type: ignore[arg-type]
            figures.update({name: wrk.together(runs) for name, runs in turns.items()})
            step("scalars_bare_memory", url)
            figures["scalars_bare_memory"] = wrk.run(
                url, path="/bare/memory/scalars", method="GET", **load
            )
            step("nested_c1", url)
            step("scalars_graphql_memory", url)
            figures["scalars_graphql_memory"] = wrk.run(
                url, path="/bare/graphql-memory", body=scalars, **load
            )
            step("scalars_plain_strawberry_memory", url)
            figures["scalars_plain_strawberry_memory"] = wrk.run(
                url, path="/bare/plain-strawberry-memory", body=scalars, **load
            )
            figures["nested_c1"] = wrk.run(url, body=nested, auth=auth, connections=1,
                                           threads=1, seconds=seconds)  # fmt: skip
            step("nested_c64", url)
            figures["nested_c64"] = wrk.run(url, body=nested, auth=auth, connections=64,
                                            threads=4, seconds=seconds)  # fmt: skip

            me = graphql_body(queries.ME)
            step("me_alone", url)
            figures["me_alone"] = wrk.run(url, body=me, auth=auth, connections=1, threads=1,
                                          seconds=seconds)  # fmt: skip
            login = graphql_body(queries.LOGIN, {"input": {
                "tenant": seeded["tenant"], "username": seeded["login_username"],
                "password": seeded["password"]}})  # fmt: skip
            logins = wrk.start(url, body=login, connections=4, threads=4, seconds=seconds + 2)
            time.sleep(1)
            step("me_with_logins", url)
            figures["me_with_logins"] = wrk.run(url, body=me, auth=auth, connections=1,
                                                threads=1, seconds=seconds)  # fmt: skip
            figures["logins"] = wrk.finish(logins)

            step("sendInvitation", url)
            if has_mutation(url, seeded["admin_token"], "sendInvitation"):
                invite = graphql_body(queries.SEND_INVITATION, {"input": {
                    "username": "invitee{n}", "email": "invitee{n}@bench.example.com",
                    "role": "MEMBER"}})  # fmt: skip
                check = json.loads(post(url, "/graphql", invite.replace("{n}", "probe")
                                        .encode(), seeded["admin_token"]))  # fmt: skip
                figures["invitation_probe"] = check
                figures["send_invitation"] = wrk.run(url, body=invite, auth=auth,
                                                     connections=4, threads=2,
                                                     seconds=seconds)  # fmt: skip
                time.sleep(1)
                figures["smtp_received"] = handler.received
            else:
                figures["send_invitation"] = None
        figures["workers"] = workers.measure(database_url, seeded["admin_token"], SECRET,
                                             seconds, settle)  # fmt: skip
    finally:
        controller.stop()
    return figures


def ratio(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def report(kind: str, f: dict[str, object]) -> list[str]:
    def r(name: str) -> wrk.Run:
        return f[name]  # type: ignore[return-value]

    lines = [f"### {kind}", ""]
    lines.append(f"Byte-identical JSON (GraphQL vs bare SQL endpoint): "
                 f"{'yes' if f['identical_bytes'] else 'NO'}; page size {f['response_kib']} KiB")  # fmt: skip
    lines.append("")
    lines.append("| figure | measured | baseline (same run) | result | target |")
    lines.append("| --- | --- | --- | --- | --- |")
    n, b = r("nested"), r("nested_bare_sql")
    lines.append(f"| users(first: 100) nested, 16 conn | {n.rps:.0f} req/s (p99 {n.p99_ms:.1f} ms) "
                 f"| bare Starlette, same SQL: {b.rps:.0f} req/s (p99 {b.p99_ms:.1f} ms) "
                 f"| {ratio(n.rps, b.rps)} | ≥ 33% (stretch 50%) |")  # fmt: skip
    raw = r("nested_raw")
    lines.append(f"| same, against the raw limit (Starlette + driver + orjson, same session check "
                 f"and rows; bytes identical: {'yes' if f['identical_raw_nested'] else 'NO'}) "
                 f"| {n.rps:.0f} req/s | raw: {raw.rps:.0f} req/s (p99 {raw.p99_ms:.1f} ms) "
                 f"| {ratio(n.rps, raw.rps)} | ≥ 33% |")  # fmt: skip
    s, m = r("scalars"), r("scalars_bare_memory")
    sr = r("scalars_raw")
    lines.append(f"| users(first: 100) × 5 scalars from the database, against the raw limit "
                 f"(bytes identical: {'yes' if f['identical_raw_scalars'] else 'NO'}) "
                 f"| {s.rps:.0f} req/s (p99 {s.p99_ms:.1f} ms) | raw: {sr.rps:.0f} req/s "
                 f"(p99 {sr.p99_ms:.1f} ms) | {ratio(s.rps, sr.rps)} | ≥ 50% |")  # fmt: skip
    ns, ss = f["nested_statements"], f["scalars_statements"]
    lines.append(f"| SQL statements per request (nested; scalars), what the driver is sent "
                 f"| {ns['statements']} of which {ns['resets']} pool reset; "  # type: ignore[index]
                 f"{ss['statements']} of which {ss['resets']} pool reset "  # type: ignore[index]
                 f"| raw: {f['raw_nested_statements']}; {f['raw_scalars_statements']} "
                 f"| | ≤ 3 queries, no reset between them |")  # fmt: skip
    turns = f.get("workers")
    if isinstance(turns, workers.Workers):
        one, two = turns.one, turns.two
        lines.append(f"| `tenantry serve --workers 2`, nested page, 16 conn, {wrk.ROUNDS} runs "
                     f"each, turn about | {two.rps:.0f} req/s (p99 {two.p99_ms:.1f} ms) "
                     f"| `--workers 1`: {one.rps:.0f} req/s; the machine: two busy processes "
                     f"do {turns.machine:.2f}× one's work; CPU per request with one worker: "
                     f"server {turns.server_ms:.2f} ms, database {turns.database_ms:.2f} ms, "
                     f"wrk {turns.client_ms:.2f} ms "
                     f"| {turns.ratio:.2f}× | ≥ 1.6× |")  # fmt: skip
    else:
        lines.append("| `tenantry serve --workers 2` vs 1 | not available (this `tenantry serve` "
                     "has no --workers) | | | ≥ 1.6× |")  # fmt: skip
    gm = r("scalars_graphql_memory")
    # The issue's figure: GraphQL against the same bytes from memory, its reference "plain
    # Strawberry" measured the same way; the page read from the database is shown beside it.
    lines.append(f"| users(first: 100) × 5 scalars, GraphQL from memory (our app's middleware, "
                 f"endpoint, extensions and executor; no database; bytes identical: "
                 f"{'yes' if f['identical_scalars'] else 'NO'}), 16 conn | {gm.rps:.0f} req/s "
                 f"| bare, bytes from memory: {m.rps:.0f} req/s | {ratio(gm.rps, m.rps)} "
                 f"| ≥ 7% (stretch 10%) |")  # fmt: skip
    ps = r("scalars_plain_strawberry_memory")
    lines.append(f"| same, plain Strawberry from memory (its ASGI view, no extensions; bytes "
                 f"identical: {'yes' if f['identical_plain'] else 'NO'}) | {ps.rps:.0f} req/s "
                 f"| bare, bytes from memory: {m.rps:.0f} req/s | {ratio(ps.rps, m.rps)} "
                 f"| reference (issue: about 4%) |")  # fmt: skip
    lines.append(f"| same page read from the database (`/graphql`, signed in) | {s.rps:.0f} req/s "
                 f"| bare, bytes from memory: {m.rps:.0f} req/s | {ratio(s.rps, m.rps)} "
                 f"| reference: the database read included |")  # fmt: skip
    c1, c64 = r("nested_c1"), r("nested_c64")
    cost1, cost64 = 1000 / c1.rps, 1000 / c64.rps
    lines.append(f"| per-request cost, 64 conn | {cost64:.2f} ms ({c64.rps:.0f} req/s, p99 "
                 f"{c64.p99_ms:.0f} ms) | 1 conn: {cost1:.2f} ms ({c1.rps:.0f} req/s) "
                 f"| {cost64 / cost1:.2f}× | ≤ 1.25× |")  # fmt: skip
    alone, busy, logins = r("me_alone"), r("me_with_logins"), r("logins")
    lines.append(f"| `me` p99 while 4 clients log in | {busy.p99_ms:.2f} ms (p50 {busy.p50_ms:.2f}; "
                 f"logins: {logins.rps:.0f}/s, p99 {logins.p99_ms:.0f} ms) | `me` alone: p99 "
                 f"{alone.p99_ms:.2f} ms (p50 {alone.p50_ms:.2f}) | {busy.p99_ms / alone.p99_ms:.1f}× "
                 f"| < 10 ms and ≤ 5× |")  # fmt: skip
    invite = f.get("send_invitation")
    if invite is None:
        lines.append("| sendInvitation p99, SMTP waits 500 ms | n/a (sendInvitation not available) "
                     "| | | < 50 ms |")  # fmt: skip
    else:
        i = invite  # type: ignore[assignment]
        lines.append(f"| sendInvitation p99, SMTP waits 500 ms, 4 conn | {i.p99_ms:.1f} ms "  # type: ignore[attr-defined]
                     f"({i.rps:.0f} req/s, {i.status_errors} non-2xx) | SMTP answered "  # type: ignore[attr-defined]
                     f"{f.get('smtp_received')} mails during the run | | < 50 ms |")  # fmt: skip
    errors = {k: (v.socket_errors, v.status_errors) for k, v in f.items()
              if isinstance(v, wrk.Run) and (v.socket_errors or v.status_errors)}  # fmt: skip
    if errors:
        lines.append("")
        lines.append(f"wrk errors (socket, non-2xx): {errors}")
    if "invitation_probe" in f:
        lines.append("")
        lines.append(f"sendInvitation probe answer: `{json.dumps(f['invitation_probe'])[:300]}`")
    return lines + [""]


NOTES = """\
How to read these figures:

- Every figure comes with a baseline measured in the same run, on the same server process, so
  the ratios survive a slower or busier machine better than the absolute numbers; the load average
  above says how busy the machine was (other work on it skews p99s above all).
- "bare Starlette, same SQL": `bench/baselines.py` calls the same functions the resolvers and
  loaders call (identify the caller, `paginate`, one query per relation) and writes the same JSON by
  hand; the run checks that the bytes are identical.
- "GraphQL from memory": the same 100 × 5 scalars through our app's middleware (request ID,
  access log, metrics), endpoint, extensions and executor, with no database, against the bare
  endpoint returning the same bytes: the cost of GraphQL alone, the comparison the issue's 7%
  and its "plain Strawberry: about 4%" describe. The same page read from the database is
  printed beside it; there the query and turning 100 rows into objects cost more than all of
  GraphQL.
  "plain Strawberry from memory" is the same page through Strawberry's own ASGI view and default
  executor with no extensions: the reference the issue's "plain Strawberry: about 4%" names,
  measured on this machine.
- The users pages, their bare and raw baselines take turns, three runs each, and each figure is
  its runs' requests over their seconds: this machine's CPU speed drifts from one minute to the
  next, and a ratio of two runs made minutes apart measured the drift too.
- "raw limit" (issue 17): the same pages served by bare Starlette, the database driver
  (asyncpg; aiosqlite on SQLite) and orjson, with the same session check and the same rows in
  three statements, and byte-identical JSON (checked each run): `bench/raw.py`. What Python on
  this machine can do for this page; the targets are 33% (nested) and 50% (scalars) of it.
- SQL statements per request: everything the driver is sent during one /graphql request,
  counted in the server process (`bench/statements.py`); on PostgreSQL a pool's reset would
  count too (the pool takes its connections back without one: models/pg_connection.py; the
  raw limit's pool does the same).
- `tenantry serve --workers 2` vs 1: the nested page through the real CLI (issue 17, part 5),
  both servers up at once and their runs taking turns, since this machine's CPU speed drifts
  (`bench/workers.py`); beside it, what two busy processes get done over one, measured the same
  way: about the most a second worker could give here if nothing else ran. wrk and the
  database run on the same two cores: their CPU per request, counted during the one-worker
  runs, is printed beside it.
- Per-request cost = 1 / throughput of the single server process, at 64 and at 1 connection.
- `me` runs on one connection while a second wrk process keeps four connections logging in
  (argon2id, OWASP parameters, in a thread pool).
- `sendInvitation` runs on four connections; the SMTP server waits 500 ms before each answer, and
  the mail goes out from the outbox worker, not from the request.
- Where the time goes, and what changed it: [PROFILE.md](PROFILE.md).
"""


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "TENANTRY_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--write",
        default=None,
        help=f"Markdown file for the figures (default {RESULTS.name}; none with --only)",
    )
    parser.add_argument(
        "--only",
        choices=["audit", "pages"],
        help="run only this part (audit: the audit log on PostgreSQL; pages: all but it)",
    )
    args = parser.parse_args()
    wrk.ensure_wrk()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    started = time.monotonic()
    out = [
        "# Benchmark results", "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `make bench` ({args.seconds:g} s per "
        "wrk run; one uvicorn process, uvloop + httptools; wrk as a second process).", "",
        f"Machine: {machine()}", "",
    ]  # fmt: skip
    out.append(f"Load average at start (1, 5, 15 min): {load()}")
    out.append("")
    for kind in [] if args.only == "audit" else kinds:
        print(f"== {kind}: seeding 1,000 users and measuring", flush=True)
        with database(kind, args.postgres) as url:
            figures = measure(kind, url, args.seconds)
        section = report(kind, figures)
        print("\n".join(section), flush=True)
        out += section
    if "postgres" in kinds and args.only != "pages":
        print(f"== postgres: seeding {audit.EVENTS:,} audit events and measuring", flush=True)
        with database("postgres", args.postgres) as url:
            figures = audit.measure(url, SECRET, args.seconds, prepare, server)
        section = audit.report(figures)
        print("\n".join(section), flush=True)
        out += section
    out.append(f"Load average at end: {load()}. Whole run: {time.monotonic() - started:.0f} s.")
    out += ["", NOTES]
    write = args.write or (None if args.only else str(RESULTS))
    if write:
        Path(write).write_text("\n".join(out) + "\n")
        print(f"written to {write}")


if __name__ == "__main__":
    main()
