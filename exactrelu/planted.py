"""Planted C-ReLU instances whose exact optimum is known by construction.

*Residual first* (docs/theory.md §5.0 (c)).  For a block ``b = (i, s)`` write
``c_b(r) = s X^T D_i r``.  If a rational residual ``r̂`` and ``lam`` satisfy

* ``c_b(r̂) = lam e_b`` with ``e_b`` a rational unit vector in ``K_i`` for every block of
  the support ``S``, and
* ``||Π_{K_i} c_b(r̂)|| < lam`` for every other block (strict dual feasibility),

then for any ``alpha_b > 0`` the blocks ``u_b = alpha_b lam e_b`` (``b ∈ S``), zero
elsewhere, are optimal for ``y = ŷ + r̂``, ``ŷ = sum_b s_b D_i X u_b``: ``(u, r̂)`` satisfies
the KKT conditions (docs/theory.md §2.1) with ``v_b = lam e_b``.  The optimal value is rational,

    p* = 1/2 ||r̂||^2 + lam sum_b ||u_b|| = 1/2 ||r̂||^2 + lam^2 sum_b alpha_b,

because ``||u_b|| = alpha_b lam`` exactly (``||e_b|| = 1``), and strong duality gives
``p* = r̂ . y - 1/2 ||r̂||^2``.  Strict feasibility makes the equicorrelation set equal to
``S``, so the optimal set is ``{alpha >= 0 : sum_b alpha_b s_b D_i X v_b = ŷ}`` (docs/theory.md
§2.4): a single point iff the active fits are linearly independent (§2.7).

Rational unit vectors come from inverse stereographic projection of rational points.
Blocks of neighbouring patterns (differing in fewer than ``d`` rows) have dependent
equations ``s X^T D_i r = lam e_b``; their directions are chained by rational reflections
``e' = e - 2 (e.w / ||w||^2) w``, which keep ``||e'|| = 1`` exactly.

Floats only guess (which blocks, which directions); everything returned is re-verified
exactly by :func:`check_planted` before it is handed out.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import numpy as np

from .cones import cone_matrix, dual_margin
from .errors import DomainError, ExactReluError, ShapeError
from .numbers import dot, q_vector, sqnorm, to_q
from .arrangement import PatternSet, enumerate_patterns
from .problem import Block, ConvexProgram, Dataset
from . import linalg
from .linalg import fr as _fr, qmat as _qmat, rank as _rank

__all__ = ["rational_unit_vector", "Planted", "planted_instance", "check_planted",
           "OneDimensional", "one_dimensional_instance"]

Vec = tuple[Fraction, ...]


# ------------------------------------------------------------------ unit vectors

def rational_unit_vector(direction: Sequence[object], *, denominator: int = 1000) -> Vec:
    """A rational point ``e`` with ``||e||^2 == 1`` exactly, close to ``direction/||direction||``.

    Inverse stereographic projection from the pole ``-sign(u_j) e_j``, ``j`` the largest
    coordinate of the unit direction ``u``: the parameters ``t_i = u_i / (1 + |u_j|)``
    (``|t| < 1``) are rounded to multiples of ``1/denominator`` and mapped back by
    ``e_i = 2 t_i / (1 + |t|^2)``, ``e_j = sign(u_j) (1 - |t|^2) / (1 + |t|^2)``.  The map is
    2-Lipschitz there, so ``|e - u|`` is about ``sqrt(d-1) / denominator``.
    ``direction`` may hold floats (a guess) or exact rationals.

    >>> e = rational_unit_vector([3.0, 4.0], denominator=3)
    >>> e, sum(a * a for a in e)
    ((Fraction(3, 5), Fraction(4, 5)), Fraction(1, 1))
    """
    if denominator < 1:
        raise ValueError("denominator must be a positive integer")
    u = [float(a) for a in direction]
    if not u:
        raise ShapeError("empty direction")
    norm = math.sqrt(math.fsum(a * a for a in u))
    if not math.isfinite(norm) or norm == 0.0:
        raise DomainError(f"direction {list(direction)!r} has no unit vector")
    u = [a / norm for a in u]
    j = max(range(len(u)), key=lambda i: abs(u[i]))
    sign = 1 if u[j] > 0 else -1
    t = [Fraction(round(u[i] / (1 + abs(u[j])) * denominator), denominator)
         for i in range(len(u)) if i != j]
    S = sum((a * a for a in t), Fraction(0))
    e = [2 * a / (1 + S) for a in t]
    e.insert(j, sign * (1 - S) / (1 + S))
    return tuple(e)


# ---------------------------------------------------------------------- instances

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


def _corr_rows(X: Sequence[Sequence[Fraction]], bits: str, s: int) -> list[list[Fraction]]:
    """The d x n matrix of ``r -> s X^T D_i r``."""
    d = len(X[0])
    return [[s * x[j] if b == "1" else Fraction(0) for x, b in zip(X, bits)] for j in range(d)]


def _float_blocks(Xf: np.ndarray, P: np.ndarray, r: Sequence[object],
                  threshold: float = math.inf) -> list[tuple[Block, float, np.ndarray, bool]]:
    """Float guesses per block ``(block, value, c_b, interior)``: ``interior`` iff ``c_b``
    is strictly inside ``K_b`` (then ``value = ||c_b|| = ||Π c_b||``).  For the other
    blocks ``value`` is ``||Π c_b||`` (float NNLS) when ``||c_b|| >= threshold``, else the
    upper bound ``||c_b||``.  Either way ``value >= ||Π c_b||`` up to rounding."""
    from scipy.optimize import nnls

    rf = np.array([float(a) for a in r])
    C = (P * rf[None, :]) @ Xf                       # p x d, the + block correlations
    S = np.where(P, 1.0, -1.0)                       # p x n, signs of the cone rows
    AC = (C @ Xf.T) * S                              # (A_i c_i)_k
    rn = np.linalg.norm(Xf, axis=1)
    nz = rn > 0
    norms = np.linalg.norm(C, axis=1)
    out = []
    for i in range(P.shape[0]):
        nc = float(norms[i])
        for s in (1, -1):
            c = s * C[i]
            if nc == 0.0:
                out.append(((i, s), 0.0, c, False))
                continue
            margin = float((s * AC[i, nz] / (rn[nz] * nc)).min()) if nz.any() else 1.0
            if margin > 1e-9:
                out.append(((i, s), nc, c, True))
            elif nc < threshold:
                out.append(((i, s), nc, c, False))
            else:
                A = S[i][:, None] * Xf
                _, res = nnls(A.T, -c, maxiter=50 * len(Xf))
                out.append(((i, s), float(res), c, False))
    return out


def _in_span(V: Sequence[Sequence[Fraction]], x: Sequence[Fraction], dd: int) -> bool:
    return _rank(list(V) + [list(x)], dd) == _rank(V, dd)


def _project_onto(V: Sequence[Sequence[Fraction]], x: Sequence[Fraction]) -> list[Fraction]:
    """Exact orthogonal projection of ``x`` onto the span of the vectors ``V``."""
    dd = len(x)
    Bm = _qmat([V[j] for j in linalg.independent_rows(V, dd)], dd)     # independent rows
    coef = (Bm * Bm.transpose()).solve(Bm * _qmat([[a] for a in x], 1))
    return [_fr(a) for a in (Bm.transpose() * coef).entries()]


def _inside(A: Sequence[Sequence[Fraction]], e: Sequence[Fraction]) -> bool:
    return all(dot(a, e) > 0 for a in A if any(a))


def _interior_unit(A: Sequence[Sequence[Fraction]], q: np.ndarray, den: int) -> Vec | None:
    """A rational unit vector near ``q`` strictly inside ``{u : A u >= 0}``."""
    for scale in (1, 4, 16, 64, 256, 1024):
        e = rational_unit_vector(q, denominator=den * scale)
        if _inside(A, e):
            return e
    return None


def _direction(A, q: np.ndarray, M: list[list[Fraction]], t: list[Fraction],
               earlier: Sequence[Vec], R: list[list[Fraction]], n: int,
               den: int) -> Vec | None:
    """A rational unit ``e`` strictly inside ``{u : A u >= 0}``, near the unit ``q``, that
    keeps the equations ``M r = t``, ``R r = e`` consistent.

    The consistent ``e`` form the affine space ``R r_p + V``, ``V = R ker M`` (``r_p`` any
    solution of ``M r = t``).  If ``V = Q^d``, ``e`` comes from
    :func:`rational_unit_vector`.  Otherwise a rational unit point ``p`` of that space is
    needed to start from; the candidates are ``±e`` of earlier blocks (neighbouring
    patterns: their correlations differ by a combination of the few differing rows).
    Then ``e = p - 2 (p.w / ||w||^2) w`` for a rational ``w`` in ``V`` -- the reflection of
    ``p`` along ``w``, again a rational unit point of the same affine space -- with ``w``
    close to ``z - p``, ``z`` the point of the sphere ``(p + V) ∩ S`` nearest to ``q`` (or,
    if that one is outside the cone, sampled points of that sphere inside it).  When ``V``
    is a line the reflection is forced.  Returns None if nothing is found.
    """
    dd = len(q)
    V = [[dot(row, k) for k in linalg.kernel(M, n)] for row in R]
    V = [list(col) for col in zip(*V)]                            # vectors in Q^d
    rank = _rank(V, dd)
    if rank == dd:
        return _interior_unit(A, q, den)
    base = linalg.least_norm_solution(M, t, n)
    if base is None:                                              # pragma: no cover
        return None
    a0 = [dot(row, base) for row in R]
    if rank == 0:                                                 # e is forced: e = a0
        return tuple(a0) if sqnorm(a0) == 1 and _inside(A, a0) else None
    Vf = np.array([[float(x) for x in v] for v in V]).T          # d x q
    Vf /= np.abs(Vf).max()
    U, _, _ = np.linalg.svd(Vf, full_matrices=False)
    B = U[:, :rank]                                               # orthonormal basis of V
    Af = np.array([[float(x) for x in a] for a in A])
    Af = Af[np.abs(Af).sum(axis=1) > 0]
    Af /= np.linalg.norm(Af, axis=1)[:, None]
    for e0 in earlier:
        for sg in (1, -1):
            p = [sg * x for x in e0]
            if not _in_span(V, [x - y for x, y in zip(p, a0)], dd):
                continue
            if rank == 1:                    # a line: the only other point is forced
                ws = [next(v for v in V if any(v))]
            else:
                # points z of the sphere (p + V) ∩ S: centre o, radius rho; aim at q first,
                # then at sampled points inside the cone, nearest to q first
                pf = np.array([float(x) for x in p])
                pv = B @ (B.T @ pf)
                o, rho = pf - pv, float(np.linalg.norm(pv))
                gen = np.random.default_rng(0)
                G = gen.standard_normal((rank, 64))
                G = np.concatenate([(B.T @ q)[:, None], G], axis=1)
                G /= np.linalg.norm(G, axis=0)
                Z = o[:, None] + rho * (B @ G)                    # d x 65 points
                ok = (Af @ Z).min(axis=0) > 0
                order = [0] + sorted((j for j in range(1, Z.shape[1]) if ok[j]),
                                     key=lambda j: float(np.linalg.norm(Z[:, j] - q)))[:3]
                ws = [_project_onto(V, [Fraction(round(x * den * scale), den * scale)
                                        for x in Z[:, j] - pf])
                      for j in order for scale in (1, 16, 256)]
            for w in ws:
                ww = sqnorm(w)
                if ww == 0:
                    continue
                f = 2 * dot(p, w) / ww
                e = tuple(x - f * y for x, y in zip(p, w))
                if _inside(A, e):
                    return e
            return None
    return None


def _pick_directions(X, pats: PatternSet, chosen, n: int, dd: int, den: int):
    """Rational unit directions for the chosen blocks (in order) keeping the equations
    ``s X^T D_i r = e_b`` consistent.  Returns ``(picked, M, t)`` or a reason string."""
    picked: list[tuple[str, int, Vec]] = []
    M: list[list[Fraction]] = []
    t: list[Fraction] = []
    for block, _, c, _ in chosen:
        bits = pats.bits[block[0]]
        R = _corr_rows(X, bits, block[1])
        if _rank(R, n) < dd:
            return "an interior block with fewer than d independent rows"
        e = _direction(cone_matrix(X, bits), c / np.linalg.norm(c), M, t,
                       [e for _, _, e in picked], R, n, den)
        if e is None:
            return "an interior block whose direction cannot be planted"
        picked.append((bits, block[1], e))
        M += R
        t += list(e)
    return picked, M, t


def _attempt(rng: random.Random, X: list[list[Fraction]], pats: PatternSet, k: int,
             den: int):
    """One residual-first draw on fixed data: (r̂, lam, [(bits, s, e_b)]), or why not."""
    n, dd = len(X), len(X[0])
    # Mostly one sign: then r0 . (X u)_+ is convex on most of the sphere (no ridges), its
    # local maxima lie inside regions, and residual-first planting succeeds far more often.
    sign = rng.choice((1, -1))
    r0 = [(sign if rng.random() < 0.85 else -sign) * Fraction(rng.randint(0, 6), rng.choice((1, 2)))
          for _ in range(n)]
    if not any(r0):
        return "zero residual drawn"
    Xf = np.array([[float(a) for a in r] for r in X])
    P = pats.as_array()
    interior = sorted((g for g in _float_blocks(Xf, P, r0) if g[3]), key=lambda g: -g[1])
    if len(interior) < k:
        return f"fewer than {k} interior blocks"
    chosen = interior[:k]
    top_other = interior[k][1] if len(interior) > k else 0.0
    if top_other >= chosen[-1][1]:
        return "tie among the interior blocks"
    got = _pick_directions(X, pats, chosen, n, dd, den)
    if isinstance(got, str):
        return got
    picked, M, t = got
    lam = Fraction(max(1, round((chosen[-1][1] + top_other) / 2 * den)), den)
    # r̂ = r0 + δ, δ the least-norm solution of M δ = lam t - M r0
    delta = linalg.least_norm_solution(M, [lam * a - dot(row, r0) for a, row in zip(t, M)], n)
    if delta is None:                                             # pragma: no cover
        return "inconsistent equations"
    r_hat = [a + b for a, b in zip(r0, delta)]
    # cheap float screen before the exact verification
    taken = {g[0] for g in chosen}
    worst = max((g[1] for g in _float_blocks(Xf, P, r_hat, float(lam) * (1 - 1e-6))
                 if g[0] not in taken), default=0.0)
    if worst >= float(lam) * (1 - 1e-9):
        return "another block reaches lam (float screen)"
    return r_hat, lam, picked


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
        idx = [pats.find(bits) for bits, _, _ in picked]
        if any(i is None for i in idx):                           # pragma: no cover
            last = "pattern missing"
            continue
        support = [(i, s) for i, (_, s, _) in zip(idx, picked)]
        alpha = {b: Fraction(rng.randint(1, 6), rng.randint(1, 4)) for b in support}
        v = {b: tuple(lam * a for a in e) for b, (_, _, e) in zip(support, picked)}
        blocks = {b: tuple(alpha[b] * a for a in v[b]) for b in support}
        data0 = Dataset(tuple(tuple(r) for r in rows), tuple(Fraction(0) for _ in rows), bias)
        y_hat = ConvexProgram(data0, lam, pats).fit(blocks)
        y = tuple(a + b for a, b in zip(y_hat, r_hat))
        data = Dataset(data0.X, y, bias, source=f"planted(n={n}, d={d}, k={k_active}, "
                                                f"seed={seed}, bias={bias}, unique={unique})")
        value = sqnorm(r_hat) / 2 + lam * lam * sum(alpha.values(), Fraction(0))
        planted = Planted(data, lam, pats, tuple(r_hat), blocks, alpha, v, value,
                          frozenset(support), unique,
                          tuple((support[a], support[b]) for a, b in ties), seed)
        problems = _failures(planted)
        if not problems:
            return planted
        last = problems[0]
    raise ExactReluError(f"planted_instance(n={n}, d={d}, k_active={k_active}, seed={seed}): "
                         f"no valid instance in {max_attempts} draws (last: {last})")


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


# ------------------------------------------------------------- Example A (d = 1)

@dataclass(frozen=True)
class OneDimensional:
    """Closed-form optimum of C-ReLU with ``d = 1``, no bias (docs/theory.md §5.1 Example A).

    ``ŷ = a s + b t`` with ``a = (x)_+``, ``b = (-x)_+``; ``blocks`` is the unique optimal
    solution keyed by the blocks of ``patterns`` (complete pattern set of ``x``).
    """

    data: Dataset
    lam: Fraction
    patterns: PatternSet
    value: Fraction
    s: Fraction
    t: Fraction
    blocks: dict[Block, Vec]
    y_hat: Vec
    r_hat: Vec
    lam_max: Fraction
    m_star: int

    @property
    def program(self) -> ConvexProgram:
        return ConvexProgram(self.data, self.lam, self.patterns)


def _soft(z: Fraction, lam: Fraction) -> Fraction:
    return (z - lam if z > lam else z + lam if z < -lam else Fraction(0))


def one_dimensional_instance(x: Sequence[object], y: Sequence[object],
                             lam: object) -> OneDimensional:
    """Exact optimum of ``1/2 ||a s + b t - y||^2 + lam (|s| + |t|)`` (= C-ReLU for d = 1):

    ``s* = S_lam(a.y)/||a||^2``, ``t* = S_lam(b.y)/||b||^2`` (``S`` soft thresholding,
    ``0`` if the norm is 0) and ``p* = 1/2||y||^2 - (|a.y|-lam)_+^2/(2||a||^2) -
    (|b.y|-lam)_+^2/(2||b||^2)``, since ``a`` and ``b`` have disjoint supports.
    Blocks: ``s* > 0`` -> ``(P, +1)`` with ``u = s*``; ``s* < 0`` -> ``(P, -1)`` with
    ``u = -s*``; ``t* > 0`` -> ``(N, +1)`` with ``u = -t*``; ``t* < 0`` -> ``(N, -1)`` with
    ``u = t*`` (``K_N = {u <= 0}``), where ``P``/``N`` are the patterns of ``g > 0``/``g < 0``.
    """
    xq = q_vector(x)
    yq = q_vector(y)
    lamq = to_q(lam)
    if lamq <= 0:
        raise ValueError(f"lam must be positive, got {lamq}")
    if len(xq) != len(yq) or not xq:
        raise ShapeError("x and y must be non-empty and of equal length")
    data = Dataset.from_arrays([[a] for a in xq], yq)
    pats = enumerate_patterns(data.X)
    a = [max(v, Fraction(0)) for v in xq]
    b = [max(-v, Fraction(0)) for v in xq]
    ay, by = dot(a, yq), dot(b, yq)
    aa, bb = sqnorm(a), sqnorm(b)
    s = _soft(ay, lamq) / aa if aa else Fraction(0)
    t = _soft(by, lamq) / bb if bb else Fraction(0)
    value = sqnorm(yq) / 2
    if aa:
        value -= max(abs(ay) - lamq, Fraction(0)) ** 2 / (2 * aa)
    if bb:
        value -= max(abs(by) - lamq, Fraction(0)) ** 2 / (2 * bb)
    P = pats.find("".join("1" if v >= 0 else "0" for v in xq))
    N = pats.find("".join("1" if v <= 0 else "0" for v in xq))
    blocks: dict[Block, Vec] = {}
    if s:
        blocks[(P, 1 if s > 0 else -1)] = (abs(s),)
    if t:
        blocks[(N, 1 if t > 0 else -1)] = (-abs(t),)
    y_hat = tuple(ai * s + bi * t for ai, bi in zip(a, b))
    r_hat = tuple(yi - fi for yi, fi in zip(yq, y_hat))
    return OneDimensional(data, lamq, pats, value, s, t, blocks, y_hat, r_hat,
                          max(abs(ay), abs(by)), int(abs(ay) > lamq) + int(abs(by) > lamq))

