"""The optimal set, exactly (exactrelu.optimal_sets, exactrelu.optimal_sets.model, the
``optimal-set`` command).  docs/theory.md §2.2-2.9, §2.12; tests T5-T11, T23, T26 of docs/theory.md §5.2.

Every claim is checked with exact rationals, mostly through code that does not share the
implementation (a brute-force basis enumeration written here with python-flint, direct
objective evaluation, the standalone certificate checker)."""
import itertools
import json
import random
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import flint
import pytest
from hypothesis import given, strategies as st

from exactrelu.certificate.emit import certificate_dict, dumps
from exactrelu.certificate.produce import certify
from exactrelu.errors import ExactReluError
from exactrelu.rational_optimum import exact_optimum_at
from exactrelu.networks import Network
from exactrelu.optimal_sets import (CGL, Polytope, cgl_optimal_set, check_collinear,
                                   check_segment, corollary41_network, example_b, minimality,
                                   network_minimality, objective_at, optimal_set,
                                   optimal_set_section)
from exactrelu.optimal_sets._float_guess import independent_columns
from exactrelu.optimal_sets.min_norm_point import wolfe
from exactrelu.optimal_sets.model import model_polytope
from exactrelu.optimal_sets.simplex import complete_basis, dual_simplex, lp_cdd, primal_simplex
from exactrelu.planted import planted_instance
from exactrelu.problem import Dataset

ROOT = Path(__file__).resolve().parents[1]
CHECKER = ROOT / "proofs_checks" / "check_cert.py"


# ----------------------------------------------------------------- independent oracles

def fq(x):
    return flint.fmpq(x.numerator, x.denominator)


def rank_cols(cols, n):
    if not cols:
        return 0
    return flint.fmpq_mat(n, len(cols), [fq(c[k]) for k in range(n) for c in cols]).rank()


def brute_vertices(cols, b):
    """Every basic feasible solution of {a >= 0 : sum a_j cols_j = b}: all subsets of
    independent columns, solved exactly (least squares on the subset, then checked)."""
    n, L = len(b), len(cols)
    r = rank_cols(cols, n)
    found = set()
    for k in range(0, r + 1):
        for S in itertools.combinations(range(L), k):
            sub = [cols[j] for j in S]
            if rank_cols(sub, n) != k:
                continue
            if k == 0:
                if not any(b):
                    found.add(tuple([F(0)] * L))
                continue
            A = flint.fmpq_mat(n, k, [fq(c[i]) for i in range(n) for c in sub])
            At = A.transpose()
            x = (At * A).solve(At * flint.fmpq_mat(n, 1, [fq(t) for t in b]))
            xs = [F(int(a.p), int(a.q)) for a in x.entries()]
            if any(a <= 0 for a in xs):
                continue
            if [sum(a * c[i] for a, c in zip(xs, sub)) for i in range(n)] != list(b):
                continue
            al = [F(0)] * L
            for j, a in zip(S, xs):
                al[j] = a
            found.add(tuple(al))
    return found


def as_vec(os_, alpha):
    return tuple(alpha.get(b, F(0)) for b in os_.blocks)


def run_checker(cert, tmp_path, name="c.json"):
    p = tmp_path / name
    p.write_text(dumps(cert))
    return subprocess.run([sys.executable, str(CHECKER), str(p)], capture_output=True,
                          text=True, timeout=120)


# ------------------------------------------------------------------------- Example B

def test_example_b_lam1_vertices_minnorm_sum():
    cgl, r = example_b(1)
    os_ = cgl_optimal_set(cgl, r)
    # w = alpha v with v = lam = 1: vertices (s, s, 0) and (0, 0, 2s), s = 3 - lam = 2
    verts = {as_vec(os_, a) for a in os_.vertices}
    assert verts == {(F(2), F(2), F(0)), (F(0), F(0), F(4))}
    assert os_.value == 5 and os_.fit == (F(2), F(2))                  # T1, T2
    assert os_.support == (0, 1, 2) and os_.blocks == (0, 1, 2)         # T7: S = E
    # T6: sum alpha constant = <yhat, r> / lam^2 = 4
    assert os_.sum_alpha == 4 and all(sum(a.values()) == 4 for a in os_.vertices)
    # T23: min-norm (2s/3)(1,1,1) with mu = (4/3, 4/3)
    assert as_vec(os_, os_.min_norm) == (F(4, 3),) * 3
    assert os_.min_norm_mu == (F(4, 3), F(4, 3))
    # T8: not unique, witness proportional to (1, 1, -2)
    assert not os_.unique
    w = as_vec(os_, os_.witness)
    assert w[0] == w[1] == -w[2] / 2 != 0


def test_example_b_minimality_two_notions():
    cgl, r = example_b(1)
    os_ = cgl_optimal_set(cgl, r)
    a, b, c = {0: F(2), 1: F(2)}, {2: F(4)}, {0: F(4, 3), 1: F(4, 3), 2: F(4, 3)}
    # T9: vertices <=> independent fits <=> support-minimal
    assert os_.is_support_minimal(a) and os_.is_support_minimal(b)
    assert os_.contains(c) and not os_.is_support_minimal(c)
    # T10: support-minimal but not cardinality-minimal
    assert os_.min_neurons == 1
    assert os_.is_cardinality_minimal(b) and not os_.is_cardinality_minimal(a)
    assert os_.cardinality_minimal() == [b]
    # T11: every vertex has at most rank(M) <= n blocks
    assert all(len(v) <= os_.polytope.rank <= 2 for v in os_.vertices)
    # (3/2, 3/2, 1) is optimal (docs/theory.md §5.1 Example B), a point violating the fit is not
    assert os_.contains({0: F(3, 2), 1: F(3, 2), 2: F(1)})
    assert not os_.contains({0: F(2), 1: F(2), 2: F(1, 10)})


@pytest.mark.parametrize("lam", [F(1, 2), F(1), F(2), F(29, 10)])
def test_example_b_path(lam):
    cgl, r = example_b(lam)
    os_ = cgl_optimal_set(cgl, r)
    s = 3 - lam
    # in w coordinates (w = alpha * lam)
    W = {tuple(lam * x for x in as_vec(os_, a)) for a in os_.vertices}
    assert W == {(s, s, F(0)), (F(0), F(0), 2 * s)}
    assert tuple(lam * x for x in as_vec(os_, os_.min_norm)) == (2 * s / 3,) * 3
    assert os_.value == 6 * lam - lam * lam


def test_example_b_objective_constant_on_polytope_T5():
    cgl, r = example_b(1)
    os_ = cgl_optimal_set(cgl, r)
    P = os_.polytope
    for al in P.sample_vertex_combinations(25, seed=3):
        assert P.contains(al)
        loss, sq = cgl.objective({j: (a,) for j, a in enumerate(al)})   # w = alpha (v = 1)
        assert loss + sum(a for a in al) == 5                              # ||w_j|| = alpha_j
    # off the polytope the objective is larger: (2, 2, 1/10) has fit (41/20, 41/20)
    loss, _ = cgl.objective({0: (F(2),), 1: (F(2),), 2: (F(1, 10),)})
    assert loss + F(41, 10) > 5


def test_example_b_above_lam_max_only_zero():
    cgl, r = example_b(3)
    os_ = cgl_optimal_set(cgl, r)
    assert os_.fit == (0, 0) and os_.vertices == [{}] and os_.unique
    assert os_.min_neurons == 0


def test_equicorrelated_but_not_in_support_T7():
    """E = {0, 1, 2} (every correlation equals lam) but yhat = 2 m_2 lies on a face of
    the cone of the fits: alpha_0 = alpha_1 = 0 in every optimum, so S = {2}."""
    cgl = CGL.make([[1, 1, 1], [1, -1, 2]], [3, 4], 1, [[0], [1], [2]], [[[1]]] * 3)
    os_ = cgl_optimal_set(cgl, (1, 0))
    assert os_.blocks == (0, 1, 2) and os_.support == (2,)
    assert os_.vertices == [{2: F(2)}] and os_.unique
    assert os_.min_norm == {2: F(2)}


def test_cgl_rejects_non_optimal_residual():
    cgl, _ = example_b(1)
    with pytest.raises(ExactReluError):
        cgl_optimal_set(cgl, (F(1, 2), F(1, 2)))          # ||c|| < lam: yhat not reachable
    with pytest.raises(ExactReluError):
        cgl_optimal_set(cgl, (F(2), F(2)))                # not dual feasible


# ------------------------------------------------- generic CGL with many vertices

def nn_lasso(n, p, e, seed, lam=F(1)):
    """Non-negative lasso built residual first: columns of E have z.r = lam, the others
    z.r = lam/2; alpha > 0 on E; so E is the equicorrelation set and the optimal
    polytope has dimension e - rank."""
    rng = random.Random(seed)
    while True:
        r = [F(rng.randint(-5, 5), rng.randint(1, 3)) for _ in range(n)]
        if any(r):
            break
    rr = sum(a * a for a in r)
    cols = []
    for j in range(p):
        z = [F(rng.randint(-6, 6), rng.randint(1, 4)) for _ in range(n)]
        target = lam if j < e else lam / 2
        t = (target - sum(a * b for a, b in zip(z, r))) / rr
        cols.append([a + t * b for a, b in zip(z, r)])
    alpha = [F(rng.randint(1, 5), rng.randint(1, 3)) for _ in range(e)]
    yhat = [sum(alpha[j] * cols[j][k] for j in range(e)) for k in range(n)]
    y = [a + b for a, b in zip(yhat, r)]
    Z = [[cols[j][k] for j in range(p)] for k in range(n)]
    cgl = CGL.make(Z, y, lam, [[j] for j in range(p)], [[[1]]] * p)
    return cgl, r, cols[:e], yhat


@pytest.mark.parametrize("n,p,e,seed", [(3, 8, 6, 0), (4, 9, 7, 1), (2, 7, 6, 2), (3, 6, 3, 3)])
def test_cgl_vertices_match_brute_force(n, p, e, seed):
    cgl, r, cols, yhat = nn_lasso(n, p, e, seed)
    os_ = cgl_optimal_set(cgl, r)
    assert os_.blocks == tuple(range(e))
    got = {as_vec(os_, a) for a in os_.vertices}
    assert got == brute_vertices(cols, yhat)
    assert len(got) >= 1
    assert os_.unique == (rank_cols(cols, n) == e)
    P = os_.polytope
    assert set(P.vertices(method="bases")) == got
    # min-norm: KKT certificate, and no vertex combination has a smaller norm
    mn = as_vec(os_, os_.min_norm)
    mu = os_.min_norm_mu
    g = [sum(c[k] * mu[k] for k in range(n)) for c in cols]
    assert mn == tuple(max(x, F(0)) for x in g)
    nm = sum(a * a for a in mn)
    for al in P.sample_vertex_combinations(30, seed=seed):
        assert sum(a * a for a in al) >= nm
    # Wolfe's exact algorithm agrees with the Newton/KKT route
    assert wolfe(P) == mn


def test_ppl_second_opinion():
    pytest.importorskip("ppl")
    for seed in range(3):
        cgl, r, cols, yhat = nn_lasso(4, 10, 9, seed)
        P = cgl_optimal_set(cgl, r, enumerate_vertices=False).polytope
        assert set(P.vertices(method="ppl")) == set(P.vertices(method="cdd"))


@given(st.integers(min_value=0, max_value=10 ** 6))
def test_polytope_lp_and_support_property(seed):
    cgl, r, cols, yhat = nn_lasso(3, 7, 6, seed)
    os_ = cgl_optimal_set(cgl, r)
    P = os_.polytope
    V = P.vertices()
    rng = random.Random(seed)
    c = [F(rng.randint(-5, 5)) for _ in range(P.L)]
    val, al = P.lp(c)
    assert P.is_vertex(al)
    assert val == max(sum(a * b for a, b in zip(c, v)) for v in V)
    cdd_val = sum(a * b for a, b in zip(c, lp_cdd(P, c)))
    assert cdd_val == val
    assert sorted(os_.support) == sorted({j for v in V for j, a in enumerate(v) if a})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_simplex_routes_agree(seed):
    """The LP routes (float basis + exact primal simplex, exact dual simplex from an
    arbitrary basis, exact simplex from a purified vertex, cdd) give the same optimum."""
    cgl, r, cols, yhat = nn_lasso(4, 11, 10, seed)
    P = cgl_optimal_set(cgl, r, enumerate_vertices=False).polytope
    rng = random.Random(seed)
    c = tuple(F(rng.randint(-9, 9), rng.randint(1, 3)) for _ in range(P.L))
    best = sum(a * b for a, b in zip(c, lp_cdd(P, c)))
    val, al = P.lp(c)
    assert val == best and P.is_vertex(al)
    v = P.purify(P.point, c)
    assert P.is_vertex(v) and sum(a * b for a, b in zip(c, v)) >= \
        sum(a * b for a, b in zip(c, P.point))
    a2, mu = primal_simplex(P, complete_basis(P, P.support_of(v)), c)
    assert sum(a * b for a, b in zip(c, a2)) == best
    # dual certificate: c_j <= m_j . mu and b . mu = optimum
    assert all(c[j] <= sum(P.cols[j][k] * mu[k] for k in range(P.n)) for j in range(P.L))
    assert sum(P.b[k] * mu[k] for k in range(P.n)) == best
    for _ in range(3):                      # dual simplex from random bases
        B = independent_columns(P, rng.sample(range(P.L), P.L), P.rank)
        if B is None:
            continue
        B2 = dual_simplex(P, B, c)
        assert B2 is not None
        a3, _ = primal_simplex(P, B2, c)
        assert sum(a * b for a, b in zip(c, a3)) == best


def test_hit_and_run_moves_with_huge_numbers():
    """Columns with 80-bit denominators (as for near-zero blocks of a float solve): the
    integer null basis has huge entries, the sampler must still move."""
    cgl, r, cols, yhat = nn_lasso(3, 8, 7, 7)
    P0 = cgl_optimal_set(cgl, r).polytope
    scale = [F(1, (1 << 80) + 17 * j) for j in range(P0.L)]
    cols2 = [tuple(x * s for x in col) for col, s in zip(P0.cols, scale)]
    point = tuple(a / s for a, s in zip(P0.min_norm().alpha, scale))
    P = Polytope(cols2, P0.b, point=point)
    from exactrelu.optimal_sets import hit_and_run

    S = hit_and_run(P, 300, seed=2)
    assert len({S.exact(i) for i in range(len(S))}) > 250
    assert all(P.contains(S.exact(i)) for i in range(0, 300, 30))


def test_hit_and_run_exact_samples():
    cgl, r, cols, yhat = nn_lasso(3, 8, 7, 5)
    P = cgl_optimal_set(cgl, r).polytope
    from exactrelu.optimal_sets import hit_and_run

    S = hit_and_run(P, 200, seed=1, start=P.min_norm().alpha)
    assert len(S) == 200
    pts = {S.exact(i) for i in range(len(S))}
    assert len(pts) > 150                       # it moves
    for i in range(0, 200, 7):
        assert P.contains(S.exact(i))


# ------------------------------------------------------------- planted ReLU instances

UNIQUE = [(6, 2, 2, 0), (6, 2, 2, 1), (8, 2, 2, 2), (9, 3, 2, 3)]
NONUNIQUE = [(8, 2, 3, 0), (10, 3, 3, 1), (12, 2, 4, 2), (9, 2, 3, 4)]


def solved(n, d, k, seed, unique):
    p = planted_instance(n, d, k, seed=seed, unique=unique)
    eo = exact_optimum_at(p.program, p.r_hat)
    assert eo is not None
    return p, eo


@pytest.mark.parametrize("n,d,k,seed", UNIQUE)
def test_planted_unique_single_vertex(n, d, k, seed):
    p, eo = solved(n, d, k, seed, True)
    os_ = optimal_set(p.program, eo)
    assert os_.unique and os_.witness is None and os_.nc_p_unique
    assert len(os_.vertices) == 1
    assert os_.vertices[0] == {b: a for b, a in eo.alpha.items() if a}
    assert set(os_.support) == set(p.support) == set(os_.blocks)
    assert os_.min_norm == os_.vertices[0]
    assert os_.min_neurons == k


@pytest.mark.parametrize("n,d,k,seed", NONUNIQUE)
def test_planted_nonunique_all_vertices(n, d, k, seed):
    p, eo = solved(n, d, k, seed, False)
    prog = p.program
    os_ = optimal_set(prog, eo)
    # independent oracle: brute-force basis enumeration over the fits of E
    cols = [prog.block_fit(b, os_.v[b]) for b in os_.blocks]
    oracle = brute_vertices(cols, os_.fit)
    assert {as_vec(os_, a) for a in os_.vertices} == oracle
    assert len(oracle) >= 2
    lam = prog.lam
    for a in os_.vertices:
        vec = as_vec(os_, a)
        assert all(x >= 0 for x in vec)
        assert prog.fit(os_.weights(a)) == os_.fit                         # exact fit
        assert rank_cols([cols[j] for j, x in enumerate(vec) if x], prog.data.n) == len(a)
        assert len(a) <= prog.data.n                                      # T11
        # T5: the convex objective (||w_b|| = alpha_b lam exactly) is p*
        assert prog.loss(os_.weights(a)) + lam * lam * sum(a.values()) == eo.value
        assert objective_at(prog, os_, a) == eo.value
    # not unique, witness is a real dependency of the support fits
    assert not os_.unique
    w = os_.witness
    assert any(w.values())
    assert all(sum(w.get(b, 0) * c[t] for b, c in zip(os_.blocks, cols)) == 0
               for t in range(prog.data.n))
    assert set(w) <= set(os_.support)
    # planted ties: the network is unique up to splitting
    assert os_.nc_p_unique
    # an alpha outside E or off the fit is not optimal
    b0 = os_.blocks[0]
    bad = dict(os_.vertices[0])
    bad[b0] = bad.get(b0, 0) + 1
    assert not os_.contains(bad)
    assert objective_at(prog, os_, bad) > eo.value


@pytest.mark.parametrize("n,d,k,seed", NONUNIQUE[:2])
def test_planted_networks_corollary41_collinear_segment(n, d, k, seed):
    p, eo = solved(n, d, k, seed, False)
    prog = p.program
    os_ = optimal_set(prog, eo)
    v0, v1 = os_.vertices[0], os_.vertices[-1]
    assert check_segment(prog, os_, v0, v1)
    # Corollary 4.1 in product form: W1 |w2| = alpha v, w2^2 = ||W1||^2 = alpha lam
    lam = prog.lam
    for a in (v0, v1, os_.min_norm):
        pn = corollary41_network(prog, os_, a)
        assert pn.width == len(a)
        loss, terms = pn.nc_objective_terms(p.data, lam)
        # penalty lam ||u_b|| with ||u_b||^2 = (alpha_b lam)^2: a rational square
        pen = sum(c * F(int(flint.fmpq(q.numerator, q.denominator).sqrt().p),
                        int(flint.fmpq(q.numerator, q.denominator).sqrt().q)) for c, q in terms)
        assert loss + pen == eo.value
    # T26: any optimal network's neurons are positively collinear with v_b
    w = os_.weights(v0)
    net = Network(tuple(tuple(x * 2 for x in u) for u in w.values()),
                  tuple(F(b[1], 2) for b in w), False, prog.data.d)   # (2u, s/2): same products
    assert check_collinear(prog, os_, net)
    b = next(iter(w))
    u = w[b]
    skew = tuple(x + (F(1, 1000) if j == 0 else 0) for j, x in enumerate(u))
    net2 = Network((skew,), (F(b[1]),), False, prog.data.d)
    assert not check_collinear(prog, os_, net2)


def test_minimality_of_given_models():
    p, eo = solved(8, 2, 3, 0, False)
    prog = p.program
    os_ = optimal_set(prog, eo)
    m_v = minimality(prog, os_.weights(os_.vertices[0]))
    assert m_v.minimal and m_v.witness is None
    m_n = minimality(prog, os_.weights(os_.min_norm))        # interior point: dependent
    assert not m_n.minimal and m_n.rank < m_n.active
    assert all(sum(m_n.witness.get(b, 0) * prog.block_fit(b, u)[t]
                   for b, u in os_.weights(os_.min_norm).items()) == 0
               for t in range(prog.data.n))
    pn = corollary41_network(prog, os_, os_.min_norm)
    net = Network(tuple(u for _, _, u in pn.blocks), tuple(F(s) for _, s, _ in pn.blocks),
                  False, prog.data.d)
    assert not network_minimality(net, p.data).minimal


# --------------------------------------------------------------- certificate check 6

def exact_certificate(p, eo):
    """A certify() certificate when certify finds the exact optimum; else the same
    layout assembled from the exact optimum (certify's exact search is not always
    successful on tied instances)."""
    res = certify(p.data, p.lam)
    if res.exact:
        return res.certificate, True
    blocks = {b: (u, eo.norms[b]) for b, u in eo.blocks.items()}
    cert = certificate_dict(p.data, p.lam, p.patterns, complete=False, blocks=blocks,
                            r=eo.r, rho=eo.rho, lower=eo.value, upper=eo.value)
    return cert, False


@pytest.mark.parametrize("n,d,k,seed,unique", [(6, 2, 2, 0, True), (10, 3, 3, 1, False),
                                                (8, 2, 3, 0, False), (12, 2, 4, 2, False)])
def test_section_verifies_with_standalone_checker(n, d, k, seed, unique, tmp_path):
    p, eo = solved(n, d, k, seed, unique)
    cert, via_certify = exact_certificate(p, eo)
    # D11: dual.rho must be projection multipliers (certify's exact path uses them)
    cert["dual"]["rho"] = [{"pattern": i, "sign": s, "values": {str(k_): str(x)
                            for k_, x in sorted(v.items()) if x}}
                           for (i, s), v in sorted(eo.rho.items()) if any(v.values())]
    sec = optimal_set_section(p.program, eo)
    cert["optimal_set"] = sec
    out = run_checker(cert, tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "VERIFIED" in out.stdout
    assert len(sec["vertices"]) == (1 if unique else 2)
    # the checker can fail: a vertex with a wrong alpha, and a missing tight block
    bad = json.loads(json.dumps(cert))
    key = next(iter(bad["optimal_set"]["vertices"][0]["alpha"]))
    bad["optimal_set"]["vertices"][0]["alpha"][key] = "1000"
    out = run_checker(bad, tmp_path, "bad1.json")
    assert out.returncode == 1 and "check 6" in out.stdout
    bad = json.loads(json.dumps(cert))
    bad["optimal_set"]["blocks"] = bad["optimal_set"]["blocks"][1:]
    bad["optimal_set"]["vertices"] = []
    out = run_checker(bad, tmp_path, "bad2.json")
    assert out.returncode == 1 and "check 6" in out.stdout


def test_some_certificate_comes_from_certify():
    p, eo = solved(6, 2, 2, 0, True)
    res = certify(p.data, p.lam)
    assert res.exact


# ------------------------------------------------------------------ model polytope

def test_model_polytope_duplicated_neurons():
    """Two neurons with identical outputs on the data but different weights (one is
    tilted within the inactive rows): the polytope is a segment, every point has the
    same training predictions, the penalties differ (sqrt 5 / 2 vs 1 per unit)."""
    X = [[F(1), F(0)], [F(-1), F(1)], [F(-1), F(-1)], [F(0), F(-1)]]
    data = Dataset.from_arrays(X, [F(1), F(0), F(2), F(1, 2)])
    net = Network.from_values([[1, 0], [1, F(1, 2)], [0, -1]], [1, 1, 1])
    assert net.neuron_outputs(data.X, 0) == net.neuron_outputs(data.X, 1)
    mp, keep = model_polytope(net, data, F(1, 10))
    assert keep == [0, 1, 2] and mp.dim == 1 and not mp.unique
    V = mp.polytope.vertices()
    assert len(V) == 2 and all(mp.polytope.contains(v) for v in V)
    val, ep = mp.max_l1()
    assert mp.polytope.is_vertex(ep) and val == max(sum(v) for v in V)
    mn = mp.min_l2()
    assert mp.polytope.contains(mn.alpha)
    lo, hi = mp.objective_bounds(mn.alpha)
    assert lo <= hi and hi - lo < F(1, 10 ** 15)
    # with the penalty kept the polytope shrinks to the points with the same penalty
    mp2, _ = model_polytope(net, data, F(1, 10), keep_penalty=True)
    assert mp2.dim == 0
    S = mp.hit_and_run(50, seed=0)
    assert all(mp.polytope.contains(S.exact(i)) for i in range(0, 50, 5))
    import numpy as np

    b = mp.min_mse(np.eye(3), np.array([1.0, 0.0, 1.0]))
    assert mp.polytope.contains(b)
    # vertex mixtures: the two vertices found by LPs, every sample exactly in between
    V, S = mp.vertex_mixture(200, vertices=8, seed=1)
    assert sorted(V) == sorted(mp.polytope.vertices())
    pts = [S.exact(i) for i in range(len(S))]
    assert len(set(pts)) > 150 and all(mp.polytope.contains(p) for p in pts[::10])


def test_mix_vertices_exact_combinations():
    """mix_vertices: each sample is exactly sum_i w_i V_i with w >= 0, sum w = 1 and w
    within 4 * 2^-16/grid of the target c/grid; recomputed here with Fractions."""
    from exactrelu.optimal_sets import mix_vertices

    V = [(F(1, 3), F(0), F(2)), (F(0), F(5, 7), F(1)), (F(1), F(1), F(0))]
    S = mix_vertices(V, 50, seed=4, grid=97)
    B, Q = S.B, S.Q
    assert len(B) == len(Q) == len(S) == 50
    rng = random.Random(4)
    s = 3 + 16                                          # bits of max den (7) + 16
    for row, q in zip(B, Q):
        cuts = sorted(rng.randint(0, 97) for _ in range(2))
        c = [b - a for a, b in zip([0] + cuts, cuts + [97])]
        k = [(ci << s) // d for ci, d in zip(c, (3, 7, 1))]
        w = [F(ki * d, sum(kj * dj for kj, dj in zip(k, (3, 7, 1)))) for ki, d in zip(k, (3, 7, 1))]
        assert sum(w) == 1 and all(x >= 0 for x in w)
        assert all(abs(x - F(ci, 97)) <= F(4, 97 << 16) for x, ci in zip(w, c))
        assert [F(b, q) for b in row] == [sum(wi * v[j] for wi, v in zip(w, V)) for j in range(3)]
    with pytest.raises(ExactReluError):
        mix_vertices([], 3)


def test_lp_vertices_are_vertices_and_mixtures_stay_inside():
    cgl, r, cols, yhat = nn_lasso(3, 8, 7, 5)
    P = cgl_optimal_set(cgl, r).polytope
    V = P.lp_vertices(12, seed=0)
    assert V and all(P.is_vertex(v) for v in V)
    assert set(V) <= set(P.vertices())
    for a in P.sample_vertex_combinations(40, seed=2, vertices=V):
        assert P.contains(a)
    # a non-member mixed in is detected by contains (the check can fire)
    bad = tuple(x + 1 for x in V[0])
    assert not P.contains(bad)


# ------------------------------------------------------------------------------ CLI

def cli(*args):
    return subprocess.run([sys.executable, "-m", "exactrelu.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_cli_optimal_set_json(tmp_path):
    p, eo = solved(10, 3, 3, 1, False)
    cert, _ = exact_certificate(p, eo)
    f = tmp_path / "c.json"
    f.write_text(dumps(cert))
    out = cli("optimal-set", str(f), "--json")
    assert out.returncode == 0, out.stderr
    rep = json.loads(out.stdout)
    assert rep["exact"] is True and rep["unique"] is False
    assert {tuple(s) for s in rep["support"]} == \
        {(p.patterns.bits[i], s) for (i, s) in p.support}
    assert len(rep["vertices"]) == 2 and rep["min_neurons"] == 2
    for v in rep["vertices"]:
        assert v["neurons"] == len(v["alpha"])
        assert all(0 <= int(k) < len(rep["support"]) for k in v["alpha"])
    txt = cli("optimal-set", str(f))
    assert txt.returncode == 0 and "unique: no" in txt.stdout and "witness" in txt.stdout


def test_cli_optimal_set_not_exact_and_malformed(tmp_path):
    p = planted_instance(8, 2, 2, seed=2)
    res = certify(p.data, p.lam, exact=False)
    assert not res.exact
    f = tmp_path / "c.json"
    f.write_text(dumps(res.certificate))
    out = cli("optimal-set", str(f), "--json")
    assert out.returncode == 0, out.stderr
    rep = json.loads(out.stdout)
    assert rep["exact"] is False and rep["relative_to"] == "network"
    assert rep["min_neurons"] == min(v["neurons"] for v in rep["vertices"])
    assert "not exact" in cli("optimal-set", str(f)).stdout
    out = cli("optimal-set", str(f), "--json", "--samples", "20")
    assert out.returncode == 0, out.stderr
    sm = json.loads(out.stdout)["samples"]
    assert sm["count"] == 20 and "vertices" in sm["method"]
    doc = json.loads(f.read_text())
    doc["problem"]["lam"] = 0.5                                  # a JSON number
    g = tmp_path / "bad.json"
    g.write_text(json.dumps(doc))
    out = cli("optimal-set", str(g))
    assert out.returncode == 2 and "rational" in out.stderr and "Traceback" not in out.stderr
    g.write_text("{not json")
    assert cli("optimal-set", str(g)).returncode == 2
    assert cli("optimal-set", str(tmp_path / "missing.json")).returncode == 2


def test_cli_optimal_set_samples(tmp_path):
    """--samples on a non-unique exact optimum: every written sample is exactly a convex
    combination of the two reported vertices (an independent check), the training data
    as --test gives the same MSE for every sample (same fit), and the file is complete."""
    p, eo = solved(10, 3, 3, 1, False)
    cert, _ = exact_certificate(p, eo)
    f = tmp_path / "c.json"
    f.write_text(dumps(cert))
    data = p.data
    rows = [[str(a) for a in (x[:-1] if data.bias else x)] + [str(t)]
            for x, t in zip(data.X, data.y)]
    csv = tmp_path / "train.csv"
    csv.write_text("\n".join(",".join(r) for r in rows) + "\n")
    out_file = tmp_path / "samples.json"
    out = cli("optimal-set", str(f), "--json", "--samples", "300", "--seed", "5",
              "--samples-out", str(out_file), "--test", str(csv))
    assert out.returncode == 0, out.stderr
    rep = json.loads(out.stdout)
    sm = rep["samples"]
    assert sm["count"] == 300 and sm["method"] == "convex combinations of all vertices"
    mse = sm["test"]["mse"]
    assert mse[-1] - mse[0] <= 1e-12 * max(1.0, mse[0])
    doc = json.loads(out_file.read_text())
    assert len(doc["samples"]) == 300 and doc["exact"] is True
    v0, v1 = ({k: F(x) for k, x in v["alpha"].items()} for v in rep["vertices"])
    keys = set(v0) | set(v1)
    k0 = next(k for k in keys if v0.get(k, 0) != v1.get(k, 0))
    distinct = set()
    for s in doc["samples"]:
        a = {k: F(x) for k, x in s["alpha"].items()}
        assert set(a) <= keys
        t = (a.get(k0, 0) - v1.get(k0, 0)) / (v0.get(k0, 0) - v1.get(k0, 0))
        assert 0 <= t <= 1
        assert all(a.get(k, 0) == t * v0.get(k, 0) + (1 - t) * v1.get(k, 0) for k in keys)
        distinct.add(t)
    assert len(distinct) > 250
    import os

    umask = os.umask(0)
    os.umask(umask)
    assert out_file.stat().st_mode & 0o777 == 0o666 & ~umask
    txt = cli("optimal-set", str(f), "--samples", "50", "--test", str(csv))
    assert txt.returncode == 0 and "test MSE" in txt.stdout and "50 exact samples" in txt.stdout
    txt = cli("optimal-set", str(f), "--test", str(csv), "--samples")      # default N
    assert txt.returncode == 0 and "10000 exact samples" in txt.stdout


def test_cli_optimal_set_too_many_vertices(tmp_path):
    """Beyond --max-vertices: the verdict, support and min-norm point are still reported,
    one exact extreme point is shown, min_neurons is null, and sampling uses LP vertices."""
    p, eo = solved(10, 3, 3, 1, False)
    cert, _ = exact_certificate(p, eo)
    f = tmp_path / "c.json"
    f.write_text(dumps(cert))
    out = cli("optimal-set", str(f), "--json", "--max-vertices", "1", "--samples", "30")
    assert out.returncode == 0, out.stderr
    rep = json.loads(out.stdout)
    assert rep["exact"] is True and rep["unique"] is False and rep["all_vertices"] is False
    assert rep["min_neurons"] is None and len(rep["vertices"]) == 1
    full = json.loads(cli("optimal-set", str(f), "--json").stdout)
    assert full["all_vertices"] is True
    assert rep["vertices"][0] in full["vertices"]          # the extreme point is a vertex
    assert rep["samples"]["count"] == 30 and "LP vertices" in rep["samples"]["method"]


def test_cli_optimal_set_samples_bad_input(tmp_path):
    p, eo = solved(6, 2, 2, 0, True)
    cert, _ = exact_certificate(p, eo)
    f = tmp_path / "c.json"
    f.write_text(dumps(cert))
    out = cli("optimal-set", str(f), "--test", str(f))
    assert out.returncode == 2 and "--samples" in out.stderr
    out = cli("optimal-set", str(f), "--samples", "-3")
    assert out.returncode == 2 and "non-negative" in out.stderr
    bad = tmp_path / "narrow.csv"
    bad.write_text("1,2\n3,4\n")
    dest = tmp_path / "s.json"
    out = cli("optimal-set", str(f), "--samples", "10", "--test", str(bad),
              "--samples-out", str(dest))
    assert out.returncode == 2 and "narrow.csv" in out.stderr and "columns" in out.stderr
    assert "Traceback" not in out.stderr and not dest.exists()     # nothing half-written
    out = cli("optimal-set", str(f), "--samples", "10", "--samples-out",
              str(tmp_path / "no" / "such" / "dir.json"))
    assert out.returncode == 2 and "folder" in out.stderr


def test_cli_optimal_set_tune(tmp_path):
    """--tune over a non-unique exact optimal set (a segment between two vertices):
    ep is one of the vertices, min-l2 is the segment's min-norm point (closed form,
    computed here independently), v-mse is a member whose validation MSE is not above
    either vertex's, and -o writes a network with the optimal training predictions."""
    import random as _random

    p, eo = solved(10, 3, 3, 1, False)
    cert, _ = exact_certificate(p, eo)
    f = tmp_path / "c.json"
    f.write_text(dumps(cert))
    full = json.loads(cli("optimal-set", str(f), "--json").stdout)
    assert full["all_vertices"] is True and len(full["vertices"]) == 2
    v0, v1 = ({k: F(x) for k, x in v["alpha"].items()} for v in full["vertices"])
    keys = sorted(set(v0) | set(v1))
    a0 = [v0.get(k, F(0)) for k in keys]
    a1 = [v1.get(k, F(0)) for k in keys]

    def tuned(*extra):
        out = cli("optimal-set", str(f), "--json", *extra)
        assert out.returncode == 0, out.stderr
        rep = json.loads(out.stdout)
        return rep, [F(rep["alpha"].get(k, "0")) for k in keys]

    rep, ep = tuned("--tune", "ep")
    assert ep in (a0, a1)
    _, mn = tuned("--tune", "min-l2")
    dv = [x - z for x, z in zip(a0, a1)]
    t = min(max(sum(x * y for x, y in zip(a0, dv)) / sum(x * x for x in dv), F(0)), F(1))
    assert mn == [x - t * y for x, y in zip(a0, dv)]       # argmin ||a0 - t (a0 - a1)||
    # validation data away from the training points
    rng = _random.Random(3)
    d = len(p.data.X[0]) - (1 if p.data.bias else 0)
    val = tmp_path / "val.csv"
    val.write_text("".join(",".join(str(F(rng.randint(-9, 9), 4)) for _ in range(d + 1))
                           + "\n" for _ in range(15)))
    net = tmp_path / "net.json"
    rep, vm = tuned("--tune", "v-mse", "--validation", str(val), "-o", str(net))
    assert rep["neurons"] >= 1
    s = [(x - z) / y for x, z, y in zip(a0, vm, dv) if y]
    assert len(set(s)) == 1 and 0 <= s[0] <= 1            # on the segment
    import exactrelu as er

    def network(path):
        doc = json.loads(path.read_text())
        return er.Network.from_values(doc["W1"], doc["w2"], bias_column=p.data.bias)

    fit = tuple(a - b for a, b in zip(p.data.y, eo.r))
    assert network(net).outputs(p.data.X) == fit            # the optimal training fit
    # exact validation MSE: v-mse is not worse than the extreme point or the min-norm point
    rows = [[F(x) for x in line.split(",")] for line in val.read_text().split()]
    Xv = [r[:-1] + ([F(1)] if p.data.bias else []) for r in rows]
    yv = [r[-1] for r in rows]

    def val_mse(path):
        return sum((a - b) ** 2 for a, b in zip(network(path).outputs(Xv), yv)) / len(yv)

    others = []
    for rule in ("ep", "min-l2"):
        o = tmp_path / f"{rule}.json"
        tuned("--tune", rule, "-o", str(o))
        others.append(val_mse(o))
    assert val_mse(net) <= min(others) * (1 + F(1, 10 ** 6))
    assert abs(float(val_mse(net)) - rep["validation_mse_float"]) <= 1e-9 * (1 + rep[
        "validation_mse_float"])
    # refusals: exit 2, one line
    out = cli("optimal-set", str(f), "--tune", "v-mse")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
    out = cli("optimal-set", str(f), "-o", str(tmp_path / "x.json"))
    assert out.returncode == 2 and not (tmp_path / "x.json").exists()
