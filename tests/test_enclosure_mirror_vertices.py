"""The vertices of the optimal set with mirrors (exactrelu.optimal_sets.mirror_vertices).

The proved vertex lists are compared with an independent float computation on the same
certificate: the fits of the system blocks and of the mirrors are built from the data,
the patterns and the directions (no pairs, no ``beta``), the mirrors' coordinates in the
basis of the system fits come from least squares, and the vertices of the reduced
polytope from brute force over all bases.  Hand-made instances have vertices known by
hand; negative controls (a degenerate vertex, margins that a wide box cannot prove, a
search cut short) must refuse with a reason.
"""
from __future__ import annotations

import json
import math
from fractions import Fraction as F
from itertools import combinations

import numpy as np
import pytest

import exactrelu as er
from exactrelu.numbers import parse_rational
from exactrelu.optimal_sets.enclosure import enclosure_report
from exactrelu.optimal_sets.mirror_vertices import mirror_vertices


# ---------------------------------------------------------------- independent (floats)

def _float_reduced_vertices(doc: dict) -> tuple[set, list]:
    """(vertex supports as sorted column tuples, group sizes) of the reduced polytope,
    by least squares on the fits and brute force over bases (floats)."""
    sec = doc["optimal_set_enclosure"]
    X = np.array([[float(parse_rational(x)) for x in row] for row in doc["problem"]["X"]])
    bits = doc["patterns"]["bits"]
    D = lambda i: np.array([ch == "1" for ch in bits[i]], dtype=float)   # noqa: E731
    blocks = sec["system"]["blocks"]
    d, g = X.shape[1], len(blocks)
    cen = [float(parse_rational(x)) for x in sec["system"]["center"]]
    v, alpha, pos = [], [], 0
    for b in blocks:
        v.append(np.array(cen[pos:pos + d]))
        alpha.append(cen[pos + d + len(b["tight"])])
        pos += d + len(b["tight"]) + 1
    fits = np.column_stack([b["sign"] * D(b["pattern"]) * (X @ vb) for b, vb in zip(blocks, v)])
    sizes = [1 + sum(t["of"] == j for t in sec.get("twins", [])) for j in range(g)]
    js = sorted({m["of"] for m in sec["mirrors"]})
    cols = []
    for j in js:
        mf = [m["sign"] * D(m["pattern"]) * (X @ -v[j]) for m in sec["mirrors"] if m["of"] == j]
        assert max(np.abs(f - mf[0]).max() for f in mf) < 1e-9     # one fit per group
        c, *_ = np.linalg.lstsq(fits, mf[0], rcond=None)
        assert np.abs(fits @ c - mf[0]).max() < 1e-9              # in the span of the fits
        cols.append(c)
        sizes.append(len(mf))
    A = np.column_stack([np.eye(g)] + cols)
    verts = set()
    for B in combinations(range(A.shape[1]), g):
        AB = A[:, B]
        if abs(np.linalg.det(AB)) < 1e-9:
            continue
        x = np.linalg.solve(AB, np.array(alpha))
        if x.min() > -1e-9:
            assert x.min() > 1e-9                              # not degenerate (floats)
            verts.add(tuple(B))
    return verts, sizes


def _diabetes(n: int) -> dict:
    from sklearn.datasets import load_diabetes
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X[:n, :3])
    y = (y[:n] - y[:n].mean()) / y[:n].std()
    return er.certify(X, y, "1/10", bias=True, route="regions").document()


def _check_against_floats(doc: dict, rep: dict) -> None:
    verts, sizes = _float_reduced_vertices(doc)
    assert rep["all_vertices"] is True and rep["vertices_reason"] == ""
    got = {tuple(r["groups"]) for r in rep["reduced_vertices"]}
    assert got == verts and rep["reduced_vertex_count"] == len(verts)
    assert rep["vertex_count"] == sum(math.prod(sizes[t] for t in B) for B in verts)
    groups = rep["groups"] + rep["mirror_groups"]
    assert [len(g) for g in groups] == sizes
    for r in rep["reduced_vertices"]:
        assert r["vertices"] == math.prod(sizes[t] for t in r["groups"])
        for lo, hi in r["alpha"]:
            assert 0 < parse_rational(lo) < parse_rational(hi) < parse_rational(lo) + F(1, 10**50)
    # each listed vertex: one member of each group of one reduced vertex, its enclosure
    red = {tuple(sorted(g for g in range(len(groups)) if set(v["blocks"]) & set(groups[g]))):
           None for v in rep["vertices"]}
    assert set(red) <= verts
    for v in rep["vertices"]:
        assert len(v["blocks"]) == len(rep["groups"]) == rep["neurons_per_vertex"]
        assert set(v["alpha"]) == {str(b) for b in v["blocks"]}


# ---------------------------------------------------------------- hand-made instances

def test_hand_made_reduced_polytope():
    """d = 1, one pair (v_0 = 1, v_1 = -1), a mirror group of block 2 with v_2 = 1/2:
    c = e_2 - (e_0 - e_1) / 2, so Q's mirror mass mu ranges over [0, min(2 alpha_1,
    alpha_2)]: two vertices, mu = 0 and mu = 1 for alpha = (1, 1, 1)."""
    v = [[F(1)], [F(-1)], [F(1, 2)]]
    dl = F(1, 2 ** 200)
    mv = mirror_vertices(v, [F(1), F(1), F(1)], dl, [[0, 1]], [1, 1, 1], [2])
    assert mv.proved and mv.bases == ((0, 1, 2), (0, 1, 3))
    top = mv.values[1]
    for t, exact in {0: F(3, 2), 1: F(1, 2), 3: F(1)}.items():
        lo, hi = top[t]
        assert lo < exact < hi and hi - lo < F(1, 10 ** 50)
    # three mirror groups on d = 2: compare with brute force over all bases (Fractions)
    v = [[F(1), F(0)], [F(-1), F(0)], [F(0), F(1)], [F(0), F(-1)], [F(1, 3), F(1, 2)],
         [F(-1, 2), F(1, 5)]]
    alpha = [F(1), F(2), F(3, 2), F(1, 3), F(5, 7), F(1, 2)]
    mv = mirror_vertices(v, alpha, dl, [[0, 1], [2, 3]], [1] * 6, [0, 4, 5])
    assert mv.proved and set(mv.bases) == _brute(v, alpha, [[0, 1], [2, 3]], [0, 4, 5])


def _brute(v, alpha, pairs, groups):
    """Feasible bases of [I C] x = alpha by brute force (sympy, exact): C from beta."""
    import sympy

    g = len(v)
    V = sympy.Matrix([v[p] for p, _ in pairs])
    cols = []
    for j in groups:
        beta = V.T.solve(sympy.Matrix(v[j]))
        c = [sympy.Integer(int(i == j)) for i in range(g)]
        for (p, q), bp in zip(pairs, beta):
            c[p] -= bp
            c[q] += bp
        cols.append(c)
    A = sympy.Matrix.hstack(sympy.eye(g), *[sympy.Matrix(c) for c in cols])
    out = set()
    for B in combinations(range(A.shape[1]), g):
        AB = A[:, list(B)]
        if AB.det() == 0:
            continue
        x = AB.solve(sympy.Matrix(alpha))
        if all(xi >= 0 for xi in x):
            assert all(xi > 0 for xi in x)                    # not degenerate
            out.add(B)
    return out


def test_refusals_say_why():
    """Negative controls: a degenerate vertex (a tie), a margin the box cannot prove, a
    search cut short, singular pair directions -- never a claim."""
    v = [[F(1)], [F(-1)], [F(1, 2)]]
    dl = F(1, 2 ** 200)
    tie = mirror_vertices(v, [F(1), F(1, 2), F(1)], dl, [[0, 1]], [1, 1, 1], [2])
    assert not tie.proved and "degenerate" in tie.reason
    assert tie.bases == ((0, 1, 2),)           # the system's vertex was proved before
    near = mirror_vertices(v, [F(1), F(1, 2) + F(1, 2 ** 300), F(1)], dl, [[0, 1]],
                           [1, 1, 1], [2])
    assert not near.proved and "not proved positive" in near.reason
    assert near.bases == ((0, 1, 2),)
    assert mirror_vertices(v, [F(1), F(1, 2) + F(1, 2 ** 300), F(1)], F(1, 2 ** 400),
                           [[0, 1]], [1, 1, 1], [2]).proved      # a narrower box proves it
    cut = mirror_vertices(v, [F(1)] * 3, dl, [[0, 1]], [1, 1, 1], [2], max_bases=1)
    assert not cut.proved and "more than 1" in cut.reason and cut.bases == ((0, 1, 2),)
    sing = mirror_vertices([[F(0)], [F(0)], [F(1)]], [F(1)] * 3, dl, [[0, 1]], [1] * 3, [2])
    assert not sing.proved and "singular" in sing.reason and sing.bases == ((0, 1, 2),)
    wide = mirror_vertices(v, [F(1)] * 3, F(1), [[0, 1]], [1, 1, 1], [2])
    assert not wide.proved and "invertible" in wide.reason and wide.bases == ((0, 1, 2),)
    assert wide.values[0][1] == (F(0), F(2))     # the system's vertex: alpha~ +- delta


# ---------------------------------------------------------------- certificates

def test_small_instance_with_mirrors(tmp_path, capsys):
    """1-D data with a bias (8 rows; the mirror instance of tests/test_enclosure.py): every
    vertex proved, the same as the float brute force."""
    rng = np.random.default_rng(1)
    for _ in range(4):
        X = np.round(rng.normal(size=(8, 1)), 2)
        y = np.round(rng.normal(size=8), 2)
    doc = er.certify(X, y, "1/10", bias=True, route="regions").document()
    assert doc["optimal_set_enclosure"]["mirrors"]
    rep = enclosure_report(doc, max_vertices=10 ** 6)
    _check_against_floats(doc, rep)
    assert len(rep["vertices"]) == rep["vertex_count"] > rep["twin_swap_vertices"]
    assert len({tuple(v["blocks"]) for v in rep["vertices"]}) == rep["vertex_count"]
    # the command says the same (JSON and text)
    from exactrelu.cli import main

    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc))
    assert main(["optimal-set", str(path), "--json"]) == 0
    e = json.loads(capsys.readouterr().out)["enclosure"]
    assert e["all_vertices"] and e["vertex_count"] == rep["vertex_count"]
    assert e["reduced_vertices"] == rep["reduced_vertices"]
    assert main(["optimal-set", str(path)]) == 0
    text = capsys.readouterr().out
    assert f"{rep['vertex_count']}, all proved -- {rep['reduced_vertex_count']} vertices" in text


@pytest.fixture(scope="module")
def diabetes20():
    return _diabetes(20)


def test_diabetes_n20_every_vertex_is_proved(diabetes20):
    """Standardised diabetes, 20 rows (12 system blocks, 64 twins, 20 mirrors in 4
    groups): 26 vertices of the reduced polytope, 11,676,942,336 vertices of the optimal
    set, each count cross-checked by the float brute force (1,820 bases)."""
    rep = enclosure_report(diabetes20, max_vertices=40)
    _check_against_floats(diabetes20, rep)
    assert rep["reduced_vertex_count"] == 26 and rep["vertex_count"] == 11676942336
    assert len(rep["vertices"]) == 40 and len(rep["reduced_vertices"]) == 26


def test_diabetes_n20_refuses_a_wide_box(diabetes20):
    """The same reduced polytope with the box widened to 1e-3: margins not provable."""
    from exactrelu.certificate.check.enclosure import enclosure_facts

    f = enclosure_facts(diabetes20)
    blocks = f["system"]
    mid = lambda iv: (iv[0] + iv[1]) / 2                 # noqa: E731
    pos = {b: j for j, b in enumerate(blocks)}
    groups = sorted({pos[j] for j in f["mirrors"].values()})
    args = ([[mid(iv) for iv in f["v"][b]] for b in blocks], [mid(f["alpha"][b]) for b in blocks])
    pairs = diabetes20["optimal_set_enclosure"]["pairs"]
    signs = [b[1] for b in blocks]
    ok = mirror_vertices(*args, f["delta"], pairs, signs, groups)
    assert ok.proved and len(ok.bases) == 26
    wide = mirror_vertices(*args, F(1, 1000), pairs, signs, groups)
    assert not wide.proved and "basis" in wide.reason


@pytest.mark.parametrize("route", ["pivot", "slab"])
def test_diabetes_n20_a_search_cut_short_claims_only_what_it_proved(diabetes20, monkeypatch,
                                                                    route):
    """With the search capped below the 26 vertices (the pivot search of
    mirror_vertices, or slab_vertices): not all vertices, no count, the reason; what is
    listed is proved (each a vertex, among the float brute force's)."""
    import exactrelu.optimal_sets.mirror_vertices as mvm
    import exactrelu.optimal_sets.slab_vertices as svm

    if route == "pivot":
        monkeypatch.setattr(svm, "slab_form", lambda *a: None)
        monkeypatch.setattr(mvm, "MAX_BASES", 5)
    else:
        monkeypatch.setattr(svm, "MAX_VERTICES", 5)
    rep = enclosure_report(diabetes20, max_vertices=10)
    assert rep["all_vertices"] is False and rep["vertex_count"] is None
    assert rep["reduced_vertex_count"] is None and "more than 5" in rep["vertices_reason"]
    verts, sizes = _float_reduced_vertices(diabetes20)
    got = [tuple(r["groups"]) for r in rep["reduced_vertices"]]
    proved = rep["reduced_vertices_proved"]
    assert 1 <= len(got) == min(proved, 10) and proved < len(verts) and set(got) <= verts
    listed = sum(math.prod(sizes[t] for t in B) for B in got)
    assert rep["vertices_proved"] == listed if proved <= 10 else rep["vertices_proved"] > listed
    assert len(rep["vertices"]) == 10


@pytest.mark.slow    # ~7 min: certify (45 s) and 3.9 million vertices proved (5.5 min)
def test_diabetes_n40_every_vertex_is_proved():
    """Standardised diabetes, 40 rows (28 support groups, 20 mirror groups, 4 pairs):
    the reduced polytope has 3,892,091 vertices -- the count lrs (exact reverse search)
    gives on its centre rounded to 2^-30 (bench/bench_vertices.py) -- all proved on the
    box by slab_vertices, and the optimal set has the exact number of vertices below."""
    rep = enclosure_report(_diabetes(40), max_vertices=20, time_limit=1800)
    assert rep["all_vertices"] is True and rep["vertices_reason"] == ""
    assert rep["reduced_vertex_count"] == 3892091
    assert rep["vertex_count"] == 122231311468592184583312637952
    assert len(rep["vertices"]) == 20 and len(rep["reduced_vertices"]) == 20


@pytest.mark.parametrize("route", ["slab", "pivot"])
def test_reduced_vertices_gives_them_all(diabetes20, monkeypatch, route):
    """The library's iterator over every vertex of Q: the 26 of the report (same
    numbering), by either search; a section that does not verify is refused."""
    import copy

    import exactrelu.optimal_sets.slab_vertices as svm
    from exactrelu.optimal_sets import reduced_vertices

    if route == "pivot":
        monkeypatch.setattr(svm, "slab_form", lambda *a: None)
    rv = reduced_vertices(diabetes20)
    rep = enclosure_report(diabetes20, max_vertices=100)
    assert rv.count == 26 and rv.reason == ""
    assert sorted(rv.bases()) == sorted(tuple(r["groups"]) for r in rep["reduced_vertices"])
    bad = copy.deepcopy(diabetes20)
    bad["optimal_set_enclosure"]["pairs"] = bad["optimal_set_enclosure"]["pairs"][:-1]
    with pytest.raises(ValueError):
        reduced_vertices(bad)
