"""The layering rule, enforced by a test: core never imports Qt."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import core

ROOT = Path(__file__).resolve().parents[1]
QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph", "superqt")


def core_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(core.__path__, "core."))


def test_core_modules_exist():
    assert "core.data.base" in core_modules()


def test_no_core_module_loads_qt():
    script = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"core loaded Qt modules: {result.stdout.strip()}"


def test_importing_core_data_does_not_import_torch():
    script = "import sys, core, core.data; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


# --- the one-way rule between core's own packages --------------------------------------
# Bottom to top: a unit may import units of lower layers only, never a peer or anything
# above, so no cycle can hide behind an import inside a function. A unit is a package or
# module ("core.runs"; the longest prefix wins); "a+b" is one unit across packages that
# read each other (the dataset format registry in core.data opens core.labels' readers,
# which build on core.data).
# A new core package or module must be given a layer here.
LAYERS = (
    ("core.errors",),
    ("core.limits", "core.atomic", "core.compat", "core.preprocess", "core.postprocess",
     "core.ranking", "core.mosaic", "core.ordering", "core.malloc_tuning", "core.recipes"),
    ("core.prediction", "core.models", "core.data+core.labels"),
    ("core.annotation", "core.tasks"),
    ("core.runs", "core.assist"),
    ("core.numpy_cnn",),
    ("core.inference",),
    ("core.training",),
    ("core.export", "core.reports"),
    ("core.cli",),
)

# Imports known to go against the layers, each with who removes it (import-linter's
# ignore_imports): keep this empty.
KNOWN_WRONG: set[tuple[str, str]] = set()


def _layer_of() -> dict[str, tuple[int, str]]:
    """prefix -> (layer, unit name)"""
    return {prefix: (level, unit) for level, units in enumerate(LAYERS)
            for unit in units for prefix in unit.split("+")}


def _unit(module: str, layers: dict[str, tuple[int, str]]) -> tuple[int, str] | None:
    parts = module.split(".")
    for end in range(len(parts), 1, -1):
        if ".".join(parts[:end]) in layers:
            return layers[".".join(parts[:end])]
    return None


def core_imports() -> list[tuple[str, int, str]]:
    """(importing module, line, imported core module) for every import in core, function
    level included, read from the source (nothing is imported)."""
    import ast

    found = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            found += [(module, node.lineno, t) for t in targets if t.startswith("core.")]
    return found


def test_every_core_unit_has_a_layer():
    layers = _layer_of()
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts[:2]) for p in (ROOT / "core").rglob("*.py")}
    missing = sorted(m for m in modules if m != "core.__init__" and _unit(m, layers) is None)
    assert not missing, f"give these a layer in LAYERS: {missing}"


def test_core_imports_point_down_the_layers():
    layers = _layer_of()
    wrong = []
    for module, line, target in core_imports():
        source, dest = _unit(module, layers), _unit(target, layers)
        known = any(module == m and target.startswith(t) for m, t in KNOWN_WRONG)
        if source and dest and source[1] != dest[1] and dest[0] >= source[0] and not known:
            wrong.append(f"{module}:{line} imports {target} ({source[1]} -> {dest[1]})")
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(set(wrong)))


def test_the_layer_check_sees_imports_inside_functions(tmp_path):
    """The rule is only as good as its scan: a function-level import must be found."""
    imports = {(module, target) for module, _, target in core_imports()}
    assert ("core.training.api", "core.numpy_cnn.trainer") in imports
