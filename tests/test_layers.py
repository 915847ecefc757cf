"""The package layout is the architecture: every import goes down the layers,
and no modules import each other in a circle (annotation-only imports
included: a cycle is a cycle even when Python tolerates it)."""

from __future__ import annotations

import ast
from pathlib import Path

import tui_nn

ROOT = Path(tui_nn.__file__).parent

# Lowest first. A module may import its own layer's modules (without cycles)
# and anything in a lower layer, never a higher one.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("i18n",),  # the message catalogs (gettext): everything above may speak the learner's language
    ("registry", "rules", "file_access"),  # named extensions, rules for settings, which files may be used
    ("engine",),  # activations, losses, optimizers, initialisers, the network
    ("data",),  # datasets and the data settings
    ("config",),  # the run configuration
    ("training",),  # the trainer, its history, snapshots, advice
    ("io",),  # presets, model files, CSV export
    ("lessons",),  # the curriculum's lessons: a preset and a text each
    ("session",),  # the protocol, the session loop, the child process
    ("render",),  # pure-NumPy pictures for the widgets
    ("app",),  # the Textual playground
    ("serve",),  # the playground served to browsers, one app per tab
    ("cli",),  # the command line, which opens the app
    ("__main__",),
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(current: str, node: ast.ImportFrom | ast.Import) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.startswith("tui_nn")]
    if node.level:
        base = current.split(".")
        if not _is_package(current):
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not target.startswith("tui_nn"):
        return []
    # `from package import submodule` imports the submodule.
    out = []
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        out.append(sub if sub in MODULES else target)
    return out


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                deps.update(d for d in _resolve(name, node) if d != name and d in MODULES)
        graph[name] = deps
    return graph


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return -1  # the package itself (tui_nn/__init__.py) is below everything
    for i, names in enumerate(LAYERS):
        if parts[1] in names:
            return i
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def test_every_module_is_in_a_layer() -> None:
    for module in MODULES:
        _layer(module)


def test_imports_only_go_down() -> None:
    upward = [
        f"{a} imports {b}"
        for a, deps in _imports().items()
        for b in deps
        if _layer(b) > _layer(a)
    ]
    assert not upward, "\n".join(sorted(upward))


def test_no_import_cycles() -> None:
    graph = _imports()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []
    cycles: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append(" -> ".join(stack[stack.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert not cycles, "\n".join(cycles)


def test_the_checks_see_a_planted_upward_import(tmp_path: Path) -> None:
    # The graph really is read from the sources: the engine importing the
    # app would be reported.
    node = ast.parse("from ..app import app").body[0]
    assert isinstance(node, ast.ImportFrom)
    deps = _resolve("tui_nn.engine.network", node)
    assert deps == ["tui_nn.app.app"]
    assert _layer(deps[0]) > _layer("tui_nn.engine.network")
