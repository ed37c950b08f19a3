"""Planted instances with known exact optima, and the closed form of Example A (d = 1)."""
import math
import random
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, strategies as st
from scipy.optimize import minimize

from exactrelu.cones import block_projection, cone_matrix, verify_projection
from exactrelu.errors import DomainError, ExactReluError
from exactrelu.planted import (check_planted, one_dimensional_instance, planted_instance,
                               rational_unit_vector)


def _sq(v):
    return sum(a * a for a in v)


# ---------------------------------------------------------------- unit vectors

@given(st.lists(st.floats(-100, 100, allow_nan=False), min_size=1, max_size=5)
       .filter(lambda u: math.fsum(a * a for a in u) > 1e-6),
       st.sampled_from([1, 7, 100, 10 ** 6]))
def test_rational_unit_vector(u, den):
    e = rational_unit_vector(u, denominator=den)
    assert all(isinstance(a, F) for a in e)
    assert _sq(e) == 1
    un = np.array(u) / np.linalg.norm(u)
    assert np.linalg.norm(np.array([float(a) for a in e]) - un) <= 2 * math.sqrt(len(u)) / den


def test_rational_unit_vector_cases():
    assert rational_unit_vector([F(-3)]) == (-1,)
    assert rational_unit_vector([0.0, -2.0, 0.0]) == (0, -1, 0)
    assert rational_unit_vector([F(3), F(4)], denominator=3) == (F(3, 5), F(4, 5))
    with pytest.raises(DomainError):
        rational_unit_vector([0, 0])
    with pytest.raises(DomainError):
        rational_unit_vector([float("nan"), 1.0])
    with pytest.raises(ValueError):
        rational_unit_vector([1.0], denominator=0)


# ------------------------------------------------------------ planted instances

CASES = [  # n, d, k, bias, unique
    (6, 1, 2, False, True),
    (8, 2, 1, False, True),
    (10, 2, 3, False, True),
    (9, 3, 2, False, True),
    (10, 2, 2, True, True),
    (9, 2, 2, False, False),
    (11, 2, 3, True, False),
    (13, 3, 3, False, False),
]


def _independent_checks(p):
    """Re-derive every claim without exactrelu.planted's own checker."""
    prog = p.program
    lam2 = p.lam ** 2
    assert p.support == set(p.blocks) and all(p.alpha[b] > 0 for b in p.support)
    # KKT on the support: u_b in K_b, correlation = v_b = lam e_b, u_b = alpha_b v_b
    for b, u in p.blocks.items():
        assert prog.cone_violation(b[0], u) is None
        assert prog.correlation(b, p.r_hat) == p.v[b]
        assert _sq(p.v[b]) == lam2
        assert u == tuple(p.alpha[b] * a for a in p.v[b])
    # fit and residual
    assert tuple(f + r for f, r in zip(prog.fit(p.blocks), p.r_hat)) == p.data.y
    # strict dual feasibility off the support, each projection proved by its KKT
    for b in prog.blocks:
        if b in p.support:
            continue
        c = prog.correlation(b, p.r_hat)
        if _sq(c) < lam2:
            continue
        proj = block_projection(prog, b, p.r_hat)
        assert verify_projection(cone_matrix(prog.data.X, prog.patterns.bits[b[0]]), c, proj)
        assert proj.sqnorm < lam2
    # value = primal objective (||u_b|| = alpha_b lam exactly) = dual objective at r_hat
    primal = prog.loss(p.blocks) + p.lam * sum(p.alpha[b] * p.lam for b in p.support)
    assert p.value == primal == prog.dual_objective(p.r_hat)
    assert p.value == _sq(p.r_hat) / 2 + lam2 * sum(p.alpha.values())
    lo, hi = prog.objective_bounds(p.blocks)
    assert lo <= p.value <= hi
    assert p.patterns.complete


@pytest.mark.parametrize("n,d,k,bias,unique", CASES)
def test_planted_instance(n, d, k, bias, unique):
    p = planted_instance(n, d, k, seed=1, bias=bias, unique=unique)
    check_planted(p)
    _independent_checks(p)
    assert p.data.n == n and p.data.d == d + bias and len(p.support) == k
    assert p.data.bias == bias
    if bias:
        assert all(x[-1] == 1 for x in p.data.X)
    fits = np.array([[float(a) for a in p.program.block_fit(b, p.v[b])]
                     for b in sorted(p.support)])
    assert (np.linalg.matrix_rank(fits) == k) == unique


@pytest.mark.parametrize("seed", range(6))
def test_non_unique_optimal_set_is_a_segment(seed):
    p = planted_instance(9, 2, 3, seed=seed, unique=False)
    assert not p.unique and len(p.ties) == 1
    (a, b), = p.ties
    prog = p.program
    assert p.v[a] == p.v[b] and prog.block_fit(a, p.v[a]) == prog.block_fit(b, p.v[b])
    # move all of a's mass to b (and the reverse): still optimal, exactly the same value
    for src, dst in ((a, b), (b, a)):
        alpha = dict(p.alpha)
        alpha[dst] += alpha.pop(src)
        blocks = {c: tuple(alpha[c] * x for x in p.v[c]) for c in alpha}
        assert blocks != p.blocks
        assert prog.fit(blocks) == prog.fit(p.blocks)
        assert prog.loss(blocks) + p.lam ** 2 * sum(alpha.values()) == p.value
        assert all(prog.cone_violation(c[0], u) is None for c, u in blocks.items())


@pytest.mark.parametrize("seed", range(8))
def test_seeds(seed):
    p = planted_instance(8, 2, 2, seed=seed)
    check_planted(p)
    q = planted_instance(8, 2, 2, seed=seed)                   # deterministic
    assert (p.data, p.lam, p.r_hat, p.blocks, p.value, p.patterns.bits) == \
        (q.data, q.lam, q.r_hat, q.blocks, q.value, q.patterns.bits)


def test_planted_agrees_with_example_a():
    """d = 1 without bias: the closed form is an independent oracle for the planted value."""
    for seed in range(5):
        p = planted_instance(7, 1, 2, seed=seed)
        oracle = one_dimensional_instance([x[0] for x in p.data.X], p.data.y, p.lam)
        assert oracle.value == p.value
        assert oracle.r_hat == p.r_hat
        assert oracle.blocks == p.blocks
        assert oracle.m_star == 2


def test_bad_requests():
    with pytest.raises(ValueError, match="independent equations"):
        planted_instance(4, 2, 3)
    with pytest.raises(ValueError, match="k_active"):
        planted_instance(6, 2, 1, unique=False)
    with pytest.raises(ValueError, match="d >= 2"):
        planted_instance(6, 1, 2, unique=False)
    with pytest.raises(ExactReluError, match="no valid instance"):
        planted_instance(6, 2, 3, seed=0, max_attempts=0)


def test_check_planted_catches_tampering():
    import dataclasses

    p = planted_instance(8, 2, 2, seed=2)
    bad = [
        dataclasses.replace(p, value=p.value + F(1, 10 ** 9)),
        dataclasses.replace(p, lam=p.lam * F(11, 10)),
        dataclasses.replace(p, unique=False),
        dataclasses.replace(p, r_hat=tuple(a + F(1, 1000) for a in p.r_hat)),
        dataclasses.replace(p, alpha={b: a * 2 for b, a in p.alpha.items()}),
    ]
    for q in bad:
        with pytest.raises(ExactReluError):
            check_planted(q)


# ----------------------------------------------------------- Example A / Example C

def _numeric_minimum(x, y, lam):
    """min over s+, s-, t+, t- >= 0 of 1/2||a (s+ - s-) + b (t+ - t-) - y||^2 + lam * sum:
    smooth with bounds, L-BFGS-B (independent of the closed form)."""
    x, y, lam = (np.array([float(v) for v in x]), np.array([float(v) for v in y]), float(lam))
    a, b = np.maximum(x, 0), np.maximum(-x, 0)

    def f(z):
        r = a * (z[0] - z[1]) + b * (z[2] - z[3]) - y
        g = np.array([a @ r, -(a @ r), b @ r, -(b @ r)]) + lam
        return 0.5 * r @ r + lam * z.sum(), g

    res = minimize(f, np.zeros(4), jac=True, method="L-BFGS-B", bounds=[(0, None)] * 4,
                   options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10000})
    return res.fun


@pytest.mark.parametrize("seed", range(12))
def test_example_a_against_numeric_minimisation(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 6)
    x = [F(rng.randint(-5, 5), rng.randint(1, 3)) for _ in range(n)]
    y = [F(rng.randint(-6, 6), rng.randint(1, 2)) for _ in range(n)]
    lam = F(rng.randint(1, 12), rng.randint(1, 4))
    o = one_dimensional_instance(x, y, lam)
    assert abs(float(o.value) - _numeric_minimum(x, y, lam)) < 1e-6 * max(1.0, float(o.value))
    # exact: the blocks reproduce the value, and the residual is an optimal dual point
    prog = o.program
    lo, hi = prog.objective_bounds(o.blocks)
    assert lo <= o.value <= hi
    assert prog.loss(o.blocks) + lam * sum(abs(u[0]) for u in o.blocks.values()) == o.value
    assert prog.dual_objective(o.r_hat) == o.value
    assert all(_sq(prog.correlation(b, o.r_hat)) <= lam ** 2 or
               block_projection(prog, b, o.r_hat).sqnorm <= lam ** 2 for b in prog.blocks)
    assert tuple(f + r for f, r in zip(prog.fit(o.blocks), o.r_hat)) == prog.data.y


def test_example_c_theory_numbers():
    x, y = [F(1), F(-4)], [F(3), F(3, 2)]
    o = one_dimensional_instance(x, y, 2)
    assert (o.value, o.s, o.t, o.m_star, o.lam_max) == (F(37, 8), 1, F(1, 4), 2, 6)
    assert sorted(s for _, s in o.blocks) == [1, 1]
    assert one_dimensional_instance(x, y, 1).value == F(91, 32)
    assert one_dimensional_instance(x, y, 6).value == F(45, 8)          # lam >= lam_max: 0
    assert one_dimensional_instance(x, y, 6).blocks == {}
    o = one_dimensional_instance(x, [F(-3), F(-3, 2)], 2)                # negative fits
    assert (o.value, o.s, o.t) == (F(37, 8), -1, F(-1, 4))


def test_example_a_degenerate():
    o = one_dimensional_instance([0, 0], [F(1), F(2)], 1)              # all rows zero
    assert o.value == F(5, 2) and o.blocks == {}
    o = one_dimensional_instance([1, 2, 0], [F(1), F(2), F(5)], F(1, 2))  # no negative x
    assert o.t == 0 and o.s == F(9, 10) and len(o.blocks) == 1
    with pytest.raises(ValueError):
        one_dimensional_instance([1], [1], 0)
