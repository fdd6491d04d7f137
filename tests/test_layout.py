"""The package's architecture as a property: data flows one way, systems stay apart, modules stay short."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from analysis import paths

# Layers from the bottom; a module may import its own package and lower layers only.
LAYERS: dict[str, int] = {
    "analysis": 0,  # the package itself (__version__)
    "analysis.paths": 0,
    "analysis.config": 0,
    "analysis.style": 0,
    "analysis.files": 0,
    "analysis.data": 1,
    "analysis.features": 2,
    "analysis.engine": 3,
    "analysis.evaluation": 3,
    "analysis.sae": 4,  # one package per system, all on this layer
    "analysis.relevance": 4,
    "analysis.vae_synthesis": 4,
    "analysis.gaitdynamics": 4,
    "analysis.gengait": 4,
    "analysis.book": 5,
    "analysis.audit": 5,  # the study's pipeline with the original code's switches (audit, Chapter A)
    "analysis.beyond": 5,  # a chapter's orchestration across systems (audit and beyond, Chapter B)
    "analysis.__main__": 6,
}
SYSTEMS = ("analysis.sae", "analysis.gaitdynamics", "analysis.gengait", "analysis.relevance", "analysis.vae_synthesis")
MAX_LINES = 600


def module_name(path: Path) -> str:
    relative = path.relative_to(paths.PACKAGE_DIR.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def unit(module: str) -> str:
    """The layer unit a module belongs to: its package below ``analysis``, or a top-level module."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def imported_modules(path: Path, top_level_only: bool = False) -> set[str]:
    """Every ``analysis`` module that ``path`` imports (``from analysis import x`` counts as ``analysis.x``)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else ast.walk(tree)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "analysis"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "analysis":
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                location = paths.PACKAGE_DIR.parent / Path(*candidate.split("."))
                is_module = location.with_suffix(".py").is_file() or (location / "__init__.py").is_file()
                found.add(candidate if is_module else node.module)
    return found


MODULES = sorted(paths.PACKAGE_DIR.rglob("*.py"))


def test_every_module_belongs_to_a_layer() -> None:
    unknown = sorted({unit(module_name(path)) for path in MODULES} - set(LAYERS))
    assert not unknown, f"add these packages or modules to LAYERS: {unknown}"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: module_name(path))
def test_imports_point_down_the_layers(path: Path) -> None:
    importer = unit(module_name(path))
    upward = sorted(
        target
        for target in imported_modules(path)
        if unit(target) != importer and LAYERS[unit(target)] >= LAYERS[importer] and unit(target) != "analysis"
    )
    assert not upward, f"{module_name(path)} (layer {LAYERS[importer]}) imports from its own layer or above: {upward}"


def test_systems_do_not_import_each_other() -> None:
    crossing = [
        (module_name(path), target)
        for path in MODULES
        if unit(module_name(path)) in SYSTEMS
        for target in imported_modules(path)
        if unit(target) in SYSTEMS and unit(target) != unit(module_name(path))
    ]
    assert not crossing


def test_top_level_imports_have_no_cycles() -> None:
    graph = {module_name(path): imported_modules(path, top_level_only=True) for path in MODULES}
    state: dict[str, int] = {}

    def visit(module: str, trail: tuple[str, ...]) -> None:
        if state.get(module) == 2 or module not in graph:
            return
        assert state.get(module) != 1, f"import cycle: {' -> '.join((*trail, module))}"
        state[module] = 1
        for target in sorted(graph[module]):
            if target != module and not module.startswith(target + "."):  # a package's own __init__ is not a cycle
                visit(target, (*trail, module))
        state[module] = 2

    for module in sorted(graph):
        visit(module, ())


@pytest.mark.parametrize("path", MODULES, ids=lambda path: module_name(path))
def test_modules_stay_readable_in_one_sitting(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{module_name(path)} has {lines} lines; split it by concern (limit {MAX_LINES})"


def test_the_layer_rule_has_teeth(tmp_path: Path) -> None:
    """Imports of a system, written three ways, are all seen."""
    offender = tmp_path / "probe.py"
    offender.write_text("from analysis.sae import models\nimport analysis.engine.training\n\ndef f():\n    from analysis.book.report import show_header\n")
    found = imported_modules(offender)
    assert found == {"analysis.sae.models", "analysis.engine.training", "analysis.book.report"}
    assert [target for target in sorted(found) if LAYERS[unit(target)] >= LAYERS["analysis.data"]] == sorted(found)
    assert imported_modules(offender, top_level_only=True) == {"analysis.sae.models", "analysis.engine.training"}
