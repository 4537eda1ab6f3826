"""The apps are layered one way: accounts <- corpus <- search <- annotations <-
analysis, with config on top. A module of a lower app never imports an upper
one (a lower app tells an upper one things through hooks the upper app
registers: ``corpus.hooks``); this test reads every module's imports, those
inside functions and ``TYPE_CHECKING`` blocks included, and names each one
that points up.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["accounts", "corpus", "search", "annotations", "analysis", "config"]
RANK = {app: rank for rank, app in enumerate(LAYERS)}


def imported_modules(source: str, package: str) -> list[tuple[int, str]]:
    """``(line, module)`` for every import in ``source``, relative ones resolved
    against ``package``.

    >>> imported_modules("import corpus.models\\nfrom search import backend", "x")
    [(1, 'corpus.models'), (2, 'search')]
    >>> imported_modules("from .models import Document", "corpus.views")
    [(1, 'corpus.models')]
    >>> imported_modules("def f():\\n    from annotations import services", "x")
    [(2, 'annotations')]
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: -node.level]
                module = ".".join([*base, module] if module else base)
            found.append((node.lineno, module))
    return sorted(found)


def upward_imports(app: str) -> list[str]:
    """Every import in ``app``'s modules of an app above it in ``LAYERS``."""
    wrong = []
    for path in sorted((ROOT / app).rglob("*.py")):
        dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for line, module in imported_modules(path.read_text("utf-8"), dotted):
            target = module.split(".")[0]
            if target in RANK and RANK[target] > RANK[app]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return wrong


@pytest.mark.parametrize("app", LAYERS[:-1])
def test_no_module_imports_an_app_above_its_own(app: str) -> None:
    assert upward_imports(app) == []


def test_the_check_sees_an_upward_import(tmp_path: Path, monkeypatch) -> None:
    """The test above can fail: a corpus module importing search is reported."""
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "bad.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from search.backend import SearchBackend\n"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert upward_imports("corpus") == ["corpus/bad.py:3 imports search.backend"]


def test_every_app_is_in_a_layer() -> None:
    """A new app must be given its place (else the test would not read it)."""
    apps = {
        path.parent.name
        for path in ROOT.glob("*/apps.py")
        if (path.parent / "__init__.py").exists()
    }
    assert apps <= set(LAYERS), sorted(apps - set(LAYERS))


# The one package that may import Whoosh (DESIGN.md: the engine stays behind
# ``search/backend.py``; swapping it must touch nothing else).
WHOOSH_PACKAGE = "search/whoosh_backend"


def whoosh_imports(root: Path) -> list[str]:
    """Every import of ``whoosh`` outside ``search/whoosh_backend/``."""
    wrong = []
    for app in LAYERS:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root)
            if relative.as_posix().startswith(WHOOSH_PACKAGE + "/"):
                continue
            dotted = ".".join(relative.with_suffix("").parts)
            for line, module in imported_modules(path.read_text("utf-8"), dotted):
                if module.split(".")[0] == "whoosh":
                    wrong.append(f"{relative}:{line} imports {module}")
    return wrong


def test_only_the_whoosh_engine_imports_whoosh(tmp_path: Path) -> None:
    assert whoosh_imports(ROOT) == []
    # ...and the check sees one elsewhere.
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "views.py").write_text("from whoosh import index\n")
    assert whoosh_imports(tmp_path) == ["search/views.py:1 imports whoosh"]
