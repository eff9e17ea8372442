"""The simulator's modules import each other one way only, and nothing of ftwatch outside `ftwatch.sim`.

Read from the source (every import statement: top level, inside functions, under `TYPE_CHECKING`), because a
circle hidden behind a lazy or type-only import is still a circle: the two modules cannot be understood, or
reused, apart (demo.py once typed its argument as `World` while world.py imported demo).
"""

from __future__ import annotations

import ast
from pathlib import Path

import ftwatch.sim

SIM = Path(ftwatch.sim.__file__).resolve().parent


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)   # `from ftwatch.sim import x`
    return {name for name in found if name == "ftwatch" or name.startswith("ftwatch.")}


def sim_graph() -> dict[str, set[str]]:
    modules = {f"ftwatch.sim.{p.stem}": p for p in SIM.glob("*.py") if p.stem not in ("__init__", "__main__")}
    return {name: {m for m in imported_modules(path) if m in modules and m != name}
            for name, path in modules.items()}


def test_sim_imports_nothing_of_ftwatch_outside_the_sim() -> None:
    outside = {p.name: sorted(m for m in imported_modules(p) if not m.startswith("ftwatch.sim"))
               for p in SIM.glob("*.py")}
    assert {name: mods for name, mods in outside.items() if mods} == {}


def test_the_sim_modules_import_each_other_without_a_circle() -> None:
    graph = sim_graph()
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            raise AssertionError("import circle: " + " -> ".join(path[path.index(name):] + (name,)))
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, path + (name,))
        done.add(name)

    for module in sorted(graph):
        visit(module, ())
    assert "ftwatch.sim.demo" in graph["ftwatch.sim.world"]          # world -> demo, never back
    assert not graph["ftwatch.sim.demo"] & {"ftwatch.sim.world", "ftwatch.sim.api", "ftwatch.sim.server"}
