"""The package is layered: a module never imports from a layer above its own.

Layers, lowest first (``ls energy_model`` shows them)::

    vocabulary, errors -> io (read and validate, apply changes) -> weather -> profiles
    -> inputs (gather a scenario's case, assemble, convert units) -> model -> engine
    -> analysis -> output -> pipeline, sweeps (and the sweep package), api -> cli

Every module's first docstring line says what it does.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import PROJECT

PACKAGE = PROJECT / "energy_model"
LAYERS = {
    "vocabulary": 0, "errors": 0, "io": 1, "weather": 2, "profiles": 3, "inputs": 4, "model": 5, "engine": 6,
    "analysis": 7, "output": 8, "pipeline": 9, "sweeps": 9, "sweep": 9, "sweep_dask": 9, "workflows": 9, "api": 9, "cli": 10,
}


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
