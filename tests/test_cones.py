"""Exact projection onto polyhedral cones {u : A u >= 0}: against an independent brute
force, on degenerate inputs, and with the KKT proof always re-checked."""
import itertools
import random
from fractions import Fraction as F

import pytest
from hypothesis import given, strategies as st

from exactrelu.cones import (Projection, block_projection, cone_matrix, dual_margin, project,
                             verify_projection)
from exactrelu.errors import NotExactError, ShapeError
from exactrelu.arrangement import enumerate_patterns
from exactrelu.problem import ConvexProgram, Dataset


# ------------------------------------------------------------ independent oracle

def _nullspace(rows, d):
    """Basis of {u : rows u = 0} by plain Fraction Gauss-Jordan (no flint, no NNLS)."""
    R = [list(r) for r in rows]
    piv = []
    r = 0
    for col in range(d):
        p = next((i for i in range(r, len(R)) if R[i][col] != 0), None)
        if p is None:
            continue
        R[r], R[p] = R[p], R[r]
        R[r] = [a / R[r][col] for a in R[r]]
        for i in range(len(R)):
            if i != r and R[i][col] != 0:
                f = R[i][col]
                R[i] = [a - f * b for a, b in zip(R[i], R[r])]
        piv.append(col)
        r += 1
    basis = []
    for free in (c for c in range(d) if c not in piv):
        u = [F(0)] * d
        u[free] = F(1)
        for i, pc in enumerate(piv):
            u[pc] = -R[i][free]
        basis.append(u)
    return basis


def _project_onto_span(N, c):
    """Orthogonal projection of c onto span(N) (N a basis), by Gram-Schmidt in Fractions."""
    Q = []
    for v in N:
        w = list(v)
        for q in Q:
            f = sum(a * b for a, b in zip(w, q)) / sum(a * a for a in q)
            w = [a - f * b for a, b in zip(w, q)]
        Q.append(w)
    out = [F(0)] * len(c)
    for q in Q:
        f = sum(a * b for a, b in zip(c, q)) / sum(a * a for a in q)
        out = [a + f * b for a, b in zip(out, q)]
    return out


def brute_projection(A, c):
    """Π_K(c) for K = {u : A u >= 0}: the projection lies in the relative interior of a
    face, whose span is {u : A_T u = 0} for some T; project onto every such span, keep
    the points in K, return the closest to c (exponential in the number of rows)."""
    A = [[F(a) for a in r] for r in A]
    c = [F(a) for a in c]
    d = len(c)
    best = None
    for k in range(len(A) + 1):
        for T in itertools.combinations(range(len(A)), k):
            w = _project_onto_span(_nullspace([A[t] for t in T], d), c)
            if all(sum(a * b for a, b in zip(r, w)) >= 0 for r in A):
                dist = sum((a - b) ** 2 for a, b in zip(w, c))
                if best is None or dist < best[0]:
                    best = (dist, w)
    return tuple(best[1])


def _check(A, c, **kw):
    p = project(A, c, **kw)
    assert verify_projection(A, c, p)
    assert p.v == brute_projection(A, c)
    assert all(r > 0 for r in p.rho.values())
    return p


# ------------------------------------------------------------------------- basics

def test_quadrant_by_hand():
    p = project([[1, 0], [0, 1]], [F(-1), F(2)])
    assert p.v == (0, 2) and p.rho == {0: 1}
    assert p.sqnorm == 4


def test_inside_needs_no_multipliers():
    A = [[1, 1], [1, -1], [0, 0]]
    p = project(A, [F(3), F(1)])
    assert p == Projection((F(3), F(1)), {}, "inside")
    p = project(A, [F(0), F(0)])                      # the apex
    assert p.v == (0, 0) and p.rho == {}


def test_polar_cone_projects_to_zero():
    rng = random.Random(3)
    for _ in range(20):
        d = rng.randint(1, 3)
        A = [[F(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(d)] for _ in range(4)]
        rho0 = [F(rng.randint(0, 3), rng.randint(1, 2)) for _ in A]
        c = [-sum(r * row[j] for r, row in zip(rho0, A)) for j in range(d)]   # c in K°
        p = _check(A, c)
        # K might be a subspace (then K° is its complement and the projection 0 too)
        assert p.v == tuple([F(0)] * d)


def test_dependent_and_zero_rows():
    A = [[1, 2, 0], [2, 4, 0], [0, 0, 0], [1, 2, 0], [0, 1, 1], [1, 3, 1]]   # row5 = row0 + row4
    for c in ([F(-1), F(-1), F(-1)], [F(-3), F(1), F(-2)], [F(1, 2), F(-5), F(7, 3)],
              [F(0), F(-1), F(0)]):
        _check(A, c)


def test_no_rows_and_zero_rows_only():
    assert project([], [F(1), F(-2)]).v == (1, -2)
    assert project([[0, 0], [0, 0]], [F(1), F(-2)]).v == (1, -2)


def test_subspace_cone():
    # A u >= 0 and -A u >= 0: K is the line {u : u_0 = u_1}
    A = [[1, -1], [-1, 1]]
    p = _check(A, [F(3), F(1)])
    assert p.v == (2, 2)


@pytest.mark.parametrize("guess", [[], [0, 1, 2, 3, 4], [3], [4, 4, 2]])
def test_any_guess_gives_the_projection(guess):
    A = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [1, -1, 0]]
    c = [F(-2), F(1, 3), F(-1)]
    p = _check(A, c, guess=guess)
    assert p.v == project(A, c).v


def test_wrong_guess_uses_exact_active_set():
    A = [[1, 0], [0, 1], [1, 1], [2, 0]]
    p = _check(A, [F(-1), F(-2)], guess=[2])
    assert p.method == "active-set"
    p = _check(A, [F(-1), F(-2)], guess=[])
    assert p.method == "active-set"


def test_float_guess_path():
    p = _check([[1, 0], [0, 1], [1, 1], [2, 0]], [F(-1), F(-2)])
    assert p.method == "guess"


def test_inputs_checked():
    with pytest.raises(ShapeError):
        project([[1, 2], [1]], [F(1), F(1)])
    with pytest.raises(ShapeError):
        project([[1, 2]], [F(-1), F(-1)], guess=[5])
    with pytest.raises(NotExactError):
        project([[0.5, 1]], [F(1), F(1)])
    with pytest.raises(NotExactError):
        project([[1, 1]], [0.25, 1])


def test_verify_rejects_bad_proofs():
    A = [[1, 0], [0, 1]]
    c = [F(-1), F(2)]
    good = project(A, c)
    assert verify_projection(A, c, good)
    bad = [
        Projection((F(0), F(2)), {0: F(-1)}),          # negative multiplier
        Projection((F(0), F(2)), {0: F(2)}),           # v != c + A^T rho
        Projection((F(-1), F(2)), {}),                 # outside K
        Projection((F(0), F(3)), {0: F(1), 1: F(1)}),  # rho_1 (A v)_1 != 0
        Projection((F(0), F(2)), {7: F(1)}),           # no such row
        Projection((F(0),), {0: F(1)}),                # wrong length
        Projection((0.0, 2.0), {0: F(1)}),             # floats are not proofs
    ]
    for p in bad:
        assert not verify_projection(A, c, p)


# ---------------------------------------------------------------- property tests

small = st.fractions(min_value=-4, max_value=4, max_denominator=4)


@st.composite
def cone_problem(draw):
    d = draw(st.integers(1, 3))
    m = draw(st.integers(0, 5))
    A = draw(st.lists(st.lists(small, min_size=d, max_size=d), min_size=m, max_size=m))
    if A and draw(st.booleans()):                      # force a dependent row
        i, j = draw(st.integers(0, m - 1)), draw(st.integers(0, m - 1))
        a, b = draw(small), draw(small)
        A.append([a * x + b * y for x, y in zip(A[i], A[j])])
    c = draw(st.lists(small, min_size=d, max_size=d))
    return A, c


@given(cone_problem())
def test_matches_brute_force(prob):
    A, c = prob
    _check(A, c)


@given(cone_problem())
def test_exact_active_set_from_scratch(prob):
    A, c = prob
    _check(A, c, guess=[])


@given(cone_problem(), st.fractions(min_value=0, max_value=3, max_denominator=3))
def test_moreau(prob, t):
    """v = Π_K(c) is positively homogeneous and ||c||^2 = ||v||^2 + ||c - v||^2."""
    A, c = prob
    p = project(A, c)
    cv = [a - b for a, b in zip(c, p.v)]
    assert sum(a * a for a in c) == p.sqnorm + sum(a * a for a in cv)
    assert project(A, [t * a for a in c]).v == tuple(t * a for a in p.v)


def test_larger_random_instances():
    rng = random.Random(11)
    for _ in range(20):
        d = rng.randint(2, 5)
        m = rng.randint(d, 30)
        A = [[F(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(d)] for _ in range(m)]
        c = [F(rng.randint(-20, 20), rng.randint(1, 7)) for _ in range(d)]
        p = project(A, c)
        assert verify_projection(A, c, p)
        assert project(A, c, guess=[]).v == p.v


# ---------------------------------------------------------------- C-ReLU blocks

def _program(seed, n=6, d=2, lam=F(1)):
    rng = random.Random(seed)
    X = [[F(rng.randint(-5, 5), rng.randint(1, 3)) for _ in range(d)] for _ in range(n)]
    y = [F(rng.randint(-5, 5)) for _ in range(n)]
    data = Dataset.from_arrays(X, y)
    return ConvexProgram(data, lam, enumerate_patterns(data.X)), rng


def test_cone_matrix():
    assert cone_matrix([[F(1), F(2)], [F(3), F(-1)]], "10") == ((1, 2), (-3, 1))
    with pytest.raises(ShapeError):
        cone_matrix([[F(1)]], "11")


@pytest.mark.parametrize("seed", range(4))
def test_block_projection_and_dual_margin(seed):
    prog, rng = _program(seed)
    r = [F(rng.randint(-3, 3), rng.randint(1, 2)) for _ in range(prog.data.n)]
    lam2 = prog.lam ** 2
    listed = dict(dual_margin(prog, r))
    for b in prog.blocks:
        i, s = b
        A = cone_matrix(prog.data.X, prog.patterns.bits[i])
        c = prog.correlation(b, r)
        p = block_projection(prog, b, r)
        assert verify_projection(A, c, p)
        assert p.v == brute_projection(A, c)
        if sum(a * a for a in c) >= lam2:
            assert listed[b] == p.sqnorm
        else:
            assert b not in listed and p.sqnorm < lam2
        # rho indexes data rows: the multiplier of a row is the cone constraint of that row
        assert set(p.rho) <= set(range(prog.data.n))


def test_dual_margin_feasibility_decision():
    # r = 0 is always strictly feasible; a huge residual is not
    prog, _ = _program(9, lam=F(1, 2))
    assert dual_margin(prog, [F(0)] * prog.data.n) == []
    big = [F(100)] * prog.data.n
    assert any(v > prog.lam ** 2 for _, v in dual_margin(prog, big))
    with pytest.raises(ShapeError):
        dual_margin(prog, [F(0)])
