"""Shared benchmark harness: serve the project with gunicorn and measure it.

Every benchmark reports its target as a ratio to a bare Django view
(``/health/live``, the full middleware stack and nothing else) measured in the
same run on the same server, so results compare across machines.

    with serve(env={"DATABASE_URL": ...}) as base:
        bare = measure(base + "/health/live", seconds=10)
        page = measure(base + "/v/<token>/", seconds=10)
        log.info(ratio_report("verify page", page, bare))
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

#: Every benchmark reports through this logger: plain lines on standard output.
log = logging.getLogger("benchmarks")
if not log.handlers:
    _handler = logging.StreamHandler(sys.stdout)
    _handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(**extra) -> dict:
    env = dict(os.environ)
    env.setdefault("DJANGO_SECRET_KEY", "benchmark-" + "k" * 50)
    env["DJANGO_DEBUG"] = "0"
    env["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    env["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    env["DJANGO_STATIC_MANIFEST"] = "0"
    env["RATELIMIT_ENABLE"] = "0"
    env["LOG_LEVEL"] = "WARNING"
    env.update(extra)
    return env


def scratch_env(
    *, pg: str, database: str, redis: str, redis_db: int, cache_db: int, recreate: bool
) -> dict:
    """The environment of a load benchmark's server on a PostgreSQL database of its own
    (dropped and created again first with `recreate`), migrated; login lockout off."""
    env = base_env(
        DATABASE_URL=f"{pg}/{database}",
        REDIS_URL=redis,
        REDIS_BROKER_DB=str(redis_db),
        REDIS_CACHE_DB=str(cache_db),
        DATABASE_CONN_MAX_AGE="60",
        AXES_ENABLED="0",
    )
    host = pg.rsplit("@", 1)[-1].split(":")[0]
    if recreate:
        subprocess.run(
            ["dropdb", "-h", host, "-U", "postgres", "--if-exists", database], check=True
        )
        subprocess.run(["createdb", "-h", host, "-U", "postgres", database], check=True)
    log.info(f"migrating {database} …")
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return env


def manage(env: dict, *args: str, capture: bool = False) -> str:
    """Run ``manage.py`` with `args` in `env`; its output when `capture`."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout if capture else ""


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database `url` names unless it exists (a scratch database
    kept between runs, so a rerun skips building 300,000 workers)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def redis_env() -> dict:
    """The Redis settings of this process's environment (REDIS_URL, REDIS_CACHE_DB,
    REDIS_BROKER_DB, those that are set), to hand on to the server."""
    return {
        key: os.environ[key]
        for key in ("REDIS_URL", "REDIS_CACHE_DB", "REDIS_BROKER_DB")
        if os.environ.get(key)
    }


@contextlib.contextmanager
def serve(env: dict | None = None, workers: int = 2, threads: int = 1):
    """Run gunicorn on a free loopback port; yields the base URL."""
    port = free_port()
    cmd = [
        PYTHON,
        "-m",
        "gunicorn",
        "lms.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        "--timeout",
        "120",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=base_env(**(env or {})))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/health/live", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class Result:
    url: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (
            f"{self.url}: {self.rps:.1f} req/s, p50 {self.p50_ms:.1f} ms, "
            f"p95 {self.p95_ms:.1f} ms, {self.errors} errors / {self.requests}"
        )


def _worker(url: str, seconds: float, headers: dict, body: bytes | None, queue) -> None:
    """GETs, or POSTs of `body`; a GET errs on 5xx or 429, a POST on anything but 200."""
    method = "GET" if body is None else "POST"
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    latencies, errors = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            failed = resp.status >= 500 or resp.status == 429
            if failed if body is None else resp.status != 200:
                errors += 1
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        latencies.append((time.perf_counter() - t0) * 1000)
    queue.put((latencies, errors))


def fan_out(target, arglists: list[tuple]) -> tuple[list, float]:
    """Run `target(*args, queue)` in one forked process per tuple of `arglists`, each putting
    one result on `queue`; returns the results and the wall-clock seconds they took."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, queue)) for args in arglists]
    t0 = time.monotonic()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    return results, time.monotonic() - t0


def p50_p95(latencies: list[float]) -> tuple[float, float]:
    """The median and 95th percentile of sorted `latencies` (0.0 each when there are none)."""
    if not latencies:
        return 0.0, 0.0
    return statistics.median(latencies), latencies[int(len(latencies) * 0.95) - 1]


def measure(
    url: str,
    seconds: float = 10,
    clients: int = 4,
    headers: dict | None = None,
    body: bytes | None = None,
) -> Result:
    """Closed-loop load from `clients` processes for `seconds` (GETs, or POSTs of `body`);
    returns throughput and latency."""
    results, elapsed = fan_out(_worker, [(url, seconds, headers or {}, body)] * clients)
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)
    p50, p95 = p50_p95(latencies)
    return Result(
        url=url,
        requests=len(latencies),
        errors=errors,
        seconds=elapsed,
        p50_ms=p50,
        p95_ms=p95,
    )


#: How many turns `interleaved` gives each URL.
ROUNDS = 4


def interleaved(
    urls: dict[str, str], seconds: float, clients: int, headers: dict | None = None
) -> dict[str, Result]:
    """Each URL measured for seconds/ROUNDS at a time, in turn, ROUNDS times; totals per URL.

    The machine is shared: measuring each URL in short turns, round after round,
    exposes every URL to the same background load, so the ratios stay fair."""
    parts: dict[str, list[Result]] = {name: [] for name in urls}
    for _ in range(ROUNDS):
        for name, url in urls.items():
            parts[name].append(
                measure(url, seconds=seconds / ROUNDS, clients=clients, headers=headers)
            )
    return {
        name: Result(
            url=results[0].url,
            requests=sum(r.requests for r in results),
            errors=sum(r.errors for r in results),
            seconds=sum(r.seconds for r in results),
            p50_ms=sorted(r.p50_ms for r in results)[len(results) // 2],
            p95_ms=max(r.p95_ms for r in results),
        )
        for name, results in parts.items()
    }


def migrate_and_run(env: dict, script: str) -> dict:
    """Migrate the database `env` names, then run `script` (Python, Django set up by it) in
    a subprocess with `env`; returns the JSON object on the last line it writes."""
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    out = subprocess.run(
        [PYTHON, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "lms.settings"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _server_group(words: list[str]) -> str | None:
    """Which server-side group a command line belongs to: gunicorn, postgres, redis, or none."""
    program = os.path.basename(words[0]) if words else ""
    if "gunicorn" in words[:3] or program == "gunicorn":
        return "gunicorn"
    if program.startswith("postgres"):  # the server and its backends ("postgres: 15/main: …")
        return "postgres"
    if program.startswith("redis-server"):
        return "redis"
    return None


def _server_processes() -> dict[str, tuple[str, float]]:
    """{pid: (group, CPU seconds so far)} of the server-side processes (Linux's /proc)."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            words = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().split()
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        group = _server_group(words)
        if group is None:
            continue
        # utime and stime, the 14th and 15th fields (the name before them may hold spaces).
        fields = stat.rsplit(")", 1)[1].split()
        found[entry.name] = (group, (int(fields[11]) + int(fields[12])) / tick)
    return found


@contextlib.contextmanager
def server_cpu():
    """CPU seconds spent by gunicorn, PostgreSQL and Redis while the block ran, by group.

    Yields a dict filled when the block ends; empty where there is no /proc.
    With the load generator on the same cores, it tells where a page's cost
    lies (``cpu_report``), which a throughput ratio alone does not.
    """
    spent: dict[str, float] = {}
    before = _server_processes() if Path("/proc/self/stat").exists() else {}
    yield spent
    if not before:
        return
    for pid, (group, seconds) in _server_processes().items():
        spent[group] = spent.get(group, 0.0) + seconds - before.get(pid, (group, 0.0))[1]


def cpu_report(spent: dict[str, float], result: Result) -> str:
    """One line: "server CPU per request: gunicorn 3.47 ms, postgres 0.40 ms, redis 0.13 ms"."""
    if not spent or not result.requests:
        return "server CPU per request: not measured (no /proc)"
    parts = ", ".join(
        f"{group} {seconds / result.requests * 1000:.2f} ms"
        for group, seconds in sorted(spent.items(), key=lambda item: -item[1])
    )
    return f"server CPU per request: {parts}"


def ratio_report(name: str, target: Result, bare: Result) -> str:
    return f"{name}: {target.rps / bare.rps:.2f}× bare view ({target.line()} | bare {bare.line()})"
