"""The package's design, enforced: where floats may live, module and function sizes.

Floats produce guesses, exact code turns a guess into a claim.  Only the modules in
FLOAT_GUESSERS may import NumPy/SciPy/Clarabel/mpmath, each for the reason given (the
README's "Where floats live" says the same); the exact kernels in EXACT_ONLY may not
import them at all, not even inside a function; nothing outside ``exactrelu/approx/``
imports Clarabel or a private name of ``approx``.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "exactrelu"
FLOAT_LIBS = {"numpy", "scipy", "clarabel", "mpmath", "sklearn", "matplotlib", "torch"}

# module (path relative to exactrelu/, a prefix ending in "/" covers a folder) -> why
FLOAT_GUESSERS = {
    "approx/": "the numeric solver of the convex program (untrusted guesses)",
    "cli/": "display of rounded values, float64 test-error estimates (labelled)",
    "estimator.py": "scikit-learn's float interface; predictions from float copies",
    "networks.py": "Network.to_numpy/predict: float views of exact weights (display)",
    "problem.py": "float copies of the data handed to the numeric solver",
    "io/networks.py": "reading .npz/PyTorch arrays; every value converted exactly",
    "arrangement.py": "int64 integer matrix products with an overflow guard (exact ints)",
    "cones.py": "NNLS guesses the active rows; the projection is then solved and "
                "verified exactly (KKT)",
    "rational_optimum.py": "Newton on the KKT system guesses the optimum; rational "
                           "reconstruction and an exact KKT check decide",
    "testing/": "oracles and strategies for tests",
    "certificate/gordan_prover.py": "int8/int64 sign tables in NumPy (exact integers)",
    "certificate/gordan_bases.py": "int64 adjugate checks in NumPy (exact integers; guesses "
                                   "from _gordan_float_guess)",
    "optimal_sets/slab_vertices.py": "int64 sums of exact floor bounds in NumPy (exact "
                                      "integers; guesses from _slab_float_guess)",
    "optimal_sets/model.py": "float matrices for the MSE-tuning QP guess, repaired exactly",
    "optimal_sets/sampling.py": "Samples.as_float, a labelled float view of exact samples; "
                                "object-dtype integer arrays (exact)",
    "paths/plots.py": "figures",
    "planted/directions.py": "float aiming of planted directions; unit norms and cone "
                             "membership hold exactly and check_planted re-verifies",
}
# and every module whose name contains FLOAT_GUESS (a package's float guessers: each
# docstring says how its guesses are verified exactly)
FLOAT_GUESS = "float_guess"
EXACT_ONLY = ["numbers.py", "algebraic.py", "linalg.py", "lp.py", "errors.py", "results.py",
              "api.py", "certificate/emit.py", "certificate/read.py", "io/files.py",
              "io/data.py", "certificate/check"]

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
LONG_MARKER = "# long:"
# modules allowed over MAX_MODULE_LINES, with the reason (kept empty when possible)
BIG_MODULES: dict[str, str] = {}


def _modules():
    return sorted(p for p in PKG.rglob("*.py"))


def _rel(p: Path) -> str:
    return p.relative_to(PKG).as_posix()


def _imports(p: Path):
    """(module name, imported names, line) of every import, also inside functions."""
    tree = ast.parse(p.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, (), node.lineno, 0
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", tuple(a.name for a in node.names), node.lineno, node.level


def _covered(rel: str, table) -> bool:
    if table is FLOAT_GUESSERS and FLOAT_GUESS in rel.rsplit("/", 1)[-1]:
        return True
    return any(rel == k or rel.startswith(k) or rel.startswith(k.rstrip("/") + "/")
               or (not k.endswith((".py", "/")) and rel.split("/")[0] == k)
               for k in table)


def test_floats_live_only_where_the_design_says():
    bad = []
    for p in _modules():
        rel = _rel(p)
        for mod, _, line, level in _imports(p):
            if level == 0 and mod.split(".")[0] in FLOAT_LIBS:
                if _covered(rel, EXACT_ONLY) or not _covered(rel, FLOAT_GUESSERS):
                    bad.append(f"{rel}:{line} imports {mod}")
    assert not bad, "float libraries outside the documented guessers:\n" + "\n".join(bad)


def test_clarabel_and_approx_internals_stay_in_approx():
    """The numeric solver library is used by approx/ and the float-guess modules only."""
    bad = []
    for p in _modules():
        rel = _rel(p)
        if rel.startswith("approx/") or FLOAT_GUESS in rel.rsplit("/", 1)[-1]:
            continue
        for mod, names, line, level in _imports(p):
            if level == 0 and mod.split(".")[0] == "clarabel":
                bad.append(f"{rel}:{line} imports clarabel")
            if "approx" in mod.split("."):
                bad += [f"{rel}:{line} imports private {n} from {mod}" for n in names
                        if n.startswith("_")]
    assert not bad, "\n".join(bad)


def test_exact_only_modules_exist():
    for k in EXACT_ONLY:
        assert (PKG / k).exists() or (PKG / (k + ".py")).exists(), k


def test_the_checker_imports_nothing_else_from_exactrelu():
    """The library checker is independent of the producer (tests/test_check_differential
    compares it with the standalone one)."""
    root = PKG / "certificate" / "check"
    files = sorted(root.rglob("*.py")) if root.is_dir() else [PKG / "certificate" / "check.py"]
    for p in files:
        for mod, _, line, level in _imports(p):
            inside = root.is_dir() and level == 1
            assert level == 0 or inside, f"{_rel(p)}:{line} imports {'.' * level}{mod}"
            assert not mod.startswith("exactrelu"), f"{_rel(p)}:{line}"


def test_module_sizes():
    big = {_rel(p): n for p in _modules()
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    unexplained = {k: v for k, v in big.items() if k not in BIG_MODULES}
    assert not unexplained, f"modules over {MAX_MODULE_LINES} lines: {unexplained}"


def test_function_sizes():
    bad = []
    for p in _modules():
        lines = p.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                near = lines[max(0, node.lineno - 3): node.lineno + 2]
                if n > MAX_FUNCTION_LINES and not any(LONG_MARKER in s for s in near):
                    bad.append(f"{_rel(p)}:{node.lineno} {node.name} ({n} lines)")
    assert not bad, (f"functions over {MAX_FUNCTION_LINES} lines without a "
                     f"'{LONG_MARKER} reason' comment:\n" + "\n".join(bad))


@pytest.mark.parametrize("control", ["numpy-in-exact", "private-approx"])
def test_negative_controls(tmp_path, monkeypatch, control):
    """The checks above can fail: plant a violation in a copy of the rules."""
    fake = tmp_path / "exactrelu"
    (fake / "approx").mkdir(parents=True)
    if control == "numpy-in-exact":
        (fake / "linalg.py").write_text("def f():\n    import numpy\n")
        monkeypatch.setattr(__import__(__name__), "PKG", fake)
        with pytest.raises(AssertionError, match="linalg.py:2 imports numpy"):
            test_floats_live_only_where_the_design_says()
    else:
        (fake / "cones.py").write_text("from .approx.solver import _guess\n")
        monkeypatch.setattr(__import__(__name__), "PKG", fake)
        with pytest.raises(AssertionError, match="private _guess"):
            test_clarabel_and_approx_internals_stay_in_approx()
