"""Digital Bazaar's JavaScript verifier (tests/vc/verify.mjs), driven from pytest.

The ``js_verifier`` fixture installs the pinned npm packages with
``npm ci`` when ``tests/vc/node_modules`` is missing or older than the
lockfile, then runs one ``node`` process per check. It hands the script
what a third party would have: the credential, our DID document and the
signed status list, fetched through our views; the script itself loads no
URL. Where node or npm are missing the tests that use it are skipped with
the reason, except in CI, where they fail.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

VC_DIR = Path(__file__).resolve().parents[1] / "vc"
SCRIPT = VC_DIR / "verify.mjs"
LOCKFILE = VC_DIR / "package-lock.json"
INSTALLED = VC_DIR / "node_modules" / ".package-lock.json"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _installed() -> bool:
    return INSTALLED.exists() and INSTALLED.stat().st_mtime >= LOCKFILE.stat().st_mtime


def _npm_ci(npm: str) -> None:
    """`npm ci` in tests/vc, once even when several test processes start together."""
    lock_path = Path(tempfile.gettempdir()) / f"vc-npm-ci-{os.getuid()}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed():
            return
        result = subprocess.run(  # noqa: S603 - npm with fixed arguments
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=VC_DIR,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"npm ci in tests/vc failed:\n{result.stdout}\n{result.stderr}")


class IndependentVerifier:
    def __init__(self, node: str):
        self.node = node

    def _run(self, args: list[str], payload: dict | None = None) -> tuple[int, dict]:
        result = subprocess.run(  # noqa: S603 - node with our script
            [self.node, str(SCRIPT), *args],
            input=json.dumps(payload, ensure_ascii=False) if payload is not None else "",
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode not in (0, 1):
            pytest.fail(f"verify.mjs exited {result.returncode}:\n{result.stderr}")
        return result.returncode, json.loads(result.stdout)

    def verify(self, credential: dict, *, documents: dict, now: str | None = None) -> dict:
        """The verifier's answer; ``documents`` maps a DID or URL to what it serves."""
        payload = {"credential": credential, "documents": documents}
        if now is not None:
            payload["now"] = now
        code, answer = self._run([], payload)
        assert (code == 0) == answer["verified"]
        return answer

    def check_contexts(self) -> dict:
        return self._run(["--check-contexts"])[1]


@pytest.fixture(scope="session", name="js_verifier")
def js_verifier_fixture() -> IndependentVerifier:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        if _in_ci():
            pytest.fail("CI needs node and npm for the independent credential verifier")
        pytest.skip("needs node and npm (Debian: apt-get install nodejs npm)")
    if not _installed():
        _npm_ci(npm)
    return IndependentVerifier(node)


def published_documents(client, credential: dict) -> dict:
    """What a verifier fetches for `credential`: our DID document and its status list.

    Fetched through our own views (as a third party would fetch them over HTTP),
    keyed by the DID and the status list's URL.
    """
    did = client.get("/.well-known/did.json")
    assert did.status_code == 200
    documents = {did.json()["id"]: did.json()}
    status_url = credential["credentialStatus"]["statusListCredential"]
    status = client.get(urlsplit(status_url).path)
    assert status.status_code == 200
    documents[status_url] = status.json()
    return documents
