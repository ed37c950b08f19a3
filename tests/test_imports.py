"""The package's import structure: no import cycle among exactrelu modules, and every
command module of the CLI imports on its own, in any order, in a fresh interpreter."""
import ast
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _modules(root: Path = ROOT) -> dict[str, Path]:
    """``exactrelu.x.y`` -> file, for every module and package of exactrelu under root."""
    out = {}
    for f in sorted((root / "exactrelu").rglob("*.py")):
        parts = list(f.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = f
    return out


def _top_level_imports(tree: ast.Module):
    """Import statements executed when the module is imported: module level, inside
    module-level ``if``/``try``/``with``/class bodies, but not inside functions and not
    under ``if TYPE_CHECKING:``."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            test = ast.unparse(node.test)
            if test not in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                stack += node.body
            stack += node.orelse
        elif isinstance(node, ast.Try):
            stack += node.body + node.orelse + node.finalbody
            for h in node.handlers:
                stack += h.body
        elif isinstance(node, (ast.With, ast.ClassDef)):
            stack += node.body


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the exactrelu modules it imports at import time.  ``from P import n``
    points to ``P.n`` when that is a module, else to ``P``; the implicit import of a
    parent package is not an edge."""
    mods = _modules(root)
    graph: dict[str, set[str]] = {}
    for name, f in mods.items():
        package = name if f.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in _top_level_imports(ast.parse(f.read_text(), str(f))):
            if isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name in mods}
                continue
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for a in node.names:
                sub = f"{target}.{a.name}"
                if sub in mods:
                    edges.add(sub)
                elif target in mods:
                    edges.add(target)
        edges.discard(name)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes (first == last), or None (iterative DFS)."""
    colour = dict.fromkeys(graph, 0)          # 0 new, 1 on the stack, 2 done
    for start in graph:
        if colour[start]:
            continue
        path, iters = [start], [iter(sorted(graph[start]))]
        colour[start] = 1
        while path:
            nxt = next(iters[-1], None)
            if nxt is None:
                colour[path.pop()] = 2
                iters.pop()
            elif colour.get(nxt, 2) == 1:
                return path[path.index(nxt):] + [nxt]
            elif colour.get(nxt, 2) == 0:
                colour[nxt] = 1
                path.append(nxt)
                iters.append(iter(sorted(graph[nxt])))
    return None


def test_graph_covers_the_package_and_sees_edges():
    g = import_graph()
    assert {"exactrelu", "exactrelu.cli", "exactrelu.cli.certify", "exactrelu.paths",
            "exactrelu.certificate.check", "exactrelu.approx"} <= set(g)
    # relative, parent-relative and package-member imports are resolved
    assert "exactrelu.cli._common" in g["exactrelu.cli.certify"]
    assert "exactrelu.errors" in g["exactrelu.cli.certify"]
    assert {"exactrelu.cli.check", "exactrelu.cli.demo"} <= g["exactrelu.cli"]
    # function-local imports are not edges (certify imports the solver inside certify())
    assert "exactrelu.approx.solver" not in g["exactrelu.certificate.produce"]


def test_find_cycle_negative_controls():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"a"}}) == ["a", "a"]
    assert find_cycle({"x": {"a"}, "a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]


def test_no_import_cycle_in_exactrelu():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_cycle_found_when_one_is_planted(tmp_path):
    """The graph builder sees a module-level cycle written like the package's own code."""
    src = tmp_path / "exactrelu"
    (src / "cli").mkdir(parents=True)
    (src / "__init__.py").write_text("")
    (src / "cli" / "__init__.py").write_text("from . import certify\n")
    (src / "cli" / "certify.py").write_text("from .. import cli\ndef f():\n    from . import x\n")
    g = import_graph(tmp_path)
    assert g["exactrelu.cli.certify"] == {"exactrelu.cli"}
    assert find_cycle(g) is not None


def _cli_modules() -> list[str]:
    return sorted(n for n in _modules() if n.startswith("exactrelu.cli.")
                  and not n.endswith("__main__"))


@pytest.mark.parametrize("seed", range(4))
def test_cli_modules_import_in_any_order(seed):
    names = _cli_modules()
    assert {"exactrelu.cli.patterns", "exactrelu.cli.certify", "exactrelu.cli.check",
            "exactrelu.cli.optimal_set", "exactrelu.cli.prune", "exactrelu.cli.path",
            "exactrelu.cli.demo"} <= set(names)
    random.Random(seed).shuffle(names)
    code = "import importlib\n" + "".join(
        f"importlib.import_module({n!r})\n" for n in names) + \
        "import exactrelu.cli as c\nassert c.main and len(c.COMMANDS) == 7\nprint('ok')\n"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=ROOT, env=env)
    assert p.returncode == 0 and p.stdout == "ok\n", (names, p.stderr)


def test_every_command_follows_the_registration_convention():
    import argparse

    import exactrelu.cli as cli

    for module in cli.COMMANDS:
        sub = argparse.ArgumentParser().add_subparsers()
        module.register(sub)
        assert len(sub.choices) == 1, module.__name__
        (sp,) = sub.choices.values()
        assert sp.get_default("func") is module.run, module.__name__
