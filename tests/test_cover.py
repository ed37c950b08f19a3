"""Cover proofs of (F): exact lower bounds without listing regions (issue 13).

The region route (``certify``) gives the optimal residual ``r`` and a proved lower bound
``L = r . y - ||r||^2 / 2``; a cover for ``t r`` must verify exactly and give a bound
``<= L`` within the requested gap.  Negative controls: a residual scaled up (so (F) fails,
shown independently by an exact witness) must not verify, and corrupted trees are
rejected.  The oracle for "this corrupted leaf must fail" is an independent float
evaluation of the leaf far from the acceptance threshold."""
import copy
import json
import random
import time
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactrelu.certificate.cover import norm_bounds, verify_cover
from exactrelu.certificate.cover_producer import cover_lower_bound, cover_proof, scale_for_gap
from exactrelu.certificate.produce import certify
from exactrelu.problem import Dataset
from exactrelu.testing.strategies import datasets

# sign-split trees (1.1 / 1.6): auto would pick a simplex cover (1.7) at d <= 3
pytestmark = pytest.mark.usefixtures("splits_covers")


def random_data(n, d, seed, bias=False):
    rng = random.Random(seed)
    X = [[F(rng.randint(-20, 20), rng.randint(1, 7)) for _ in range(d)] for _ in range(n)]
    y = [F(rng.randint(-30, 30), rng.randint(1, 5)) for _ in range(n)]
    return Dataset.from_arrays(X, y, bias=bias)


def dual_value(r, y):
    return sum(a * b for a, b in zip(r, y)) - sum(a * a for a in r) / 2


INSTANCES = [(8, 1, True, 11, F(1, 2)), (10, 2, False, 12, F(1, 3)),
             (12, 2, True, 13, F(2))]


@pytest.fixture(scope="module", params=INSTANCES, ids=lambda p: f"n{p[0]}d{p[1]}b{int(p[2])}")
def instance(request):
    n, d, bias, seed, lam = request.param
    data = random_data(n, d, seed, bias)
    res = certify(data, lam, progress=False)
    assert res.complete
    r = [F(v) for v in res.certificate["dual"]["r"]]
    cb = cover_lower_bound(data, lam, r, gap=F(1, 1000))
    return data, lam, r, res, cb


def test_cover_verifies_and_bounds(instance):
    data, lam, r, res, cb = instance
    assert cb.result.status == "proved"
    ok, why = verify_cover(data.X, cb.r, lam, json.loads(json.dumps(cb.result.cover)))
    assert ok, why
    L = dual_value(r, data.y)
    assert cb.lower == dual_value(cb.r, data.y)
    assert cb.lower <= L <= res.upper
    assert L - cb.lower <= F(1, 1000) * max(1, abs(L))
    assert 0 < cb.t < 1


def test_gap_zero_is_exact(instance):
    """t = 1: (F) is tight at the active neurons; the search splits down to the regions
    there and closes them with exact projections: the region route's bound, exactly."""
    data, lam, r, res, _ = instance
    cb = cover_lower_bound(data, lam, r, gap=0, budget=5000)
    assert cb.t == 1 and cb.result.status == "proved"
    assert cb.lower == dual_value(r, data.y)
    assert verify_cover(data.X, r, lam, cb.result.cover)[0]


def _exact_witness_violates(X, r, lam, u_float, s):
    """Exact: the rational point ``u`` (rounded float) has ``s g_r(u) > lam ||u||``."""
    u = [F(round(v * 2 ** 30), 2 ** 30) for v in u_float]
    g = s * sum(rk * max(F(0), sum(a * b for a, b in zip(x, u))) for x, rk in zip(X, r))
    return g > 0 and g * g > lam * lam * sum(a * a for a in u)


def test_scaled_up_residual_fails(instance):
    data, lam, r, res, cb = instance
    if not res.active_neurons:
        pytest.skip("no active neuron: (F) has slack at r")
    up = [a * F(101, 100) for a in cb.r]
    # the valid cover of t r does not prove (F) for the larger residual ...
    ok, _ = verify_cover(data.X, up, lam, cb.result.cover)
    assert not ok
    # ... and no cover can: the search finds a point where (F) fails, checked exactly
    out = cover_proof(data.X, [a * F(101, 100) for a in r], lam, budget=5000)
    assert out.status in ("refuted", "stuck")
    assert _exact_witness_violates(data.X, [a * F(101, 100) for a in r], lam,
                                   out.witness, out.witness_sign)


# ------------------------------------------------------------------- corruption suite

def _leaves(nodes):
    """(position, S, inherited bounds) of every leaf of a pre-order tree, by an
    independent (recursive) replay."""
    out, pos = [], [0]

    def rec(S, inh):
        item = nodes[pos[0]]
        i = pos[0]
        pos[0] += 1
        if "split" in item:
            k = item["split"]
            inh2 = dict(inh)
            for j, b in item.get("bounds", {}).items():
                inh2[int(j)] = {**inh.get(int(j), {}), **b}
            rec(S + ((k, 1),), inh2)
            rec(S + ((k, -1),), inh2)
        else:
            out.append((i, S, inh))
    rec((), {})
    assert pos[0] == len(nodes)
    return out


def _float_leaf_value(X, r, lam, N, S, s, proof, inh):
    """Independent float evaluation of ``||w|| + beta`` of a leaf (test oracle)."""
    X = np.array([[float(a) for a in row] for row in X])
    sr = s * np.array([float(a) for a in r])
    Sd = dict(S)
    coef = np.zeros(len(sr))
    beta = 0.0
    nu = {int(k): float(F(v)) for k, v in proof.get("nu", {}).items()}
    mu = {int(k): float(F(v)) for k, v in proof.get("mu", {}).items()}
    sl = {int(k): float(F(v)) for k, v in proof.get("slope", {}).items()}
    bd = dict(inh)
    for k, v in proof.get("bounds", {}).items():
        bd[int(k)] = {**inh.get(int(k), {}), **v}
    quad = proof.get("quad", {"rows": {}})
    qrows = {int(k): [float(F(a)) for a in v] for k, v in quad["rows"].items()}
    Q = np.zeros((X.shape[1], X.shape[1]))
    for k in range(len(sr)):
        if k in Sd:
            coef[k] += sr[k] if Sd[k] > 0 else 0.0
            coef[k] += Sd[k] * nu.get(k, 0.0)
        elif sr[k] < 0:
            coef[k] += sr[k] * mu.get(k, 0.0)
        elif sr[k] > 0:
            b = bd.get(k, {})
            h = float(F(b.get("hi", str(N[k]))))
            lo = float(F(b.get("lo", str(N[k]))))
            if k in sl:
                a = sl[k]
                coef[k] += sr[k] * a
                beta += sr[k] * max((1 - a) * h, a * lo)
                continue
            a, b = (0.0, 0.0) if h == 0 else (1.0, 0.0) if lo == 0 else \
                (h / (h + lo), h * lo / (h + lo))
            th, p, t = qrows.get(k, (1.0, 0.0, 0.0))      # quadratic leaf rows (1.6)
            coef[k] += sr[k] * (th * a + (1 - th) / 2)
            beta += sr[k] * (th * b + t / 4)
            Q += sr[k] * p * np.outer(X[k], X[k])
    return _sphere_max(Q, X.T @ coef) + beta


def _sphere_max(Q, w):
    """``max_{||u|| = 1} u^T Q u + w . u`` (test oracle, floats), by its dual
    ``min_{g > q_max} g + sum_i w_i'^2 / (4 (g - q_i))`` in Q's eigenbasis (convex in g:
    bisection on the derivative); ``||w||`` when ``Q = 0``."""
    if not Q.any():
        return float(np.linalg.norm(w))
    q, V = np.linalg.eigh(Q)
    c = (V.T @ w) ** 2 / 4
    lo, hi = q[-1], q[-1] + float(np.linalg.norm(w)) + 1.0
    for _ in range(200):
        g = (lo + hi) / 2
        if 1 - np.sum(c / (g - q) ** 2) < 0:
            lo = g
        else:
            hi = g
    g = hi
    return float(g + np.sum(c / (g - q)))


def _at(proof, key):
    """``proof[key]`` for a dotted key (``quad.rows``), ``{}`` when absent."""
    for part in key.split("."):
        proof = proof.get(part, {})
    return proof


def _rejects(data, lam, cb, cover):
    ok, why = verify_cover(data.X, cb.r, lam, cover)
    return not ok


def test_corrupt_drop_subtree(instance):
    data, lam, r, res, cb = instance
    cover = cb.result.cover
    t = next(t for t in cover["trees"] if len(t["nodes"]) > 1)
    bad = copy.deepcopy(cover)
    nodes = next(x for x in bad["trees"] if x["sign"] == t["sign"])["nodes"]
    # drop the '-' subtree of the root split: it is the last leaf run; dropping the last
    # node suffices to make the pre-order list one subtree short
    del nodes[-1]
    assert _rejects(data, lam, cb, bad)
    # and a whole subtree: the '+' child subtree of the root
    bad2 = copy.deepcopy(cover)
    nodes2 = next(x for x in bad2["trees"] if x["sign"] == t["sign"])["nodes"]
    plus = _subtree_len(nodes2, 1)
    del nodes2[1:1 + plus]
    assert _rejects(data, lam, cb, bad2)


def _subtree_len(nodes, i):
    need, j = 1, i
    while need:
        need += 1 if "split" in nodes[j] else -1
        j += 1
    return j - i


def _referenced(proof):
    out = set(int(k) for k in proof.get("nu", {}))
    for b in proof.get("bounds", {}).values():
        out |= {int(k) for k in b.get("hi_nu", {})} | {int(k) for k in b.get("lo_nu", {})}
    return out


def test_corrupt_split_index(instance):
    """Replace / swap split indices so that a leaf refers to a constraint it no longer
    has (structurally invalid), and check the checker says so."""
    data, lam, r, res, cb = instance
    n = data.n
    hits = 0
    for ti, t in enumerate(cb.result.cover["trees"]):
        nodes = t["nodes"]
        leaves = _leaves(nodes)
        for i, item in enumerate(nodes):
            if "split" not in item:
                continue
            k = item["split"]
            span = range(i, i + _subtree_len(nodes, i))
            below = [(p, S) for p, S, _ in leaves if p in span]
            if not any(k in _referenced(nodes[p]["leaf"]) for p, _ in below):
                continue
            path = set(j for _, S in below for j, _ in S)
            other = next((j for j in range(n) if j not in path), None)
            if other is not None:
                bad = copy.deepcopy(cb.result.cover)
                bad["trees"][ti]["nodes"][i]["split"] = other
                assert _rejects(data, lam, cb, bad)
                hits += 1
            # swap with a split below it
            for j2 in span[1:]:
                if "split" in nodes[j2] and nodes[j2]["split"] != k:
                    bad = copy.deepcopy(cb.result.cover)
                    bn = bad["trees"][ti]["nodes"]
                    bn[i]["split"], bn[j2]["split"] = bn[j2]["split"], bn[i]["split"]
                    # leaves below i but outside j2's subtree that use k lose it
                    inner = range(j2, j2 + _subtree_len(nodes, j2))
                    if any(p not in inner and k in _referenced(nodes[p]["leaf"])
                           for p, _ in below):
                        assert _rejects(data, lam, cb, bad)
                        hits += 1
                    break
            if hits >= 6:
                return
    if hits == 0:
        pytest.skip("no leaf uses a split constraint")


def test_corrupt_multiplier(instance):
    data, lam, r, res, cb = instance
    cover = cb.result.cover
    N = norm_bounds(data.X)
    done = 0
    for ti, t in enumerate(cover["trees"]):
        for p, S, _ in _leaves(t["nodes"]):
            nu = t["nodes"][p]["leaf"].get("nu", {})
            for j, v in nu.items():
                xj = data.X[int(j)]
                m = max(abs(a) for a in xj)          # m <= ||x_j||
                if m == 0:
                    continue
                # + 3 lam / m moves w by >= 3 lam: ||w'|| >= 3 lam - ||w|| > lam - beta
                bad = copy.deepcopy(cover)
                bad["trees"][ti]["nodes"][p]["leaf"]["nu"][j] = str(F(v) + 3 * lam / m)
                assert _rejects(data, lam, cb, bad)
                # a negative multiplier is invalid whatever the numbers
                bad = copy.deepcopy(cover)
                bad["trees"][ti]["nodes"][p]["leaf"]["nu"][j] = str(-F(v))
                assert _rejects(data, lam, cb, bad)
                done += 1
                break
            if done >= 4:
                return
    assert done or all(len(t["nodes"]) == 1 for t in cover["trees"])


def test_corrupt_missing_row(instance):
    """Delete a leaf's multiplier / mu / bound entry; where the independent float value
    of the damaged leaf is clearly above lam, the checker must reject."""
    data, lam, r, res, cb = instance
    cover = cb.result.cover
    N = norm_bounds(data.X)
    clear = 0
    for ti, t in enumerate(cover["trees"]):
        s = t["sign"]
        for p, S, inh in _leaves(t["nodes"]):
            proof = t["nodes"][p]["leaf"]
            for key in ("nu", "mu", "slope", "bounds", "quad.rows"):
                for j in list(_at(proof, key)):
                    bad = copy.deepcopy(cover)
                    del _at(bad["trees"][ti]["nodes"][p]["leaf"], key)[j]
                    damaged = bad["trees"][ti]["nodes"][p]["leaf"]
                    v = _float_leaf_value(data.X, cb.r, lam, N, S, s, damaged, inh)
                    if v > float(lam) * (1 + 1e-6):
                        assert _rejects(data, lam, cb, bad)
                        clear += 1
                    elif v < float(lam) * (1 - 1e-6):
                        assert not _rejects(data, lam, cb, bad)
            if clear >= 12:
                return
    assert clear > 0


def test_float_oracle_agrees_on_valid_leaves(instance):
    """The test oracle itself: every leaf of a valid cover evaluates to <= lam."""
    data, lam, r, res, cb = instance
    N = norm_bounds(data.X)
    for t in cb.result.cover["trees"]:
        for p, S, inh in _leaves(t["nodes"]):
            v = _float_leaf_value(data.X, cb.r, lam, N, S, t["sign"], t["nodes"][p]["leaf"],
                                  inh)
            assert v <= float(lam) * (1 + 1e-9)


# ----------------------------------------------------------------- hand-checked example

HAND_X = [[1, 0], [0, 1], [1, 1]]
HAND_R = [F(1), F(-1), F(1, 2)]
HAND_LAM = F(3, 2)
HAND_COVER = {
    "version": "draft-1",
    "N": ["1", "1", "3/2"],
    "trees": [
        {"sign": 1, "nodes": [{"split": 0}, {"split": 2}, {"leaf": {"mu": {"1": "1/2"}}},
                              {"leaf": {}}, {"leaf": {}}]},
        {"sign": -1, "nodes": [{"leaf": {}}]},
    ],
}


def test_hand_example():
    """docs/spec/certificate-v1.md, 1.1 worked example: tight at u = (1, 0), proved with t = 1."""
    ok, why = verify_cover(HAND_X, HAND_R, HAND_LAM, HAND_COVER)
    assert ok, why
    # the bound it gives, 19/8, is below the optimum found by the region route (39/16)
    res = certify(Dataset.from_arrays(HAND_X, [2, -1, 1]), HAND_LAM, progress=False)
    assert dual_value(HAND_R, [2, -1, 1]) == F(19, 8) <= res.lower
    # max of g_r on the sphere is exactly 3/2 (at u = (1, 0)): any larger r fails
    assert not verify_cover(HAND_X, [a * F(1001, 1000) for a in HAND_R], HAND_LAM,
                            HAND_COVER)[0]
    # mu = 1/2 is needed at the tight leaf (mu = 0 gives ||w||^2 = 5/2 > 9/4)
    bad = copy.deepcopy(HAND_COVER)
    bad["trees"][0]["nodes"][2]["leaf"] = {}
    ok, why = verify_cover(HAND_X, HAND_R, HAND_LAM, bad)
    assert not ok and "||w||^2" in why
    # the root alone does not close for s = +1 (beta = 7/8, ||c|| >= 3/4 > 5/8)
    bad = copy.deepcopy(HAND_COVER)
    bad["trees"][0]["nodes"] = [{"leaf": {}}]
    assert not verify_cover(HAND_X, HAND_R, HAND_LAM, bad)[0]
    # N must bound the norms: N_2 = 1 < sqrt(2)
    bad = copy.deepcopy(HAND_COVER)
    bad["N"][2] = "1"
    assert not verify_cover(HAND_X, HAND_R, HAND_LAM, bad)[0]
    # malformed trees
    for nodes in ([], [{"split": 0}, {"leaf": {}}], [{"leaf": {}}, {"leaf": {}}],
                  [{"split": 0}, {"split": 0}, {"leaf": {}}, {"leaf": {}}, {"leaf": {}}],
                  [{"split": 3}, {"leaf": {}}, {"leaf": {}}], [{"leaf": {"nu": {"0": "1"}}}],
                  [{"leaf": {"mu": {"1": "1/2"}}}], [{"split": "0"}, {"leaf": {}}, {"leaf": {}}],
                  [{"leaf": {"bounds": {"0": {"hi": "1"}}}}], [{"leaf": {"mu": {"0": "2"}}}]):
        bad = copy.deepcopy(HAND_COVER)
        bad["trees"][1]["nodes"] = nodes
        assert not verify_cover(HAND_X, HAND_R, HAND_LAM, bad)[0], nodes


def test_scale_for_gap():
    r, y = [F(1), F(-1), F(1, 2)], [F(2), F(-1), F(1)]
    L = dual_value(r, y)
    assert scale_for_gap(r, y, 0) == 1
    for gap in (F(1, 10), F(1, 1000), F(1, 10 ** 6)):
        t = scale_for_gap(r, y, gap)
        rt = [t * a for a in r]
        assert 0 < t < 1 and L - dual_value(rt, y) <= gap * max(1, abs(L))
        # maximal: one grid step smaller violates the gap
        t2 = t - F(1, 2 ** 40)
        assert L - dual_value([t2 * a for a in r], y) > gap * max(1, abs(L))


# -------------------------------------------------------------------- property test

@settings(max_examples=6, deadline=None)
@given(datasets(n=(2, 7), d=(1, 2), bias=None),
       st.sampled_from([F(1, 10), F(1, 2), F(2)]))
def test_property_cover_matches_region_route(data, lam):
    if not any(any(x) for x in data.X):
        return
    res = certify(data, lam, progress=False, exact=False)
    r = [F(v) for v in res.certificate["dual"]["r"]]
    cb = cover_lower_bound(data, lam, r, gap=F(1, 100), budget=20000)
    assert cb.result.status == "proved", cb.result.status
    assert verify_cover(data.X, cb.r, lam, cb.result.cover)[0]
    L = dual_value(r, data.y)
    assert cb.lower <= L and L - cb.lower <= F(1, 100) * max(1, abs(L))
    assert cb.lower <= res.upper


def test_corrupt_split_bound(instance):
    """Lower a bound declared on a split below what its multipliers prove: rejected."""
    data, lam, r, res, cb = instance
    hits = 0
    for ti, t in enumerate(cb.result.cover["trees"]):
        nodes = t["nodes"]
        # S of each node, by an independent replay
        path, stack = {}, [()]
        for i, item in enumerate(nodes):
            S = stack.pop()
            path[i] = S
            if "split" in item:
                stack.append(S + ((item["split"], -1),))
                stack.append(S + ((item["split"], 1),))
        for i, item in enumerate(nodes):
            for k, b in item.get("bounds", {}).items():
                if "hi" not in b:
                    continue
                Sd = dict(path[i])
                v = [F(a) for a in data.X[int(k)]]
                for j, nu in b.get("hi_nu", {}).items():
                    v = [a + Sd[int(j)] * F(nu) * c for a, c in zip(v, data.X[int(j)])]
                q = sum(a * a for a in v)
                h = F(b["hi"]) / 2
                if h * h >= q:
                    continue
                bad = copy.deepcopy(cb.result.cover)
                bad["trees"][ti]["nodes"][i]["bounds"][k]["hi"] = str(h)
                ok, why = verify_cover(data.X, cb.r, lam, bad)
                assert not ok and "not proved" in why
                hits += 1
                break
            if hits >= 3:
                return
    if hits == 0:
        pytest.skip("no split declares a bound")


def test_time_limit_bounds_the_whole_route(monkeypatch):
    """``time_limit`` of ``cover_route`` is one deadline for every round and both signs:
    each later search gets only what is left (before: the full limit per sign and per
    round, so a 600 s limit could run for hours)."""
    import exactrelu.certificate.cover_producer as cp
    from exactrelu.certificate.cover_producer import cover_route

    seen = []
    real = cp.cover_lower_bound

    def spy(data, lam, r0, *, time_limit=None, **kw):
        seen.append(time_limit)
        return real(data, lam, r0, time_limit=time_limit, **kw)

    monkeypatch.setattr(cp, "cover_lower_bound", spy)
    data = random_data(12, 2, 13, True)
    cr = cover_route(data, F(2), gap=F(1, 1000), time_limit=30.0)
    assert cr.bound.lower is not None and seen and all(t is not None for t in seen)
    assert seen[0] <= 30.0 and all(b < a for a, b in zip(seen, seen[1:]))
    seen.clear()
    cr = cover_route(data, F(2), gap=F(1, 1000), time_limit=0.0)   # nothing left: no proof
    assert seen == [0.0] and cr.bound.lower is None and cr.rounds == 1
    assert cr.bound.result.status == "budget"


def test_time_limit_is_shared_by_both_signs(monkeypatch):
    """With ``jobs = 1`` the second sign's search gets what the first one left."""
    import exactrelu.approx.cover_search as cs

    seen = []
    real = cs.search

    def spy(P, s, *, time_limit=None, **kw):
        seen.append(time_limit)
        time.sleep(0.2)
        return real(P, s, time_limit=time_limit, **kw)

    monkeypatch.setattr(cs, "search", spy)
    data = random_data(12, 2, 13, True)
    res = certify(data, F(2), progress=False, route="regions")
    r = [F(v) for v in res.certificate["dual"]["r"]]
    out = cover_proof(data.X, [a * F(999, 1000) for a in r], F(2), time_limit=30.0)
    assert out.status == "proved" and len(seen) == 2
    assert seen[0] <= 30.0 and seen[1] <= seen[0] - 0.2
