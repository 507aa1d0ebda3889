"""A real ``varnishd`` running the project's VCL in front of a test server.

The VCL is ``deploy/varnish/default.vcl`` as shipped, with only its backend's
``.host`` and ``.port`` lines pointed at the test's live server (the file
itself stays usable as it is in production, with gunicorn at 127.0.0.1:8000).
varnishd runs in the foreground (``-F``) with a working directory of its own
(``-n``), no privilege separation (``-j none``, so it runs as whoever runs the
tests, root included), on free loopback ports.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

VCL = Path(__file__).resolve().parents[2] / "deploy" / "varnish" / "default.vcl"
VARNISHD = os.environ.get("VARNISHD", "/usr/sbin/varnishd")

BACKEND = re.compile(r"(backend default \{.*?\.host = )\"[^\"]*\";(\s*\.port = )\"[^\"]*\";", re.S)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def find_varnishd() -> str | None:
    if os.access(VARNISHD, os.X_OK):
        return VARNISHD
    return shutil.which("varnishd")


def vcl_for_backend(host: str, port: int) -> str:
    """The project's VCL, its default backend pointed at host:port (nothing else changed)."""
    text = VCL.read_text()
    changed, count = BACKEND.subn(rf'\1"{host}";\2"{port}";', text)
    if count != 1:
        raise AssertionError(f"{VCL}: cannot find the default backend's .host and .port lines")
    return changed


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def cache(self) -> str | None:
        """The edge's X-Cache: "HIT" or "MISS"."""
        return self.headers.get("X-Cache")


@dataclass
class Varnish:
    binary: str
    directory: Path
    backend_port: int
    port: int = field(default_factory=free_port)
    admin_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        """The Host header (and Wagtail site address) the edge is reached at."""
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> None:
        vcl = self.directory / "test.vcl"
        vcl.write_text(vcl_for_backend("127.0.0.1", self.backend_port))
        self.log = open(self.directory / "varnishd.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                *(self.binary, "-F", "-j", "none", "-n", str(self.directory / "work")),
                *("-a", f"127.0.0.1:{self.port}", "-T", f"127.0.0.1:{self.admin_port}"),
                *("-f", str(vcl), "-s", "malloc,64m"),
                *("-p", "thread_pools=1", "-p", "thread_pool_min=10"),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"varnishd exited: {self.log_text()}")
            try:
                if self.request("GET", "/health/live").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"varnishd did not answer in {timeout} s: {self.log_text()}")
            time.sleep(0.1)
        # The live server fails every request while pytest-django blocks the database
        # (between tests), so its probe would mark it sick now and then; the tests
        # exercise the VCL with a healthy origin.
        self.admin("backend.set_health", "default", "healthy")

    def log_text(self) -> str:
        return (self.directory / "varnishd.log").read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        if getattr(self, "log", None):
            self.log.close()

    def admin(self, *command: str) -> str:
        """Run a varnishadm command (the CLI secret is in the working directory)."""
        return subprocess.run(
            ["varnishadm", "-n", str(self.directory / "work"), *command],
            check=True,
            capture_output=True,
            text=True,
            timeout=15,
        ).stdout

    def forget_everything(self) -> None:
        """Ban every stored object, so that a test starts with an empty cache."""
        self.admin("ban", "obj.status != 0")

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict | None = None,
        body: str | bytes | None = None,
        source: str | None = None,
    ) -> Answer:
        """One request to the edge, from loopback address `source` if given (127.0.0.2…)."""
        connection = http.client.HTTPConnection(
            "127.0.0.1",
            self.port,
            timeout=30,
            source_address=(source, 0) if source else None,
        )
        try:
            connection.request(
                method, path, body=body, headers={"Host": self.host, **(headers or {})}
            )
            response = connection.getresponse()
            return Answer(
                response.status, response.headers, response.read().decode(errors="replace")
            )
        finally:
            connection.close()

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)
