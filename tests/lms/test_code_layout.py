"""Where code lives stays findable (#23).

- No module over ``MAX_LINES`` lines outside migrations, demo data and tests:
  a module that grows past it is split by sub-domain into a package.
- ``services`` and ``selectors`` are the only words for writes and reads: an
  app has no read modules under other names (``stats``, ``public``,
  ``figures``, ``household``, ``reports``).
- A ``services`` or ``selectors`` package's ``__init__`` says what is where
  and re-exports nothing: callers import from the sub-module that holds the
  function, so there is one name for it.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "certificates",
    "cms",
    "complaints",
    "consent",
    "courses",
    "dashboards",
    "exams",
    "lms",
    "partners",
    "registry",
    "sittings",
]
MAX_LINES = 600
#: Demo data is long by nature (question banks, lesson texts, seeded pages).
EXEMPT_NAMES = {"demo.py", "demo_bank.py", "demo_content.py", "synthetic.py", "settings.py"}
OTHER_READ_NAMES = {"stats", "public", "figures", "household", "reports"}


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield path


def test_no_module_is_over_the_size_limit():
    too_long = {
        str(path.relative_to(ROOT)): n
        for path in _modules()
        if path.name not in EXEMPT_NAMES
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_reads_are_called_selectors():
    others = [
        str(path.relative_to(ROOT))
        for path in _modules()
        if path.parent.name == path.parts[len(ROOT.parts)] and path.stem in OTHER_READ_NAMES
    ]
    assert others == []


@pytest.mark.parametrize("kind", ["services", "selectors"])
def test_packages_say_what_is_where_and_reexport_nothing(kind):
    for app in APPS:
        init = ROOT / app / kind / "__init__.py"
        if not init.exists():
            continue
        tree = ast.parse(init.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{init} has no docstring saying what is where"
        statements = [
            node
            for node in tree.body
            if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
            and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
        ]
        assert statements == [], f"{init} should hold only its docstring"
        assert not (ROOT / app / f"{kind}.py").exists(), f"{app} has both {kind}.py and {kind}/"
