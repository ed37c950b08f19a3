"""Planted instances: a random C-ReLU instance with a known exact optimum, and its check.

:func:`planted_instance` draws data ``X`` and a residual, lets the float half
(:mod:`._float_guess`) choose the planted blocks and ``lam``, makes the directions exact
(:mod:`.directions`), optionally adds a row that ties two blocks (a non-unique optimum),
assembles ``y = ŷ + r̂`` and hands the instance out only when :func:`_failures` finds no
claim that fails exactly: KKT of ``(blocks, r̂)`` (docs/theory.md §2.1), strict dual
feasibility off the support, ``value = loss + penalty = dual objective``, and ``unique``
iff the active fits are independent (docs/theory.md §2.7).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from ..arrangement import PatternSet, enumerate_patterns
from ..cones import dual_margin
from ..errors import ExactReluError, ShapeError
from ..linalg import rank as _rank
from ..numbers import dot, sqnorm
from ..problem import Block, ConvexProgram, Dataset
from ._float_guess import _attempt
from .directions import Vec


@dataclass(frozen=True)
class Planted:
    """A C-ReLU instance with a known exact optimum (see the module docstring).

    ``blocks[b] = alpha[b] * v[b]`` is one optimal solution; ``v[b] = lam * e_b`` is the
    (unique) dual block correlation, ``||v[b]||^2 == lam^2``; ``support`` is the set of
    blocks nonzero in some optimal solution (= the equicorrelation set); ``unique`` says
    whether the optimal set is a single point (active fits linearly independent).
    ``ties`` lists pairs of support blocks with identical fits (``unique=False``).
    """

    data: Dataset
    lam: Fraction
    patterns: PatternSet
    r_hat: Vec
    blocks: dict[Block, Vec]
    alpha: dict[Block, Fraction]
    v: dict[Block, Vec]
    value: Fraction
    support: frozenset[Block]
    unique: bool = True
    ties: tuple[tuple[Block, Block], ...] = ()
    seed: int = 0

    @property
    def program(self) -> ConvexProgram:
        return ConvexProgram(self.data, self.lam, self.patterns)

    @property
    def y_hat(self) -> Vec:
        return tuple(a - b for a, b in zip(self.data.y, self.r_hat))


def _draw_matrix(rng: random.Random, n: int, d: int, bias: bool) -> list[list[Fraction]]:
    """Small random rationals, no zero rows; rows pairwise non-parallel (after the bias
    column is appended) whenever that is possible, i.e. unless ``d = 1`` without bias."""
    rows: list[list[Fraction]] = []
    tries = 0
    while len(rows) < n:
        hi = 6 + tries // 100            # few directions have small entries: widen if needed
        tries += 1
        row = [Fraction(rng.randint(-hi, hi), rng.choice((1, 1, 2, 3))) for _ in range(d)]
        if bias:
            row.append(Fraction(1))
        if not any(row):
            continue
        if (d > 1 or bias) and any(_parallel(row, r) for r in rows):
            continue
        rows.append(row)
    return rows


def _parallel(a: Sequence[Fraction], b: Sequence[Fraction]) -> bool:
    return dot(a, b) ** 2 == sqnorm(a) * sqnorm(b)


#: residual draws per data matrix (enumerating the patterns dominates the cost of a draw)
_DRAWS_PER_X = 5


def _tie_row(rng: random.Random, e: Vec, bias: bool) -> list[Fraction] | None:
    """A random rational row ``x`` with ``x . e = 0`` (last entry 1 with bias)."""
    if not bias:
        w = [Fraction(rng.randint(-6, 6), rng.choice((1, 2, 3))) for _ in e]
        x = [a - dot(w, e) * b for a, b in zip(w, e)]        # ||e|| = 1
        return x if any(x) else None
    head = e[:-1]
    hh = sqnorm(head)
    if hh == 0:
        return None
    w = [Fraction(rng.randint(-6, 6), rng.choice((1, 2, 3))) for _ in head]
    t = (-e[-1] - dot(w, head)) / hh
    return [a + t * b for a, b in zip(w, head)] + [Fraction(1)]


def _add_tie_row(rng: random.Random, X: list[list[Fraction]], r_hat: list[Fraction],
                 picked: list[tuple[str, int, Vec]], bias: bool):
    """Append a row orthogonal to one planted direction, with residual 0 (see
    :func:`planted_instance`, ``unique=False``).  Returns ``(rows, r_hat, picked, ties)``
    with the tied block split in two, or a reason string."""
    t = rng.randrange(len(picked))
    x_new = _tie_row(rng, picked[t][2], bias)
    if x_new is None or any(_parallel(x_new, r) for r in X):
        return "tie row parallel to a data row"
    grown: list[tuple[str, int, Vec]] = []
    ties: list[tuple[int, int]] = []
    for j, (bits, s, e) in enumerate(picked):
        val = dot(x_new, e)
        if j == t:
            ties.append((len(grown), len(grown) + 1))
            grown += [(bits + "1", s, e), (bits + "0", s, e)]
        elif val != 0:
            grown.append((bits + ("1" if val > 0 else "0"), s, e))
        else:
            return "tie row orthogonal to two planted directions"
    return X + [x_new], r_hat + [Fraction(0)], grown, ties


def planted_instance(n: int, d: int, k_active: int = 2, *, seed: int = 0, bias: bool = False,
                     unique: bool = True, denominator: int = 32,
                     max_attempts: int = 200) -> Planted:
    """A random C-ReLU instance with a known exact optimal solution and value.

    Parameters
    ----------
    n, d : data size; ``X`` is ``n x d`` (``n x (d+1)`` with ``bias``, the last column ones).
    k_active : number of blocks in the support.
    seed : everything is drawn from ``random.Random(seed)``; same seed, same instance.
    unique : if False the optimal set is a segment: ``k_active - 1`` directions are
        planted on ``n - 1`` rows, then a last row ``x`` with ``x . e_b = 0`` and residual
        ``0`` is added for one planted direction ``e_b``.  That row splits the region of
        ``e_b`` in two; both halves' cones contain ``e_b`` (on their common facet), have
        the same correlation ``lam e_b`` and the *same fit*, so mass moves freely between
        the two blocks (docs/theory.md §2.7: the convex solution is not unique, the network is
        unique up to splitting).  Needs ``k_active >= 2``.
    denominator : resolution of the rational choices (``lam``, the stereographic
        parameters of ``e_b``); larger is closer to the float guesses, with bigger numbers.
    max_attempts : draws tried before giving up (:class:`ExactReluError`).

    Construction (module docstring): draw ``X`` and a residual ``r0`` of mostly one sign;
    pick the ``k`` blocks with the largest float correlation among those whose
    correlation lies strictly inside its cone; ``lam`` halfway between the ``k``-th and
    the next such block; rational unit ``e_b`` with ``A_i e_b > 0`` exactly, near the float
    directions and such that the equations ``s X^T D_i r = lam e_b`` are consistent
    (neighbouring patterns make them dependent: see ``_direction``); ``r̂`` the point
    closest to ``r0`` solving them (exact).  A float screen, then the exact verification
    (:func:`check_planted`); a failed draw is redrawn (5 residuals per data matrix).
    Typical cost: 0.03 s (n=10, d=2, k=3) to 1-3 s (n=20-25, d=3-4, k=3-5).
    """
    if n < 1 or d < 1:
        raise ShapeError("need n >= 1 and d >= 1")
    if k_active < (1 if unique else 2):
        raise ValueError("k_active must be >= 1 (>= 2 with unique=False)")
    if not unique and d == 1 and not bias:
        raise ValueError("unique=False needs d >= 2 or a bias column (a row orthogonal to "
                         "a direction in R^1 is zero)")
    dd = d + bias
    k_dir = k_active if unique else k_active - 1
    n_core = n if unique else n - 1
    if k_dir * dd > n_core:
        raise ValueError(f"k_active={k_active} directions need {k_dir * dd} independent "
                         f"equations on the residual but only {n_core} rows are free")
    rng = random.Random(seed)
    last = "no draw"
    X = []
    pats0: PatternSet | None = None
    for attempt in range(max_attempts):
        if attempt % _DRAWS_PER_X == 0:
            X = _draw_matrix(rng, n_core, d, bias)
            pats0 = enumerate_patterns(X)
        got = _attempt(rng, X, pats0, k_dir, denominator)
        if isinstance(got, str):
            last = got
            continue
        r_hat, lam, picked = got
        rows, pats, ties = X, pats0, []
        if not unique:
            tied = _add_tie_row(rng, X, r_hat, picked, bias)
            if isinstance(tied, str):
                last = tied
                continue
            rows, r_hat, picked, ties = tied
            pats = enumerate_patterns(rows)
        planted = _assemble(rng, rows, pats, r_hat, lam, picked, ties, bias, unique, seed,
                            f"planted(n={n}, d={d}, k={k_active}, seed={seed}, bias={bias}, "
                            f"unique={unique})")
        if isinstance(planted, str):                              # pragma: no cover
            last = planted
            continue
        problems = _failures(planted)
        if not problems:
            return planted
        last = problems[0]
    raise ExactReluError(f"planted_instance(n={n}, d={d}, k_active={k_active}, seed={seed}): "
                         f"no valid instance in {max_attempts} draws (last: {last})")


def _assemble(rng: random.Random, rows: list[list[Fraction]], pats: PatternSet,
              r_hat: list[Fraction], lam: Fraction, picked: list[tuple[str, int, Vec]],
              ties: list[tuple[int, int]], bias: bool, unique: bool, seed: int,
              source: str) -> Planted | str:
    """The instance of one successful draw: random weights ``alpha_b > 0``, ``v_b = lam
    e_b``, ``u_b = alpha_b v_b``, ``y = fit + r̂`` and the value ``||r̂||^2/2 + lam^2 sum
    alpha`` (not yet verified: see :func:`_failures`); a reason string if a planted
    pattern is missing from the enumeration."""
    idx = [pats.find(bits) for bits, _, _ in picked]
    if any(i is None for i in idx):                           # pragma: no cover
        return "pattern missing"
    support = [(i, s) for i, (_, s, _) in zip(idx, picked)]
    alpha = {b: Fraction(rng.randint(1, 6), rng.randint(1, 4)) for b in support}
    v = {b: tuple(lam * a for a in e) for b, (_, _, e) in zip(support, picked)}
    blocks = {b: tuple(alpha[b] * a for a in v[b]) for b in support}
    data0 = Dataset(tuple(tuple(r) for r in rows), tuple(Fraction(0) for _ in rows), bias)
    y_hat = ConvexProgram(data0, lam, pats).fit(blocks)
    y = tuple(a + b for a, b in zip(y_hat, r_hat))
    data = Dataset(data0.X, y, bias, source=source)
    value = sqnorm(r_hat) / 2 + lam * lam * sum(alpha.values(), Fraction(0))
    return Planted(data, lam, pats, tuple(r_hat), blocks, alpha, v, value,
                   frozenset(support), unique,
                   tuple((support[a], support[b]) for a, b in ties), seed)


def _failures(p: Planted) -> list[str]:
    """Every exact claim of a Planted instance that does not hold (empty = all proved)."""
    prog = p.program
    lam2 = p.lam * p.lam
    out: list[str] = []
    if set(p.blocks) != set(p.support) or set(p.alpha) != set(p.support) \
            or set(p.v) != set(p.support):
        return ["blocks, alpha, v and support disagree"]
    for b in sorted(p.support):
        i, _ = b
        vb = p.v[b]
        if p.alpha[b] <= 0:
            out.append(f"alpha{b} <= 0")
        if sqnorm(vb) != lam2:
            out.append(f"||v{b}||^2 != lam^2")
        if prog.cone_violation(i, vb) is not None:
            out.append(f"v{b} outside its cone")
        if prog.correlation(b, p.r_hat) != vb:
            out.append(f"correlation of {b} at r_hat != v{b}")
        if p.blocks[b] != tuple(p.alpha[b] * a for a in vb):
            out.append(f"u{b} != alpha v")
    if out:
        return out
    if tuple(a + b for a, b in zip(prog.fit(p.blocks), p.r_hat)) != p.data.y:
        return ["y != fit + r_hat"]
    listed = dict(dual_margin(prog, p.r_hat))
    for b in p.support:
        if listed.get(b) != lam2:
            out.append(f"support block {b} is not equicorrelated")
    for b, val in listed.items():
        if b not in p.support and val >= lam2:
            out.append(f"block {b} not strictly dual feasible (||v||^2 - lam^2 = {val - lam2})")
    if out:
        return out
    penalty = p.lam * p.lam * sum(p.alpha.values(), Fraction(0))   # sum ||u_b|| = lam sum alpha
    if prog.loss(p.blocks) + penalty != p.value:
        out.append("value != loss + penalty")
    if prog.dual_objective(p.r_hat) != p.value:
        out.append("dual objective at r_hat != value")
    lo, hi = prog.objective_bounds(p.blocks)
    if not lo <= p.value <= hi:
        out.append("value outside objective_bounds")
    fits = [prog.block_fit(b, p.v[b]) for b in sorted(p.support)]
    independent = _rank([list(col) for col in zip(*fits)], len(fits)) == len(fits)
    if independent != p.unique:
        out.append(f"unique={p.unique} but the active fits are "
                   f"{'in' if not independent else ''}dependent")
    for a, b in p.ties:
        if prog.block_fit(a, p.v[a]) != prog.block_fit(b, p.v[b]):
            out.append(f"tied blocks {a}, {b} have different fits")
    return out


def check_planted(p: Planted) -> None:
    """Re-verify every claim of ``p`` exactly; raise :class:`ExactReluError` on the first
    failure.  Claims: KKT of ``(blocks, r_hat)`` (cone membership, correlations
    ``= v_b``, ``||v_b|| = lam`` on the support, strict dual feasibility elsewhere),
    ``y = fit + r_hat``, ``value = loss + lam sum ||u_b|| = dual objective at r_hat``, and
    ``unique`` iff the active fits are independent."""
    problems = _failures(p)
    if problems:
        raise ExactReluError("planted instance fails: " + "; ".join(problems))
