"""The float half of a residual-first draw: which blocks to plant, ``lam``, and a screen.

For a drawn residual ``r0`` the block correlations ``c_b = s X^T D_i r0`` are computed in
floats (:func:`_float_blocks`); the ``k`` largest among those strictly inside their cone
are chosen and ``lam`` is put halfway to the next one.  Then the directions are made exact
(:mod:`.directions`), ``r̂`` is the exact least-norm correction of ``r0`` solving the
planted equations, and a float screen rejects draws where another block reaches ``lam``.
These are guesses only: an instance is handed out only after ``check_planted`` has
re-verified every claim exactly (KKT, strict dual feasibility, value, uniqueness).
"""
from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Sequence

import numpy as np

from .. import linalg
from ..arrangement import PatternSet
from ..numbers import dot
from ..problem import Block
from .directions import _pick_directions


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
