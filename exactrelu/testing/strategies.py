"""Hypothesis strategies for exact tests of two-layer ReLU networks.

Everything drawn here is an exact :class:`fractions.Fraction` (or built from them), and
the sizes stay small (``n <= 8``, ``d <= 3`` by default) so that exact computations --
enumeration of every activation pattern, exact cone projections, exact linear algebra
-- take milliseconds.  The strategies are meant for users' own property tests as much
as for exactrelu's suite.

==============================  ===========================================================
strategy                        draws
==============================  ===========================================================
:func:`rationals`               ``p/q`` with ``|p| <= max_numerator``, ``1 <= q <= max_denominator``
:func:`rational_vectors`        tuples of :func:`rationals`
:func:`rational_matrices`       ``n x d`` matrices, generic or degenerate (duplicate,
                                parallel, antiparallel or zero rows, rank-deficient,
                                integer grids)
:func:`general_position_matrices`  matrices whose every ``d x d`` minor is nonzero
:func:`rational_unit_vectors`   rational points with ``||e||^2 == 1`` exactly
                                (inverse stereographic projection)
:func:`datasets`                :class:`~exactrelu.problem.Dataset` (``X``, ``y``)
:func:`lams`                    positive rational weight decays ``lam``
:func:`planted_instances`       C-ReLU instances with a known exact optimum
                                (:func:`exactrelu.planted.planted_instance`), unique or not
:func:`one_dimensional_instances`  ``d = 1`` instances with the closed-form optimum
:func:`networks`                random rational networks (balanced, copies, free, zero
                                neurons)
==============================  ===========================================================

Example -- a property test of the pattern/cone identity ``D X u = (X u)_+``::

    from hypothesis import given
    from exactrelu.arrangement import enumerate_patterns
    from exactrelu.testing.strategies import rational_matrices

    @given(rational_matrices(n=(1, 6), d=(1, 3)))
    def test_witnesses_are_strict(X):
        ps = enumerate_patterns(X)
        for bits, g in zip(ps.bits, ps.witnesses):
            for x, b in zip(X, bits):
                v = sum(a * c for a, c in zip(x, g))
                assert (v > 0) == (b == "1") or not any(x)

Planted instances are drawn by seed: Hypothesis cannot shrink them structurally, but a
failing example is reproduced exactly by its seed (the instance's ``seed`` field and
its ``data.source`` string name every parameter).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from hypothesis import reject
from hypothesis import strategies as st

__all__ = ["rationals", "rational_vectors", "rational_matrices", "general_position_matrices",
           "rational_unit_vectors", "datasets", "planted_instances",
           "one_dimensional_instances", "networks", "lams", "MATRIX_KINDS", "NEURON_KINDS"]

#: Kinds of matrices drawn by :func:`rational_matrices` (``degenerate=True``).
MATRIX_KINDS = ("generic", "duplicate", "parallel", "antiparallel", "zero", "rank_deficient",
                "grid")
#: Kinds of neurons drawn by :func:`networks`.
NEURON_KINDS = ("balanced", "copy", "free", "zero")


def _range(v: int | tuple[int, int]) -> st.SearchStrategy[int]:
    if isinstance(v, int):
        return st.just(v)
    lo, hi = v
    return st.integers(lo, hi)


# ------------------------------------------------------------------------- numbers

def rationals(max_numerator: int = 6, max_denominator: int = 4, *,
              nonzero: bool = False, nonnegative: bool = False) -> st.SearchStrategy[Fraction]:
    """Small exact rationals ``p/q``, ``|p| <= max_numerator``, ``1 <= q <= max_denominator``.

    Shrinks towards ``0`` (or ``1`` with ``nonzero``) and small denominators.

    >>> s = rationals(3, 2)          # values like -3, -5/2, ..., 0, 1/2, ..., 3
    >>> from fractions import Fraction
    >>> isinstance(s.example(), Fraction)     # doctest: +SKIP
    True
    """
    lo = 0 if nonnegative else -max_numerator
    s = st.builds(Fraction, st.integers(lo, max_numerator), st.integers(1, max_denominator))
    if nonzero:
        s = s.filter(bool)
    return s


def lams(max_numerator: int = 8, max_denominator: int = 8) -> st.SearchStrategy[Fraction]:
    """Positive rationals ``p/q`` (``1 <= p <= max_numerator``, ``1 <= q <=
    max_denominator``): weight decays ``lam``."""
    return st.builds(Fraction, st.integers(1, max_numerator), st.integers(1, max_denominator))


def rational_vectors(d: int, **kw) -> st.SearchStrategy[tuple[Fraction, ...]]:
    """Tuples of ``d`` :func:`rationals` (keyword arguments are passed on)."""
    return st.tuples(*[rationals(**kw) for _ in range(d)])


# ------------------------------------------------------------------------ matrices

@st.composite
def rational_matrices(draw, n: int | tuple[int, int] = (1, 6), d: int | tuple[int, int] = (1, 3),
                      *, degenerate: bool = True, max_numerator: int = 6,
                      max_denominator: int = 4, kinds: Sequence[str] | None = None
                      ) -> list[list[Fraction]]:
    """An ``n x d`` matrix of exact rationals (list of rows).

    With ``degenerate`` (default) the matrix is one of :data:`MATRIX_KINDS`:

    * ``generic``: independent random entries;
    * ``duplicate`` / ``parallel`` / ``antiparallel``: some rows repeated exactly, scaled
      by a positive rational, or by a negative one (same hyperplane, same or opposite side);
    * ``zero``: some rows are zero (always active in a pattern);
    * ``rank_deficient``: rows are combinations of ``rank < d`` random rows;
    * ``grid``: integer points of ``{-k..k}^d`` (many parallel and dependent rows).

    ``n`` and ``d`` are an int or an inclusive range.  ``kinds`` restricts the kinds.

    Example::

        @given(rational_matrices(n=(2, 6), d=2, kinds=["parallel", "zero"]))
        def test_something(X): ...
    """
    nn = draw(_range(n))
    dd = draw(_range(d))
    q = rationals(max_numerator, max_denominator)
    qpos = rationals(max_numerator, max_denominator, nonzero=True, nonnegative=True)
    kind = "generic"
    if degenerate:
        kind = draw(st.sampled_from(list(kinds) if kinds else list(MATRIX_KINDS)))
    if kind == "grid":
        k = draw(st.integers(1, 2))
        rows = [[Fraction(draw(st.integers(-k, k))) for _ in range(dd)] for _ in range(nn)]
        return rows
    if kind == "rank_deficient" and dd >= 2:
        r = draw(st.integers(1, dd - 1))
        basis = [[draw(q) for _ in range(dd)] for _ in range(r)]
        rows = []
        for _ in range(nn):
            c = [draw(rationals(3, 2)) for _ in range(r)]
            rows.append([sum((ci * b[j] for ci, b in zip(c, basis)), Fraction(0))
                         for j in range(dd)])
        return rows
    rows = [[draw(q) for _ in range(dd)] for _ in range(nn)]
    if kind in ("duplicate", "parallel", "antiparallel", "zero") and nn >= 2:
        for k in sorted(draw(st.sets(st.integers(1, nn - 1), min_size=1, max_size=nn - 1))):
            if kind == "zero":
                rows[k] = [Fraction(0)] * dd
                continue
            src = rows[draw(st.integers(0, k - 1))]
            c = Fraction(1) if kind == "duplicate" else draw(qpos)
            if kind == "antiparallel":
                c = -c
            rows[k] = [c * a for a in src]
    return rows


def _minors_nonzero(rows: Sequence[Sequence[Fraction]], d: int) -> bool:
    import itertools

    import flint

    for idx in itertools.combinations(range(len(rows)), d):
        M = flint.fmpq_mat(d, d, [flint.fmpq(rows[i][j].numerator, rows[i][j].denominator)
                                  for i in idx for j in range(d)])
        if M.det() == 0:
            return False
    return True


@st.composite
def general_position_matrices(draw, n: int | tuple[int, int] = (1, 6),
                              d: int | tuple[int, int] = (1, 3)) -> list[list[Fraction]]:
    """An ``n x d`` matrix with ``n >= d``, no zero row and every ``d x d`` minor nonzero.

    Random rows are tried first (exact minor test); otherwise rows on the moment curve
    ``c_k (1, t_k, t_k^2, ...)`` with distinct ``t_k`` and nonzero ``c_k`` (every minor is a
    nonzero multiple of a Vandermonde determinant).  Then the number of regions is
    ``2 * sum_{k<d} C(n-1, k)``.
    """
    dd = draw(_range(d))
    nn = max(dd, draw(_range(n)))
    q = rationals(9, 4)
    rows = [[draw(q) for _ in range(dd)] for _ in range(nn)]
    if all(any(r) for r in rows) and _minors_nonzero(rows, dd):
        return rows
    ts = draw(st.lists(rationals(5, 3), min_size=nn, max_size=nn, unique=True))
    cs = [draw(rationals(4, 3, nonzero=True)) for _ in range(nn)]
    return [[c * t ** j for j in range(dd)] for c, t in zip(cs, ts)]


# --------------------------------------------------------------------- unit vectors

@st.composite
def rational_unit_vectors(draw, d: int, *, max_numerator: int = 6, max_denominator: int = 4
                          ) -> tuple[Fraction, ...]:
    """A rational point ``e`` on the unit sphere of ``R^d``: ``sum(e_i^2) == 1`` exactly.

    Inverse stereographic projection of a rational ``t in Q^(d-1)``:
    ``e = (2 t, 1 - |t|^2) / (1 + |t|^2)``, then random signs and a random position of
    the last coordinate (so every orthant is reached).  ``d = 1`` gives ``(+-1,)``.

    >>> from fractions import Fraction as F
    >>> t = F(1, 2); (2 * t / (1 + t * t), (1 - t * t) / (1 + t * t))   # the map at t = 1/2
    (Fraction(4, 5), Fraction(3, 5))
    """
    if d < 1:
        raise ValueError("d must be >= 1")
    if d == 1:
        return (Fraction(draw(st.sampled_from([1, -1]))),)
    t = [draw(rationals(max_numerator, max_denominator)) for _ in range(d - 1)]
    s = sum((a * a for a in t), Fraction(0))
    p = [2 * a / (1 + s) for a in t] + [(1 - s) / (1 + s)]
    pos = draw(st.integers(0, d - 1))
    p[pos], p[-1] = p[-1], p[pos]
    signs = [draw(st.sampled_from([1, -1])) for _ in range(d)]
    return tuple(a * g for a, g in zip(p, signs))


# ------------------------------------------------------------------------ data sets

@st.composite
def datasets(draw, n: int | tuple[int, int] = (1, 6), d: int | tuple[int, int] = (1, 3), *,
             degenerate: bool = True, bias: bool | None = False):
    """A :class:`~exactrelu.problem.Dataset` with ``X`` from :func:`rational_matrices`
    and small rational targets.  ``bias=None`` draws whether to append a column of ones
    (then ``X`` has ``d + 1`` columns)."""
    from exactrelu.problem import Dataset

    X = draw(rational_matrices(n, d, degenerate=degenerate))
    y = [draw(rationals()) for _ in X]
    b = draw(st.booleans()) if bias is None else bias
    return Dataset.from_arrays(X, y, bias=b)


# ------------------------------------------------------------------ planted optima

def _planted_params_ok(n: int, d: int, k: int, unique: bool, bias: bool) -> bool:
    dd = d + bias
    k_dir = k if unique else k - 1
    n_core = n if unique else n - 1
    if k < (1 if unique else 2):
        return False
    if not unique and d == 1 and not bias:
        return False
    return k_dir * dd <= n_core


@st.composite
def planted_instances(draw, n: int | tuple[int, int] = (3, 8), d: int | tuple[int, int] = (1, 3),
                      k_active: int | tuple[int, int] = (1, 3), *, unique: bool | None = None,
                      bias: bool | None = False, max_attempts: int = 60):
    """A :class:`~exactrelu.planted.Planted` C-ReLU instance with a known exact optimum.

    Parameters are drawn within the given ranges and adjusted to what the construction
    can plant (``k`` directions need ``k * (d + bias)`` free rows; ``unique=False`` needs
    ``k >= 2`` and ``d >= 2`` or a bias).  ``unique=None`` draws either.  A seed for which
    :func:`~exactrelu.planted.planted_instance` finds no instance is rejected
    (``hypothesis.reject``).  Every instance returned has passed
    :func:`~exactrelu.planted.check_planted` (exact KKT, exact value, uniqueness flag).

    Example::

        @given(planted_instances(unique=False))
        def test_optimal_set_is_a_segment(p):
            assert not p.unique and p.ties
    """
    from exactrelu.errors import ExactReluError
    from exactrelu.planted import planted_instance

    uq = draw(st.booleans()) if unique is None else unique
    b = draw(st.booleans()) if bias is None else bias
    nn = draw(_range(n))
    dd = draw(_range(d))
    kk = draw(_range(k_active))
    # adjust to a plantable combination (shrink k, then d, then grow n within reason)
    if not uq:
        kk = max(kk, 2)
        if dd == 1 and not b:
            dd = 2
    while kk > (1 if uq else 2) and not _planted_params_ok(nn, dd, kk, uq, b):
        kk -= 1
    while dd > 1 and not _planted_params_ok(nn, dd, kk, uq, b):
        dd -= 1
        if not uq and dd == 1 and not b:
            dd = 2
            break
    while not _planted_params_ok(nn, dd, kk, uq, b) and nn < 12:
        nn += 1
    if not _planted_params_ok(nn, dd, kk, uq, b):
        reject()
    seed = draw(st.integers(0, 2 ** 31 - 1))
    try:
        return planted_instance(nn, dd, kk, seed=seed, bias=b, unique=uq,
                                max_attempts=max_attempts)
    except ExactReluError:
        reject()


@st.composite
def one_dimensional_instances(draw, n: int | tuple[int, int] = (1, 6)):
    """docs/theory.md §5.1 Example A: ``d = 1`` without bias, closed-form optimum
    (:func:`exactrelu.planted.one_dimensional_instance`).  ``x`` has both signs when
    ``n >= 2`` is drawn so (not always: zero and one-signed data are drawn too)."""
    from exactrelu.planted import one_dimensional_instance

    nn = draw(_range(n))
    x = [draw(rationals()) for _ in range(nn)]
    y = [draw(rationals()) for _ in range(nn)]
    lam = draw(rationals(6, 4, nonzero=True, nonnegative=True))
    return one_dimensional_instance(x, y, lam)


# ------------------------------------------------------------------------- networks

@st.composite
def networks(draw, d: int, m: int | tuple[int, int] = (1, 4), *,
             kinds: Sequence[str] = NEURON_KINDS):
    """A :class:`~exactrelu.networks.Network` with ``d`` inputs and exact weights.

    Each neuron is one of ``kinds`` (:data:`NEURON_KINDS`): ``balanced`` --
    ``(c e, +-c)`` with ``e`` a rational unit vector, so ``||W1_j|| = |w2_j|``; ``copy`` --
    a positive multiple ``(c W1_i, c w2_i)`` of an earlier neuron (merged with it by
    NC -> C); ``free`` -- random, usually unbalanced; ``zero`` -- ``(0, 0)``.

    Example::

        @given(st.integers(1, 3).flatmap(lambda d: networks(d, m=(1, 5))))
        def test_outputs_are_exact(net): ...
    """
    from exactrelu.networks import Network

    mm = draw(_range(m))
    W1: list[tuple[Fraction, ...]] = []
    w2: list[Fraction] = []
    kinds = list(kinds)
    for _ in range(mm):
        kind = draw(st.sampled_from(kinds))
        if kind == "copy" and not W1:
            kind = "balanced" if "balanced" in kinds else "free"
        if kind == "balanced":
            e = draw(rational_unit_vectors(d, max_numerator=3, max_denominator=2))
            c = draw(rationals(3, 2, nonzero=True, nonnegative=True))
            W1.append(tuple(c * a for a in e))
            w2.append(c * draw(st.sampled_from([1, -1])))
        elif kind == "copy":
            j = draw(st.integers(0, len(W1) - 1))
            c = draw(st.sampled_from([Fraction(1, 2), Fraction(1), Fraction(2), Fraction(3, 2)]))
            W1.append(tuple(c * a for a in W1[j]))
            w2.append(c * w2[j])
        elif kind == "free":
            W1.append(tuple(draw(rationals(4, 3)) for _ in range(d)))
            w2.append(draw(rationals(4, 3)))
        else:
            W1.append(tuple(Fraction(0) for _ in range(d)))
            w2.append(Fraction(0))
    return Network(tuple(W1), tuple(w2), dim=d)

