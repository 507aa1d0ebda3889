"""No project module reaches into a library's private names (#22).

Django, Wagtail or any other library may rename or drop a name starting with
``_`` in a minor release. Every project ``.py`` file (not the virtualenv, not
the tests) is parsed and checked for:

- ``from lib import _name`` and ``from lib._module import name``;
- ``import lib._module``;
- ``lib._name``, read through a name the file imported from a library;
- private attributes of Django and Wagtail objects the project once used
  (``._prefetched_objects_cache`` and its like), written as an attribute or as
  the string of a ``getattr``.

``_meta`` (Django's documented Options API), ``_default_manager`` (documented
on models) and dunder names (``__future__``, ``__version__``) are allowed.
Relative imports and imports of the project's own packages are its own business.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {"tests", "node_modules", "media", "static", "locale", "templates"}

#: Private attributes of Django, Wagtail and Django's cache backends (not the project's).
LIBRARY_PRIVATE_ATTRIBUTES = {
    "_prefetched_objects_cache",
    "_result_cache",
    "_known_related_objects",
    "_cached_parent_obj",
    "_wagtail_route_for_request",
    "_wagtail_site",
    "_wagtail_cached_site_root_paths",
    "_get_connection_pool",
    "_pool_options",
    "_servers",
    "_class",
}
ALLOWED = {"_meta", "_default_manager"}


def _project_files() -> list[Path]:
    found = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if any(p.startswith(".") or p in SKIPPED_DIRS for p in parts[:-1]):
            continue
        found.append(path)
    return sorted(found)


def _project_names(files: list[Path]) -> set[str]:
    """The project's packages, and its modules imported by name (benchmarks' helpers)."""
    return {p.parent.name for p in ROOT.glob("*/__init__.py")} | {p.stem for p in files}


def _private(name: str) -> bool:
    return (
        name.startswith("_")
        and not (name.startswith("__") and name.endswith("__"))
        and name not in ALLOWED
    )


def _findings(path: Path, project: set[str], root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(root)
    found = []

    def library(module: str) -> bool:
        return module.split(".")[0] not in project

    # Names this file binds to a library's module or object (`from django_ratelimit
    # import core`, `import redis`): a private attribute read through them is flagged.
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and library(node.module or ""):
            bound.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if library(alias.name):
                    bound.add(alias.asname or alias.name.split(".")[0])

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and library(node.module or ""):
            module = node.module or ""
            if any(_private(part) for part in module.split(".")):
                found.append(f"{where}:{node.lineno}: from {module} import …")
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{where}:{node.lineno}: from {module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if library(alias.name) and any(_private(p) for p in alias.name.split(".")):
                    found.append(f"{where}:{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.Attribute) and (
            node.attr in LIBRARY_PRIVATE_ATTRIBUTES
            or (_private(node.attr) and isinstance(node.value, ast.Name) and node.value.id in bound)
        ):
            found.append(f"{where}:{node.lineno}: .{node.attr}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in LIBRARY_PRIVATE_ATTRIBUTES
        ):
            found.append(f"{where}:{node.lineno}: {node.value!r}")
    return sorted(found, key=lambda f: int(f.split(":")[1]))


def test_the_checker_catches_each_form(tmp_path):
    source = tmp_path / "bad.py"
    source.write_text(
        "from django_ratelimit.core import _split_rate\n"
        "from wagtail.models import _copy, Page\n"
        "import django.utils._os\n"
        "from lms import _own_name\n"
        "from __future__ import annotations\n"
        "w._prefetched_objects_cache = {}\n"
        "getattr(w, '_prefetched_objects_cache', {})\n"
        "Page._meta.get_field('title')\n"
        "from django_ratelimit import core\n"
        "core._get_window('x', 60)\n"
    )
    assert _findings(source, {"lms"}, root=tmp_path) == [
        "bad.py:1: from django_ratelimit.core import _split_rate",
        "bad.py:2: from wagtail.models import _copy",
        "bad.py:3: import django.utils._os",
        "bad.py:6: ._prefetched_objects_cache",
        "bad.py:7: '_prefetched_objects_cache'",
        "bad.py:10: ._get_window",
    ]


def test_no_project_module_uses_a_librarys_private_names():
    files = _project_files()
    project = _project_names(files)
    assert len(files) > 100  # the walk found the project
    found = [f for path in files for f in _findings(path, project)]
    assert found == []
