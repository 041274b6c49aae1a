"""The package is layered: a module never imports from a layer above its own.

Layers, lowest first (``ls energy_model`` shows them)::

    vocabulary, errors -> io (read and validate, apply changes) -> weather -> profiles
    -> inputs (gather a scenario's case, assemble, convert units) -> model -> engine
    -> analysis -> output -> workflows, sweep (the sweep package), api, pipeline (a re-export) -> cli

Every module's first docstring line says what it does; no module is longer
than :data:`MAX_LINES` lines; only the LP (``model``) and the engine import
Pyomo.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import PROJECT

PACKAGE = PROJECT / "energy_model"
LAYERS = {
    "vocabulary": 0, "errors": 0, "io": 1, "weather": 2, "profiles": 3, "inputs": 4, "model": 5, "engine": 6,
    "analysis": 7, "output": 8, "pipeline": 9, "sweep": 9, "workflows": 9, "api": 9, "cli": 10,
}
#: Longest module allowed, in lines.
MAX_LINES = 500
#: Modules still longer, each with why (to be split).
TOO_LONG: dict[str, str] = {}
#: The layers that may import Pyomo: the LP and the engine that builds, changes and solves it.
PYOMO_LAYERS = {"model", "engine"}


def _layer(module: str) -> str:
    """Layer name of a dotted module inside the package (``energy_model.io.changes`` -> ``io``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("energy_model"):
            if node.module == "energy_model":
                out += [(node.lineno, f"energy_model.{a.name}") for a in node.names]
            else:
                out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("energy_model.")]
    return out


def test_every_module_belongs_to_a_layer():
    unknown = {str(p.relative_to(PACKAGE)) for p in _modules()
               if p.relative_to(PACKAGE).parts[0].removesuffix(".py") not in LAYERS}
    assert not unknown, f"modules outside the layers: {sorted(unknown)}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_higher_layer(path: Path):
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    bad = []
    for line, module in _imports(path):
        other = _layer(module)
        if other in LAYERS and LAYERS[other] > LAYERS[own]:
            bad.append(f"line {line}: {module} ({other}, layer {LAYERS[other]} > {own}, layer {LAYERS[own]})")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_says_what_it_does(path: Path):
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc and len(doc.splitlines()[0]) > 15, "first docstring line missing or too short"


def test_model_code_names_no_technology():
    """The LP is written for kinds of technology, never for one by name."""
    names = [line.split(",")[0] for line in (PROJECT / "inputs" / "technologies.csv").read_text(
        encoding="utf-8").splitlines()[1:] if line and not line.startswith("#")]
    for path in (PACKAGE / "model").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not [n for n in names if f'"{n}"' in text or f"'{n}'" in text], path.name


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_model_and_the_engine_import_pyomo(path: Path):
    """Pyomo is the LP's language: code above the engine talks to a Study, never to a Pyomo model."""
    if path.relative_to(PACKAGE).parts[0] in PYOMO_LAYERS:
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [node.lineno for node in ast.walk(tree)
             if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "pyomo" for a in node.names)
             or isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pyomo"]
    assert not found, f"imports pyomo at line(s) {found}"


def test_no_module_is_longer_than_the_limit():
    lengths = {str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines()) for p in _modules()}
    long = {name: count for name, count in lengths.items() if count > MAX_LINES and name not in TOO_LONG}
    assert not long, f"modules over {MAX_LINES} lines: {long}"
    assert not [name for name in TOO_LONG if lengths.get(name, 0) <= MAX_LINES], "an exception no longer needed"


def test_the_sweep_wing_has_no_import_circle():
    """Modules of the sweep package (and the io sweep file) import each other in one direction only."""
    wing = {f"energy_model.sweep.{p.stem}": p for p in (PACKAGE / "sweep").glob("*.py") if p.stem != "__init__"}
    graph = {m: {i for _, i in _imports(p) if i in wing} for m, p in wing.items()}
    for m, p in wing.items():  # ``from energy_model.sweep import records`` names a module of the wing too
        tree = ast.parse(p.read_text(encoding="utf-8"))
        graph[m] |= {f"energy_model.sweep.{a.name}" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                     and node.module == "energy_model.sweep" for a in node.names}
    done: set[str] = set()

    def visit(m: str, path: list[str]) -> None:
        assert m not in path, f"import circle: {' -> '.join([*path[path.index(m):], m])}"
        if m in done:
            return
        for other in graph[m]:
            visit(other, [*path, m])
        done.add(m)

    for m in graph:
        visit(m, [])
