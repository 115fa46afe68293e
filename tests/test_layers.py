"""The package's layering stays true: the core imports no capability, capabilities never reach
up into the jobs or the CLI, and no module imports itself back through others."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "toolkit"

# What each top-level package may import from `toolkit` (itself always allowed).
ALLOWED: dict[str, set[str]] = {
    "journal": set(),
    "sources": {"journal"},
    "mail": {"journal"},
    "letters": {"journal", "sources", "mail"},
    "stats": {"journal", "sources", "mail"},
    "recordings": {"journal", "sources"},
    "printing": {"journal", "sources", "letters"},
    "correspondence": {"journal", "sources", "mail", "letters"},
    "intake": {"journal", "sources", "mail", "correspondence"},
    "jobs": {"journal", "sources", "mail", "letters", "stats", "recordings", "correspondence",
             "intake", "printing"},
    "cli": {"journal", "sources", "mail", "letters", "stats", "recordings", "correspondence",
            "intake", "jobs", "printing"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every `toolkit` import, lazy ones in functions included, outside
    `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] if node.module != "toolkit" else \
                [f"toolkit.{a.name}" for a in node.names]
            found += [(node.lineno, n) for n in names if n.startswith("toolkit.")]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("toolkit.")]
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}:{node.lineno}: relative import — use toolkit.…")
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE)


def test_every_module_is_in_a_known_layer() -> None:
    top = {p.relative_to(PACKAGE).parts[0] for p in MODULES}
    assert top <= set(ALLOWED), f"unknown packages: {top - set(ALLOWED)} — add them to ALLOWED"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_from_a_higher_layer(path: Path) -> None:
    layer = path.relative_to(PACKAGE).parts[0]
    wrong = [f"{path.relative_to(PACKAGE.parent)}:{line}: {name}"
             for line, name in imports(path)
             if name.split(".")[1] not in ALLOWED[layer] | {layer}]
    assert not wrong, f"«{layer}» may import only {sorted(ALLOWED[layer])}: " + "; ".join(wrong)


def test_no_import_cycles() -> None:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: {target for _, target in imports(path) if target in modules and target != name}
             for name, path in modules.items() if name != "toolkit"}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def test_the_layering_test_catches_a_core_module_importing_a_capability(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from toolkit.letters.make import make_letters\n",
                   encoding="utf-8")
    assert imports(bad) == [(2, "toolkit.letters.make")]
    assert "letters" not in ALLOWED["journal"]


def test_every_public_name_of_the_package_imports() -> None:
    import toolkit

    for name in toolkit.__all__:
        assert getattr(toolkit, name) is not None, name


def test_every_public_name_is_documented_in_the_api_guide() -> None:
    import toolkit

    guide = (PACKAGE.parent / "docs" / "API.md").read_text(encoding="utf-8")
    missing = [name for name in toolkit.__all__ if f"`{name}" not in guide]
    assert not missing, f"docs/API.md does not mention: {missing}"


def test_all_lists_exactly_the_lazy_exports() -> None:
    import toolkit

    assert set(toolkit.__all__) == set(toolkit._EXPORTS)
