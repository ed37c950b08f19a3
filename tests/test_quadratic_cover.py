"""Format minor version 1.6 (``quadratic_cover``), the producer's side: the float
quadratic relaxation (:mod:`exactrelu.approx.cover_search` / ``cover_sdp``), its exact
rounding and the producer's own leaf check (:func:`exactrelu.certificate.cover.verify_cover`).
The two certificate checkers' check 12 is tested in ``tests/test_quadratic_cover_check.py``."""
from __future__ import annotations

import copy
import json
from fractions import Fraction as F

import numpy as np
import pytest

from exactrelu.approx.cover_search import Node, g_value, make_problem, relax
from exactrelu.approx.cover_sdp import quad_relax
from exactrelu.certificate.cover import norm_bounds, verify_cover
from exactrelu.certificate.cover_producer import cover_lower_bound, uses_quadratic_leaves
from exactrelu.problem import Dataset

# sign-split trees (1.1 / 1.6): auto would pick a simplex cover (1.7) at d <= 3
pytestmark = pytest.mark.usefixtures("splits_covers")

ROW = ["0", "1/3", "3/4"]
SPEC_X = [[1, 0], [0, 1], [-1, 0], [0, -1]]
SPEC_R = [1, 1, 1, 1]


def spec_cover() -> dict:
    """The worked example of docs/spec/certificate-v1.md, minor version 1.6."""
    return {"N": ["1", "1", "1", "1"], "trees": [
        {"sign": 1, "nodes": [{"leaf": {"quad": {
            "eta": "17/24", "rows": {str(k): list(ROW) for k in range(4)}}}}]},
        {"sign": -1, "nodes": [{"leaf": {}}]}]}


def _edit(path: tuple, value) -> dict:
    cov = spec_cover()
    node = cov["trees"][0]["nodes"][0]["leaf"]["quad"]
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return cov


def test_spec_example_and_its_rejected_variants():
    assert verify_cover(SPEC_X, SPEC_R, "3/2", spec_cover())[0]
    # the bound it proves is 17/12 < 3/2; (F) itself holds up to sqrt(2) = 1.414...
    bad = {"eta = 2/3": _edit(("eta",), "2/3"),
           "p = 1/4": _edit(("rows", "0"), ["0", "1/4", "3/4"]),
           "theta = 3/2": _edit(("rows", "0"), ["3/2", "1/3", "3/4"]),
           "t < 0": _edit(("rows", "1"), ["0", "1/3", "-3/4"])}
    for name, cov in bad.items():
        assert not verify_cover(SPEC_X, SPEC_R, "3/2", cov)[0], name
    neg = spec_cover()
    neg["trees"][1]["nodes"][0]["leaf"] = {"quad": {"eta": "0", "rows": {"0": ROW}}}
    assert not verify_cover(SPEC_X, SPEC_R, "3/2", neg)[0]
    # (F) is false at lam = 7/5 < sqrt(2): no eta can work
    assert not verify_cover(SPEC_X, SPEC_R, "7/5", spec_cover())[0]
    # the chord leaf alone cannot close the root (beta = 2 > 3/2)
    chord = spec_cover()
    chord["trees"][0]["nodes"][0]["leaf"] = {}
    assert not verify_cover(SPEC_X, SPEC_R, "3/2", chord)[0]


def _standardised(n: int, d: int) -> Dataset:
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    q = lambda v: F(round(float(v) * 1024), 1024)      # noqa: E731
    return Dataset.from_arrays([[q(v) for v in row] for row in X[:n, :d]],
                               [q(v) for v in y[:n]], bias=True)


@pytest.fixture(scope="module")
def diabetes11():
    """Diabetes, all 10 features + bias (d = 11), n = 30, lam = 3, and the residual of
    the cover route's last column-generation solve (one for which (F) holds)."""
    from exactrelu.certificate.cover_producer import cover_route
    from exactrelu.certificate.dual_bound import dyadic

    data = _standardised(30, 10)
    lam = F(3)
    cr = cover_route(data, lam, gap=F(1, 10 ** 4), time_limit=120, compact=False)
    assert cr.bound.lower is not None
    r0 = [dyadic(v, 48) for v in cr.solve.solution.residual]
    return data, lam, r0


def test_quadratic_bound_is_valid_and_never_worse_than_the_chords(diabetes11):
    """At the root and down one path: the quadratic program's value is at most the
    chord relaxation's, and at least s g_r(u) / ||u|| at 4,000 random directions of the
    node's cone (floats: the relaxation is a valid upper bound)."""
    data, lam, r0 = diabetes11
    P = make_problem(data.X_float(), np.array([float(a) for a in r0]), float(lam))
    rng = np.random.default_rng(0)
    U = rng.normal(size=(4000, P.d))
    for s in (1, -1):
        node = Node()
        for _ in range(3):
            rel = relax(P, node, s)
            g = quad_relax(P, node, s, rel)
            assert g is not None
            assert g.value <= rel.value + 1e-9 * P.lam
            inside = np.all([sg * (U @ P.X[k]) >= 0 for k, sg in node.S], axis=0) \
                if node.S else np.ones(len(U), bool)
            assert inside.any()
            assert g_value(P, s, U[inside]).max() <= g.value + 1e-9
            assert g.u is not None and abs(np.linalg.norm(g.u) - 1) < 1e-9
            k = int(np.argmax(np.abs(P.r) * P.N * ~np.isin(np.arange(P.n), [j for j, _ in node.S])))
            node = node.child(k, 1, dict(rel.bounds))


@pytest.fixture(scope="module")
def covers(diabetes11):
    data, lam, r0 = diabetes11
    quad = cover_lower_bound(data, lam, r0, gap=F(1, 10 ** 4), time_limit=120)
    chord = cover_lower_bound(data, lam, r0, gap=F(1, 10 ** 4), time_limit=120, quad=False,
                              compact=False)
    return data, lam, quad, chord


def test_quadratic_leaves_prove_the_same_bound_with_a_smaller_tree(covers):
    data, lam, quad, chord = covers
    assert quad.result.status == chord.result.status == "proved"
    assert quad.lower == chord.lower is not None         # same scaled residual
    assert uses_quadratic_leaves(quad.result.cover)
    assert not uses_quadratic_leaves(chord.result.cover)
    nq, nc = sum(quad.result.nodes.values()), sum(chord.result.nodes.values())
    assert 2 * nq <= nc, (nq, nc)
    ok, why = verify_cover(data.X, quad.r, lam, json.loads(json.dumps(quad.result.cover)))
    assert ok, why


def _quad_leaves(cover):
    for ti, t in enumerate(cover["trees"]):
        for p, nd in enumerate(t["nodes"]):
            if "leaf" in nd and "quad" in nd["leaf"]:
                yield ti, p


def test_damaged_quadratic_leaves_are_rejected(covers):
    """Negative controls for the producer's check: lowering ``eta`` below Q's largest
    eigenvalue, dropping the rows, moving ``t`` below ``(1 - theta)^2 / (4 p)``, or a
    residual scaled past the slack -- each rejected."""
    data, lam, quad, _ = covers
    cover = quad.result.cover
    ti, p = next(_quad_leaves(cover))

    def leaf(c):
        return c["trees"][ti]["nodes"][p]["leaf"]["quad"]
    bad = copy.deepcopy(cover)
    leaf(bad)["eta"] = "0"
    assert not verify_cover(data.X, quad.r, lam, bad)[0]
    bad = copy.deepcopy(cover)
    leaf(bad)["rows"] = {}
    assert not verify_cover(data.X, quad.r, lam, bad)[0]
    bad = copy.deepcopy(cover)
    k, (th, pp, t) = next(iter(leaf(bad)["rows"].items()))
    need = (1 - F(th)) ** 2 / (4 * F(pp))
    leaf(bad)["rows"][k] = [th, pp, str(need * F(99, 100))]
    assert not verify_cover(data.X, quad.r, lam, bad)[0]
    assert not verify_cover(data.X, [a * F(11, 10) for a in quad.r], lam, cover)[0]


def test_norm_bounds_of_the_quadratic_cover_are_the_checkers(covers):
    data, lam, quad, _ = covers
    assert quad.result.cover["N"] == [str(v) for v in norm_bounds(data.X)]


def test_positive_definite_is_the_pivot_test():
    """The fraction-free minors (flint) decide as the spec's pivots do, on random
    symmetric matrices with zero, negative and tiny leading minors."""
    import random

    import flint

    from exactrelu.certificate.cover import _pivots_positive, positive_definite

    rng = random.Random(3)
    seen = {True: 0, False: 0}
    for trial in range(400):
        m = rng.randint(1, 7)
        B = [[F(rng.randint(-9, 9), rng.choice([1, 2, 3, 1024, 10 ** 9])) for _ in range(m)]
             for _ in range(m)]
        shift = rng.choice([F(-2), F(0), F(1), F(1, 10 ** 6)])
        E = [sum((B[k][i] * B[k][j] for k in range(m)), F(0)) + (shift if i == j else 0)
             for i in range(m) for j in range(m)]
        M = flint.fmpq_mat(m, m, [flint.fmpq(e.numerator, e.denominator) for e in E])
        if trial % 5 == 0:
            i = rng.randrange(m)                 # a zero leading minor / row exchange
            for j in range(m):
                M[i, j] = M[j, i] = 0
        want = _pivots_positive(M)
        assert positive_definite(M) == want
        seen[want] += 1
    assert seen[True] > 50 and seen[False] > 50
