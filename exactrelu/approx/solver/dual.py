r"""The dual check of the C-ReLU solver (floating point, a guesser: see
:mod:`exactrelu.approx.solver`): ``||Pi_{K_i}(c_b(r))||`` of every block at a residual
``r`` (:class:`_Dual`), the multipliers ``rho`` (:class:`DualMultipliers`) and
:func:`dual_check`.  The exact layer recomputes every bound it states from these guesses.

Dual feasibility of one block
=============================
At a residual ``r = y - fit`` the correlation of block ``b = (i, s)`` is
``c_b = s X^T D_i r``.  The conjugate of ``lam ||.|| + indicator(K_i)`` is the indicator of
``{c : ||Pi_{K_i}(c)|| <= lam}``, so the Lagrange dual of (C-ReLU) is::

    maximize   r . y - 1/2 ||r||^2    subject to   ||Pi_{K_i}(c_b(r))||_2 <= lam  for all b.

The projection is computed through Moreau's decomposition:
``Pi_K(c) = c + A_i^T rho*`` with ``rho* = argmin_{rho >= 0} ||c + A_i^T rho||``, a
non-negative least-squares problem (``scipy.optimize.nnls(A_i^T, -c)``).  Any
``rho >= 0`` gives an *upper* bound ``||Pi_K(c)|| <= ||c + A_i^T rho||`` (because
``||Pi_K c|| = max{c . u : u in K, ||u|| <= 1}`` and ``A_i u >= 0``), and ``rho = 0`` gives
``||Pi_K c|| <= ||c||``.  We use two cheap, fully vectorised bounds before any NNLS:

* ``||c|| <= lam``  -> feasible, no NNLS;
* a one-row multiplier: for a violated row ``a = (A_i)_j`` (``a . c < 0``) the choice
  ``rho = -(a . c)/||a||^2 e_j`` gives ``||c + A_i^T rho||^2 = ||c||^2 - (a . c)^2/||a||^2``;
  the best row over ``j`` is an upper bound for every block at once;
* if ``A_i c >= 0`` then ``c in K_i`` and ``Pi_K c = c`` exactly.

Only blocks whose upper bound exceeds ``lam`` need an NNLS, and the candidates are
examined in decreasing order of the bound, so the "most violating blocks" are found
without projecting every block.

Weak duality: for any ``r`` and ``alpha = max(1, max_b ||Pi_K c_b(r)|| / lam)``, the scaled
residual ``r / alpha`` is dual feasible and ``(r/alpha) . y - 1/2 ||r/alpha||^2`` is a lower
bound on the optimum (exactly so in exact arithmetic; here up to float rounding).  This
is :attr:`CReLUSolution.dual_objective`.
"""
from __future__ import annotations

import heapq
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.optimize import nnls

from ...errors import InputError, SolverError
from .data import _block_pair, _Data, _prepare

#: blocks with ``||c|| <= lam * (1 - NNLS_MARGIN)`` are dual feasible with ``rho = 0``;
#: blocks whose one-row bound is below ``lam * (1 - NNLS_MARGIN)`` need no NNLS.
NNLS_MARGIN = 1e-6


class _Dual:
    """Vectorised dual check of every block at one residual ``r``."""

    def __init__(self, D: _Data, r: np.ndarray) -> None:
        self.D = D
        self.lam = D.lam
        X = D.X
        C = D.Pf @ (r[:, None] * X)                           # (p, d): c_(i,+)
        H = C @ D.Xt                                          # (p, n): A_i c_(i,+)
        H *= D.Sg
        cn2 = np.einsum("ij,ij->i", C, C)
        # (a_j . c)^2 / ||a_j||^2 over the violated rows: a_j . c < 0 for s = +1 (H < 0),
        # a_j . c > 0 for s = -1 (H > 0)
        Wp = np.minimum(H, 0.0)
        Wp *= Wp
        Wp *= D.inv_xn2
        Wm = np.maximum(H, 0.0)
        Wm *= Wm
        Wm *= D.inv_xn2
        jp = Wp.argmax(axis=1)
        jm = Wm.argmax(axis=1)
        ar = np.arange(D.p)
        best = np.stack([Wp[ar, jp], Wm[ar, jm]], axis=1)
        self.C, self.H = C, H
        self.jbest = np.stack([jp, jm], axis=1).ravel()       # best single row per block
        self.cnorm = np.repeat(np.sqrt(cn2), 2)               # flat block order
        self.in_cone = (best == 0.0).ravel()                  # no violated row: c in K
        self.ub = np.sqrt(np.maximum(cn2[:, None] - best, 0.0)).ravel()
        self.ub[self.in_cone] = self.cnorm[self.in_cone]
        self.exact: dict[int, float] = {}
        self.rho: dict[int, np.ndarray] = {}
        self.nnls_calls = 0

    def value(self, b: int) -> float:
        """``||Pi_K(c_b)||`` (exact projection; NNLS if ``c_b`` is not in the cone)."""
        v = self.exact.get(b)
        if v is not None:
            return v
        i, s = divmod(b, 2)
        if self.in_cone[b]:
            v = float(self.cnorm[b])
            self.rho[b] = np.zeros(self.D.n)
        else:
            c = self.C[i] if s == 0 else -self.C[i]
            AT = self.D.Xt * self.D.Sg[i]                     # A_i^T, (d, n)
            try:
                rho, _ = nnls(AT, -c)
            except RuntimeError as exc:                       # iteration limit
                raise SolverError(f"NNLS projection failed for block {_block_pair(b)}: "
                                  f"{exc}") from exc
            self.nnls_calls += 1
            v = float(np.linalg.norm(c + AT @ rho))
            self.rho[b] = rho
        self.exact[b] = v
        return v

    def top(self, threshold: float, k: int, exclude: np.ndarray | None = None
            ) -> list[tuple[float, int]]:
        """Up to ``k`` blocks (not excluded) with the largest ``||Pi c||`` above ``threshold``.

        Exact: candidates are visited in decreasing order of the upper bound ``ub`` and
        the scan stops once ``k`` exact values are at least the next bound.
        """
        mask = self.ub > threshold
        if exclude is not None:
            mask &= ~exclude
        cand = np.flatnonzero(mask)
        cand = cand[np.argsort(-self.ub[cand], kind="stable")]
        heap: list[tuple[float, int]] = []
        for b in cand:
            if len(heap) >= k and heap[0][0] >= self.ub[b]:
                break
            v = self.value(int(b))
            if v > threshold:
                if len(heap) < k:
                    heapq.heappush(heap, (v, int(b)))
                elif v > heap[0][0]:
                    heapq.heapreplace(heap, (v, int(b)))
        return sorted(heap, reverse=True)

    def full(self) -> tuple[float, "DualMultipliers"]:
        """Max ratio over all blocks, and multipliers for every block that needs one."""
        lam = self.lam
        cut = lam * (1.0 - NNLS_MARGIN)
        for b in np.flatnonzero(self.ub > cut):
            self.value(int(b))
        best = max(self.exact.values(), default=0.0)
        if best <= cut:                           # everything is well inside: exact max
            for b in np.argsort(-self.ub, kind="stable"):
                if self.ub[b] <= best:
                    break
                best = max(best, self.value(int(b)))
        need = np.flatnonzero(self.cnorm > cut)
        one = need[~self.in_cone[need]]
        one = one[[int(b) not in self.rho for b in one]]
        i, s = one // 2, one % 2
        j = self.jbest[one]
        Hv = np.where(s == 0, self.H[i, j], -self.H[i, j])
        vals = -Hv * self.D.inv_xn2[j]
        zero = [int(b) for b in need[self.in_cone[need]] if int(b) not in self.rho]
        return best / lam, DualMultipliers(self.D.n, self.rho, one, j, vals, zero)


class DualMultipliers(Mapping):
    """Read-only mapping ``{(i, s): rho (n,)}`` of dual multipliers ``rho >= 0``.

    Holds one entry for every block with ``||c_b|| > lam (1 - NNLS_MARGIN)`` at the final
    residual (the other blocks are feasible with ``rho = 0``).  ``is_projection(key)``
    says whether ``rho`` is the NNLS multiplier, i.e. ``c_b + A_i^T rho = Pi_{K_i}(c_b)``
    (always the case for blocks near the boundary of the dual constraint, in particular
    for every equicorrelated block); otherwise it is the one-row multiplier of the module
    doc, which already gives ``||c_b + A_i^T rho|| <= lam (1 - NNLS_MARGIN)``.  The
    one-row vectors are built on access (there may be thousands of them).
    """

    def __init__(self, n: int, nnls_rho: dict, one_blocks: np.ndarray, one_rows: np.ndarray,
                 one_vals: np.ndarray, zero_blocks: list) -> None:
        self._n = n
        self._proj = dict(nnls_rho)                       # flat block index -> rho
        for b in zero_blocks:
            self._proj[b] = np.zeros(n)
        self._one = dict(zip(one_blocks.tolist(), zip(one_rows.tolist(), one_vals.tolist())))
        flat = np.array(sorted(set(self._proj) | set(self._one)), dtype=np.int64)
        self._keys = list(zip((flat // 2).tolist(), (1 - 2 * (flat % 2)).tolist()))

    @staticmethod
    def _flat(key) -> int | None:
        try:
            i, s = int(key[0]), int(key[1])
        except (TypeError, ValueError, IndexError):
            return None
        return 2 * i + 1 if s == -1 else (2 * i if s == 1 else None)

    def __getitem__(self, key):
        b = self._flat(key)
        r = self._proj.get(b)
        if r is not None:
            return r
        if b not in self._one:
            raise KeyError(key)
        j, v = self._one[b]
        r = np.zeros(self._n)
        r[j] = v
        return r

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key) -> bool:
        b = self._flat(key)
        return b in self._proj or b in self._one

    def is_projection(self, key) -> bool:
        """True iff ``self[key]`` is the NNLS multiplier (``c + A^T rho = Pi_K c``)."""
        return self._flat(key) in self._proj

    @property
    def projected(self) -> list:
        """Keys whose multiplier is the NNLS (projection) multiplier, sorted."""
        return [_block_pair(b) for b in sorted(self._proj)]

    def scaled(self, c: float) -> "DualMultipliers":
        """The same multipliers times ``c > 0`` (they scale like the residual)."""
        out = object.__new__(DualMultipliers)
        out._n = self._n
        out._proj = {b: r * c for b, r in self._proj.items()}
        out._one = {b: (j, v * c) for b, (j, v) in self._one.items()}
        out._keys = list(self._keys)
        return out


def dual_check(X: Any, y: Any, lam: Any, patterns: Any, residual: Any
               ) -> tuple[float, DualMultipliers]:
    """``(max_b ||Pi_K c_b|| / lam, rho)`` at ``residual`` over every block (module doc)."""
    X, y, lam, P = _prepare(X, y, lam, patterns)
    r = np.asarray(residual, dtype=np.float64)
    if r.shape != y.shape or not np.isfinite(r).all():
        raise InputError("dual_check: residual must be finite with the shape of y")
    return _Dual(_Data(X, y, lam, P), r).full()
