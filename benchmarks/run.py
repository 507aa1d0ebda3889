"""Run the benchmarks one after another: `python benchmarks/run.py [name …]`.

Without names it runs every runnable benchmark (`<app>_<what>.py` with a
`main`), each with its own defaults. Benchmarks that need PostgreSQL read
`DATABASE_URL` (a scratch database) and say so when it is missing.
"""

import subprocess
import sys
from pathlib import Path

from harness import log

HERE = Path(__file__).resolve().parent
SUPPORT = {
    "harness",
    "run",
    "certificates_data",
    "dashboards_common",
    "exams_locustfile",
    "registry_histories",
    "sittings_locustfile",
}


def benchmarks() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*_*.py") if p.stem not in SUPPORT)


def main(argv: list[str]) -> int:
    names = argv or benchmarks()
    failed = []
    for name in names:
        log.info(f"\n=== {name} ===")
        result = subprocess.run([sys.executable, str(HERE / f"{name}.py")], check=False)
        if result.returncode:
            failed.append(name)
    if failed:
        log.info("failed: %s", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
