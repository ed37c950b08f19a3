r"""Numeric solve of the convex reformulation (C-ReLU) of a two-layer ReLU network.

Nothing returned here is trusted by the exact layer: this module only *produces* a
floating-point candidate (primal blocks, residual, dual multipliers) that the exact code
checks or re-derives in rational arithmetic.

The program
===========
Data ``X`` (n x d), targets ``y`` (n), ``lam > 0`` and a set of activation patterns
``patterns`` (p x n, bool; ``D_i = diag(patterns[i])``).  A *block* ``b = (i, s)`` is a
pattern together with a sign ``s in {+1, -1}``; ``A_i = (2 D_i - I) X`` and
``K_i = {u : A_i u >= 0}`` (on ``K_i``, ``D_i X u = (X u)_+``).  The program is::

    (C-ReLU)   minimize   1/2 || sum_b s_b D_i X u_b - y ||_2^2  +  lam * sum_b ||u_b||_2
               subject to A_i u_b >= 0               for every block b = (i, s),

with exactly these constants (the factor 1/2 on the loss and ``lam`` on the plain
2-norms; this is the scaling of the certificate format and of docs/theory.md §1.3).
A nonzero block maps to the neuron ``W1 = u_b / sqrt(||u_b||)``, ``w2 = s sqrt(||u_b||)``
of the network objective ``1/2 ||sum_j (X W1_j)_+ w2_j - y||^2 + lam/2 sum_j (||W1_j||^2 +
w2_j^2)``, with the same value.

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

Why the working set is exact
============================
The program is convex with linear constraints, so the KKT conditions are necessary and
sufficient.  Solve the program restricted to a working set ``W`` of blocks (all other
``u_b = 0``).  Its KKT conditions give a residual ``r`` and multipliers ``rho_b >= 0``
(``b in W``) with stationarity, complementarity and ``||c_b(r) + A_i^T rho_b|| <= lam``
for ``b in W``.  If in addition every block ``b not in W`` satisfies
``||Pi_{K_i}(c_b(r))|| <= lam``, then taking ``rho_b`` = the NNLS multiplier for those
blocks (their ``u_b = 0``, so stationarity ``v_b in lam * subdiff||0||`` is exactly
``||v_b|| <= lam`` and complementarity is trivial) completes a KKT point of the full
program: the restricted solution, padded with zeros, is optimal for all blocks.
Equivalently the restricted optimum equals the dual value at ``r``, which is feasible for
the full dual.  The working-set loop therefore stops only when every block outside ``W``
passes the dual check (to a relative tolerance ``dual_tol``); the remaining inaccuracy is
that of the interior-point solve, reported by ``max_dual_ratio`` and by the gap
``objective - dual_objective``, which must end below ``gap_tol`` (relative, default 1e-9).

Blocks may also leave the working set (``prune``): a block that is numerically zero and
strictly dual feasible (one-row bound below ``lam (1 - 1e-3)``) is dropped, at most once
per block, so the loop cannot cycle; the stopping test covers dropped blocks like any
other block outside ``W``, so the argument above is unchanged.

Redundant sign rows
===================
Of the ``n`` rows of ``A_i u >= 0`` only the facets of ``K_i`` matter (about 2d on
average for an arrangement in general position, against n).  Row class ``c`` (rows that
are parallel to each other) is a facet of the region of pattern ``i`` iff the pattern with
the signs of class ``c`` flipped is also a region -- two regions separated by a single
hyperplane are adjacent.  With the complete pattern list this test is exact; it is done
for all working-set patterns at once with 64-bit pattern hashes (collisions are ruled out
by comparing the patterns).  Dropping a redundant row does not change the cone.  If the
list is incomplete, a real facet can be missed: the restricted program is then a
*relaxation*, and after every solve every dropped row is checked on every block that is
not numerically zero; violated rows are added and the block re-solved (a relaxation
whose optimum is feasible for the dropped rows is optimal).  The dual check always uses
all ``n`` rows.

The conic form passed to Clarabel
=================================
Clarabel solves ``min 1/2 x^T P x + q^T x  s.t.  A x + s = b, s in K``.  With ``k`` blocks
in the working set the variables are ``x = [u_1 .. u_k (k*d), r (n), t_1 .. t_k (k)]``:

* objective ``1/2 ||r||^2 + lam sum_b t_b``   (``P = I`` on ``r``, ``q = lam`` on ``t``);
* zero cone (n rows): ``sum_b s_b D_i X u_b + r = y``;
* non-negative cone: the kept sign rows ``(A_i)_j u_b >= 0`` (all non-zero rows of X
  with ``drop_redundant=False``, as in :func:`solve_crelu_full`);
* one second-order cone per block: ``(t_b, u_b) in SOC(d + 1)``.

Clarabel is called directly (no cvxpy), with sparse matrices built in one shot from
index arrays.  There is no warm start; each outer iteration re-solves from scratch, which
is cheap because the working set stays small.

Numerical safeguards
====================
Default tolerance ``tol = 1e-10`` (Clarabel's gap/feasibility tolerances; its reduced
tolerances, which define ``AlmostSolved``, are ``min(1e-7, 1e3 tol)``).  The result is
then certified independently: ``objective - dual_objective <= gap_tol max(1, |objective|)``
(default 1e-9).  If not, the last program is re-solved at ``tol / 100`` (down to 1e-13).
Clarabel's ``InsufficientProgress`` (a stall, seen on degenerate data at tight
tolerances) is answered by re-solving with other linear algebra / regularisation and at
most a 100x looser tolerance; every such re-solve is listed in ``notes`` and the final
answer still has to pass the certified-gap test.  Any other status than Solved or
AlmostSolved raises :class:`~exactrelu.errors.SolverError`, as does a failure of the
gap test or of the working-set loop to converge.
"""
from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any, Iterable

import numpy as np
import scipy.sparse as sp
from scipy.optimize import nnls

from ...errors import InputError, SolverError

__all__ = ["CReLUSolution", "DualMultipliers", "solve_crelu", "solve_crelu_full", "dual_check",
           "NNLS_MARGIN"]

#: blocks with ``||c|| <= lam * (1 - NNLS_MARGIN)`` are dual feasible with ``rho = 0``;
#: blocks whose one-row bound is below ``lam * (1 - NNLS_MARGIN)`` need no NNLS.
NNLS_MARGIN = 1e-6

#: smallest Clarabel tolerance tried when the certified gap is too large.
MIN_TOL = 1e-13
MAX_REPAIRS = 3        # sign-row repairs in one outer iteration before keeping all rows

#: loosest Clarabel tolerance used to answer an ``InsufficientProgress`` stall.
STALL_MAX_TOL = 1e-8

#: feasibility scale of the sign rows (see ``_dropped_violations``): the final ``U``
#: satisfies ``a_j . u_b >= -||x_j|| max(VIOL_TOL max_b ||u_b||, 100 kv)``, ``kv`` the
#: solver's own violation of the rows it was given.
VIOL_TOL = 1e-9


@dataclass
class CReLUSolution:
    """Result of :func:`solve_crelu` / :func:`solve_crelu_full` (floating point, untrusted).

    Attributes
    ----------
    U : ndarray (p, 2, d)
        Convex blocks; ``U[i, 0]`` is the block (i, +1), ``U[i, 1]`` the block (i, -1).
        Blocks outside the final working set are exactly zero; inside it they are the
        interior-point values (inactive ones are tiny, not exactly zero).  Sign rows hold
        to solver accuracy at the scale of the solution (``VIOL_TOL``).
    fit : ndarray (n,)
        ``sum_b s_b D_i X u_b`` recomputed from ``U``.
    residual : ndarray (n,)
        ``y - fit``.
    objective : float
        Primal objective ``1/2 ||residual||^2 + lam sum_b ||u_b||`` recomputed from ``U``.
    dual_objective : float
        ``r' . y - 1/2 ||r'||^2`` with ``r' = residual / max(1, max_dual_ratio)``: a lower
        bound on the optimum (up to float rounding).
    rho : DualMultipliers
        Read-only mapping ``{(i, s): rho (n,)}`` of multipliers ``rho >= 0`` at the final
        residual, one for every block with ``||c_b|| > lam (1 - NNLS_MARGIN)`` (all other
        blocks are feasible with ``rho = 0``).  For blocks near the boundary -- in
        particular every equicorrelated block -- it is the NNLS multiplier, so
        ``c_b + A_i^T rho = Pi_{K_i}(c_b)``; see :class:`DualMultipliers`.
    max_dual_ratio : float
        ``max_b ||Pi_{K_i}(c_b)|| / lam`` over ALL blocks at the final residual.
    active : list of (i, s)
        Blocks with ``||u_b|| > active_tol * max_b ||u_b||`` (default ``active_tol=1e-6``).
    outer_iterations : int
        Number of working-set iterations (0 if ``u = 0`` is already optimal).
    status : str
        ``"optimal"``: no block outside the working set violates its dual constraint by
        more than ``dual_tol`` and the certified relative gap is at most ``gap_tol``.
        Failures raise :class:`SolverError` instead.
    seconds : float
        Wall time of the whole call.
    working_set : list of (i, s)
        Blocks of the last restricted program.
    solver_status : str
        Clarabel status of the last restricted solve (``"Solved"``/``"AlmostSolved"``,
        ``"none"`` if no solve was needed).
    solver_seconds : float
        Total time inside Clarabel (setup + solve).
    solves : int
        Number of Clarabel calls (outer iterations plus sign-row re-solves).
    sign_rows : int
        Sign rows of the last restricted program (after dropping redundant rows).
    tol : float
        Clarabel tolerance of the last solve (``tol`` unless re-solves changed it).
    notes : list of str
        Re-solves with changed Clarabel settings (a stall answered with other settings
        or a looser tolerance, a too-large gap with a tighter one); usually empty.
    """

    U: np.ndarray
    fit: np.ndarray
    residual: np.ndarray
    objective: float
    dual_objective: float
    rho: Mapping
    max_dual_ratio: float
    active: list
    outer_iterations: int
    status: str
    seconds: float
    working_set: list = field(default_factory=list)
    solver_status: str = "none"
    solver_seconds: float = 0.0
    solves: int = 0
    sign_rows: int = 0
    tol: float = 0.0
    notes: list = field(default_factory=list)

    @property
    def gap(self) -> float:
        """``objective - dual_objective`` (>= 0 up to rounding)."""
        return self.objective - self.dual_objective

    @property
    def rel_gap(self) -> float:
        """``gap / max(1, |objective|)``."""
        return self.gap / max(1.0, abs(self.objective))


# --------------------------------------------------------------------------------------
# input handling


def _prepare(X: Any, y: Any, lam: Any, patterns: Any):
    try:
        X = np.array(X, dtype=np.float64)
        y = np.array(y, dtype=np.float64)
        lam = float(lam)
        P = np.array(patterns)
    except (TypeError, ValueError) as exc:
        raise InputError(f"solve_crelu: cannot convert input to arrays: {exc}") from exc
    if X.ndim != 2:
        raise InputError(f"solve_crelu: X must be 2-D, got shape {X.shape}")
    n, d = X.shape
    if n == 0 or d == 0:
        raise InputError(f"solve_crelu: empty data, X has shape {X.shape}")
    if y.shape != (n,):
        raise InputError(f"solve_crelu: y must have shape ({n},), got {y.shape}")
    if P.ndim != 2 or P.shape[1] != n:
        raise InputError(f"solve_crelu: patterns must have shape (p, {n}), got {P.shape}")
    if P.dtype != np.bool_:
        if not np.isin(P, (0, 1)).all():
            raise InputError("solve_crelu: patterns must be boolean (0/1)")
        P = P.astype(bool)
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise InputError("solve_crelu: X and y must be finite (no NaN/inf)")
    if not (np.isfinite(lam) and lam > 0):
        raise InputError(f"solve_crelu: lam must be a finite positive number, got {lam}")
    if P.shape[0] == 0:
        raise InputError("solve_crelu: empty pattern set")
    return X, y, lam, P


def _block_index(blocks: Iterable, p: int) -> np.ndarray:
    """(i, s) pairs -> sorted unique flat indices ``2 i + (s == -1)``."""
    out = []
    for blk in blocks:
        try:
            i, s = blk
            i, s = int(i), int(s)
        except (TypeError, ValueError) as exc:
            raise InputError(f"solve_crelu: bad block {blk!r}: expected (i, s)") from exc
        if not (0 <= i < p) or s not in (1, -1):
            raise InputError(f"solve_crelu: bad block {blk!r}: need 0 <= i < {p}, s = +-1")
        out.append(2 * i + (s == -1))
    return np.unique(np.array(out, dtype=np.int64))


def _block_pair(b: int) -> tuple[int, int]:
    return (int(b) // 2, 1 - 2 * (int(b) % 2))


class _Data:
    """Per-call precomputation: float patterns, signs, row norms, hyperplane classes."""

    def __init__(self, X: np.ndarray, y: np.ndarray, lam: float, P: np.ndarray) -> None:
        self.X, self.y, self.lam, self.P = X, y, lam, P
        self.Xt = np.ascontiguousarray(X.T)       # (d, n); C-contiguous: fast matmuls
        self.n, self.d = X.shape
        self.p = P.shape[0]
        self.Pf = P.astype(np.float64)
        self.Sg = 2.0 * self.Pf - 1.0
        xn2 = np.einsum("ij,ij->i", X, X)
        self.xnorm = np.sqrt(xn2)
        self.inv_xn2 = np.divide(1.0, xn2, out=np.zeros_like(xn2), where=xn2 > 0)
        self.nz = np.flatnonzero(xn2 > 0)
        self._facets: dict[int, np.ndarray] = {}
        self._hash_ready = False

    def fit(self, blocks: np.ndarray, u: np.ndarray) -> np.ndarray:
        if len(blocks) == 0:
            return np.zeros(self.n)
        return ((u @ self.Xt) * self.Pf[blocks // 2]).T @ (1.0 - 2.0 * (blocks % 2))

    # -- facet (irredundant sign row) guess from the pattern list ---------------------
    def _classes(self) -> None:
        """Hyperplane classes: ``cls[j]`` (-1 for zero rows), ``orient[j] = +-1`` with
        ``x_j`` a positive multiple of ``orient[j]`` times the class normal, ``rep[c]``."""
        X, n = self.X, self.n
        cls = np.full(n, -1)
        orient = np.ones(n)
        if len(self.nz):
            V = X[self.nz] / self.xnorm[self.nz, None]
            first = V[np.arange(len(V)), np.argmax(np.abs(V) > 1e-12, axis=1)]
            orient[self.nz] = np.sign(first)
            V = V * np.sign(first)[:, None]
            _, inv = np.unique(np.round(V, 9), axis=0, return_inverse=True)
            cls[self.nz] = inv.ravel()
        self.cls, self.orient = cls, orient
        self.ncls = int(cls.max()) + 1
        self.rep = np.array([np.flatnonzero(cls == c)[0] for c in range(self.ncls)],
                            dtype=np.int64)

    def covered(self, i: int, rows: np.ndarray) -> np.ndarray:
        """Bool (n,): rows whose half-space ``(A_i)_j u >= 0`` equals that of a row in
        ``rows`` (same class, same orientation under pattern ``i``), zero rows included."""
        if not hasattr(self, "cls"):
            self._classes()
        eff = self.orient * self.Sg[i]                        # (A_i)_j = eff_j |class normal|
        out = self.xnorm == 0
        if len(rows):
            key = self.cls * 2 + (eff > 0)
            out |= np.isin(key, key[rows]) & (self.cls >= 0)
        return out

    def _build_hash(self) -> None:
        """Hyperplane classes (parallel rows) and a 64-bit hash of every pattern."""
        if not hasattr(self, "cls"):
            self._classes()
        n, ncls, cls = self.n, self.ncls, self.cls
        M = np.zeros((n, ncls), dtype=np.uint64)
        M[self.nz, cls[self.nz]] = 1
        self.M = M
        rng = np.random.default_rng(0x5EED)
        self.R = rng.integers(0, 2**63, size=n, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        H = np.where(self.P, self.R, np.uint64(0)).sum(axis=1, dtype=np.uint64)
        self.order = np.argsort(H, kind="stable")
        self.Hs = H[self.order]
        self.H = H
        self._hash_ready = True

    def facet_rows(self, patterns: np.ndarray) -> None:
        """Cache, for each pattern index, one row per *likely* facet of its cone.

        Row class ``c`` is a facet of the region of pattern ``i`` iff flipping the signs
        of the rows of ``c`` gives another region (two regions differing in one
        hyperplane are adjacent).  With a complete pattern list this is exact; with an
        incomplete one some facets are missed, which the caller detects (violated
        sign rows) and repairs.  Dropping a redundant row never changes the cone.
        """
        todo = np.array([i for i in np.unique(patterns) if int(i) not in self._facets],
                        dtype=np.int64)
        if len(todo) == 0:
            return
        if not self._hash_ready:
            self._build_hash()
        Pt = self.P[todo]                                         # (k, n)
        delta = np.where(Pt, np.uint64(0) - self.R, self.R)       # flip each row's bit
        with np.errstate(over="ignore"):
            fh = self.H[todo][:, None] + delta @ self.M           # (k, ncls), mod 2^64
        pos = np.minimum(np.searchsorted(self.Hs, fh), len(self.Hs) - 1)
        hit = self.Hs[pos] == fh
        kk, cc = np.nonzero(hit)
        if len(kk):                                               # rule out collisions
            other = self.P[self.order[pos[kk, cc]]]
            flipped = Pt[kk] ^ (self.M[:, cc].T == 1)
            ok = (other == flipped).all(axis=1)
            kk, cc = kk[ok], cc[ok]
        rows = self.rep[cc]
        for t, i in enumerate(todo):
            self._facets[int(i)] = np.sort(rows[kk == t])

    def rows_of(self, i: int) -> np.ndarray:
        return self._facets[int(i)]

    def add_rows(self, i: int, rows: np.ndarray) -> int:
        """Add sign rows to pattern ``i``; return how many were new."""
        old = self._facets[int(i)]
        new = np.union1d(old, rows)
        self._facets[int(i)] = new
        return len(new) - len(old)


# --------------------------------------------------------------------------------------
# dual check


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


# --------------------------------------------------------------------------------------
# restricted conic program


#: what a Clarabel ``InsufficientProgress`` stall is answered with, in order (sticky for
#: the rest of the call): other linear algebra, stronger static regularisation, then a
#: looser tolerance (x10, x100; never above ``STALL_MAX_TOL``).
_STALL_STEPS: tuple[dict, ...] = (
    {"direct_solve_method": "faer"},
    {"direct_solve_method": "faer", "static_regularization_constant": 1e-7},
    {"direct_solve_method": "faer", "static_regularization_constant": 1e-7, "_tol_factor": 10.0},
    {"direct_solve_method": "faer", "static_regularization_constant": 1e-7, "_tol_factor": 100.0},
)


class _Clarabel:
    """Clarabel settings and tolerance schedule of one call, with solve bookkeeping.

    * ``InsufficientProgress`` or ``NumericalError`` (numerical stalls, typical of
      degenerate data at very tight tolerances) are answered by re-solving with the next
      of ``_STALL_STEPS``,
      recorded in ``notes``; the result is still subject to the final certified-gap
      test, so nothing unverified gets through.  Every other status except
      Solved/AlmostSolved raises :class:`SolverError` at once.
    * :meth:`tighten` divides the tolerance by 100 (not below ``MIN_TOL``) when the
      certified gap is too large.
    """

    def __init__(self, tol: float, overrides: Mapping[str, Any] | None, verbose) -> None:
        self.overrides = dict(overrides or {})
        self.verbose = int(verbose)
        self.step = -1                          # index into _STALL_STEPS, -1 = defaults
        self.solves = 0
        self.seconds = 0.0
        self.notes: list[str] = []
        self.set_tol(float(tol))

    def set_tol(self, tol: float) -> None:
        import clarabel

        extra = dict(_STALL_STEPS[self.step]) if self.step >= 0 else {}
        eff = min(tol * extra.pop("_tol_factor", 1.0), max(tol, STALL_MAX_TOL))
        s = clarabel.DefaultSettings()
        s.verbose = self.verbose >= 2            # verbose=2 also shows Clarabel's log
        s.tol_gap_abs = s.tol_gap_rel = s.tol_feas = eff
        s.tol_ktratio = min(s.tol_ktratio, eff * 1e2)
        # "AlmostSolved" then means these (still tight) reduced tolerances were met.
        red = min(1e-7, eff * 1e3)
        s.reduced_tol_gap_abs = s.reduced_tol_gap_rel = s.reduced_tol_feas = red
        s.reduced_tol_ktratio = min(s.reduced_tol_ktratio, red * 1e2)
        for key, val in list(extra.items()) + list(self.overrides.items()):
            if not hasattr(s, key):
                raise InputError(f"solve_crelu: unknown Clarabel setting {key!r}")
            setattr(s, key, val)
        self.tol, self.eff_tol, self.settings = tol, eff, s

    def _note(self, text: str) -> None:
        self.notes.append(text)
        if self.verbose:
            print(f"[solve_crelu]   {text}")

    def solve(self, D: _Data, blocks: np.ndarray, rows: list[np.ndarray]):
        """``(u (k, d), status, number of sign rows)`` of the restricted program."""
        while True:
            u, status, sec, M, iters = _solve_restricted(D, blocks, rows, self.settings)
            self.solves += 1
            self.seconds += sec
            if status in ("Solved", "AlmostSolved"):
                return u, status, M
            if (status in ("InsufficientProgress", "NumericalError")
                    and self.step + 1 < len(_STALL_STEPS)):
                self.step += 1
                self.set_tol(self.tol)
                self._note(f"Clarabel {status} on {len(blocks)} blocks; "
                           f"re-solved with {_STALL_STEPS[self.step]}")
                continue
            raise SolverError(f"Clarabel status {status} on {len(blocks)} blocks "
                              f"(iterations {iters}, tol {self.eff_tol:g})")

    def tighten(self) -> bool:
        if self.tol <= MIN_TOL:
            return False
        new = max(self.tol / 100.0, MIN_TOL)
        self._note(f"certified gap too large at tol {self.tol:g}; re-solving at tol {new:g}")
        self.set_tol(new)
        return True


def _solve_restricted(D: _Data, blocks: np.ndarray, rows: list[np.ndarray], settings):
    """Solve (C-ReLU) restricted to ``blocks`` (flat indices) with sign rows ``rows[t]``
    for block ``t``.  Returns ``(u (k, d) or None, status, seconds, number of sign rows,
    iterations)``; ``u`` is None unless the status is Solved/AlmostSolved."""
    import clarabel

    X, y, lam, n, d = D.X, D.y, D.lam, D.n, D.d
    k = len(blocks)
    I = blocks // 2
    S = 1.0 - 2.0 * (blocks % 2)
    kd = k * d
    N = kd + n + k

    # zero cone (rows 0..n): sum_b s_b D_i X u_b + r = y
    V0 = (S[None, :, None] * D.Pf[I].T[:, :, None]) * X[:, None, :]       # (n, k, d)
    keep = V0 != 0
    r0 = np.broadcast_to(np.arange(n)[:, None, None], V0.shape)[keep]
    c0 = np.broadcast_to(np.arange(kd).reshape(1, k, d), V0.shape)[keep]
    # nonneg cone: -A_i[rows] u_b + s = 0
    cnt = np.array([len(r) for r in rows], dtype=np.int64)
    M = int(cnt.sum())
    bid = np.repeat(np.arange(k), cnt)
    jr = np.concatenate(rows).astype(np.int64) if M else np.zeros(0, dtype=np.int64)
    V1 = -(D.Sg[I[bid], jr][:, None] * X[jr])                               # (M, d)
    keep1 = V1 != 0
    r1 = np.broadcast_to((n + np.arange(M))[:, None], V1.shape)[keep1]
    c1 = (bid[:, None] * d + np.arange(d)[None, :])[keep1]
    # second-order cones: (t_b, u_b) - s = 0
    base = n + M + np.arange(k) * (d + 1)
    n_rows = n + M + k * (d + 1)
    A = sp.csc_matrix(
        (np.concatenate([V0[keep], np.ones(n), V1[keep1], -np.ones(k), -np.ones(kd)]),
         (np.concatenate([r0, np.arange(n), r1, base,
                          (base[:, None] + 1 + np.arange(d)[None, :]).ravel()]),
          np.concatenate([c0, kd + np.arange(n), c1, kd + n + np.arange(k), np.arange(kd)]))),
        shape=(n_rows, N))
    b = np.zeros(n_rows)
    b[:n] = y
    Pm = sp.csc_matrix((np.ones(n), (kd + np.arange(n), kd + np.arange(n))), shape=(N, N))
    q = np.zeros(N)
    q[kd + n:] = lam
    cones = [clarabel.ZeroConeT(n)]
    if M:
        cones.append(clarabel.NonnegativeConeT(M))
    cones += [clarabel.SecondOrderConeT(d + 1)] * k
    t0 = time.perf_counter()
    try:
        sol = clarabel.DefaultSolver(Pm, q, A, b, cones, settings).solve()
    except Exception as exc:                                   # Clarabel raises on bad input
        raise SolverError(f"Clarabel failed: {exc}") from exc
    sec = time.perf_counter() - t0
    status = str(sol.status)
    if status not in ("Solved", "AlmostSolved"):
        return None, status, sec, M, sol.iterations
    x = np.asarray(sol.x, dtype=np.float64)
    if not np.isfinite(x).all():
        raise SolverError(f"Clarabel returned non-finite values (status {status})")
    return x[:kd].reshape(k, d), status, sec, M, sol.iterations


def _dropped_violations(D: _Data, blocks, rows, u, active_tol):
    """(block position, row) pairs where a dropped sign row is significantly violated.

    A row is *covered* if a kept row of the same block defines the same half-space
    (parallel, same orientation); covered rows are never flagged.  ``kv`` is the largest
    violation of a kept row, ``-a_j . u_b / ||x_j||`` over all blocks: the accuracy the
    interior-point solve actually reached.  A dropped row is flagged if

    * its violation ``-a_j . u_b / ||x_j||`` exceeds ``max(VIOL_TOL max_b ||u_b||,
      100 kv)`` (any block: the final ``U`` is feasible at the scale of the solution), or
    * for a block above ``active_tol`` of the largest, its relative violation (divided
      by ``||u_b||``) exceeds ``max(VIOL_TOL, 100 eps_b)``, ``eps_b`` the block's own
      relative violation of its kept rows.

    Flagging a redundant row is harmless (it is added and the program re-solved).
    """
    un = np.linalg.norm(u, axis=1)
    umax = un.max(initial=0.0)
    if umax == 0.0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    I = blocks // 2
    AU = D.Sg[I] * (u @ D.Xt)                                 # A_i u_b (any sign s)
    kept = np.zeros(AU.shape, dtype=bool)
    cov = np.empty(AU.shape, dtype=bool)
    for t, r in enumerate(rows):
        kept[t, r] = True
        cov[t] = D.covered(int(I[t]), r)
    kept[:, D.xnorm == 0] = True                              # 0 >= 0: nothing to check
    scaled = -AU / np.where(D.xnorm > 0, D.xnorm, 1.0)        # violation / ||x_j||
    kv = np.where(kept, scaled, -np.inf).max(initial=0.0)
    bad = ~cov & (scaled > max(VIOL_TOL * umax, 100.0 * kv))
    big = un > active_tol * umax
    if big.any():
        rel = scaled[big] / un[big, None]
        eps = np.where(kept[big], rel, -np.inf).max(axis=1, initial=0.0)
        bad[big] |= ~cov[big] & (rel > np.maximum(VIOL_TOL, 100.0 * eps)[:, None])
    return np.nonzero(bad)


# --------------------------------------------------------------------------------------
# public solvers


class _Certified:
    """Primal and dual values of a candidate ``(blocks, u)`` (everything recomputed)."""

    def __init__(self, D: _Data, blocks, u, dual: _Dual | None) -> None:
        self.U = np.zeros((2 * D.p, D.d))
        if len(blocks):
            self.U[blocks] = u
        self.fit = D.fit(blocks, u)
        self.residual = D.y - self.fit
        self.norms = np.linalg.norm(self.U, axis=1)
        self.objective = (0.5 * float(self.residual @ self.residual)
                          + D.lam * float(self.norms.sum()))
        if dual is None:
            dual = _Dual(D, self.residual)
        self.ratio, self.rho = dual.full()
        rs = self.residual / max(1.0, self.ratio)
        self.dual_objective = float(rs @ D.y) - 0.5 * float(rs @ rs)
        self.gap = self.objective - self.dual_objective

    def ok(self, gap_tol: float) -> bool:
        return self.gap <= gap_tol * max(1.0, abs(self.objective))

    def error(self, gap_tol: float, tol: float) -> SolverError:
        return SolverError(
            f"certified gap {self.gap:.3e} (objective {self.objective:.12g}, max dual "
            f"ratio {self.ratio:.12g}) exceeds the relative tolerance {gap_tol:g} even "
            f"with Clarabel tolerance {tol:g}")


def _finish(D: _Data, blocks, cert: _Certified, *, outer, solver_status, sign_rows,
            t_start, active_tol, clarabel: _Clarabel):
    nmax = cert.norms.max(initial=0.0)
    active = ([_block_pair(b) for b in np.flatnonzero(cert.norms > active_tol * nmax)]
              if nmax else [])
    return CReLUSolution(
        U=cert.U.reshape(D.p, 2, D.d), fit=cert.fit, residual=cert.residual,
        objective=cert.objective, dual_objective=cert.dual_objective, rho=cert.rho,
        max_dual_ratio=cert.ratio, active=active, outer_iterations=outer, status="optimal",
        seconds=time.perf_counter() - t_start,
        working_set=[_block_pair(b) for b in blocks], solver_status=solver_status,
        solver_seconds=clarabel.seconds, solves=clarabel.solves, sign_rows=sign_rows,
        tol=clarabel.eff_tol, notes=list(clarabel.notes))


def solve_crelu(X: Any, y: Any, lam: float, patterns: Any, **kwargs: Any) -> CReLUSolution:
    """Solve (C-ReLU) over the blocks ``(i, +-1)`` of ``patterns``; see
    :func:`_solve_crelu_scaled` for the parameters.

    If Clarabel fails numerically, the program is solved once more for ``y / sigma`` and
    ``lam / sigma`` with ``sigma = ||y||`` (its solution is ``u / sigma``, the objective
    scales by ``sigma^2``), which interior-point methods handle far more reliably on badly
    scaled data (measured: 6 of 6 degenerate planted instances with ||y|| ~ 300-1300 that
    failed unscaled were solved).  Everything returned is scaled back, and the fallback is
    recorded in ``notes``.  Only the first solve is tried when scaling changes nothing."""
    X, y, lam, P = _prepare(X, y, lam, patterns)
    try:
        return _solve_crelu_scaled(X, y, lam, P, **kwargs)
    except SolverError as exc:
        first = str(exc)
        sigma = float(np.linalg.norm(y))
        if not (sigma > 0) or 0.5 <= sigma <= 2.0:
            raise
        try:
            sol = _solve_crelu_scaled(X, y / sigma, lam / sigma, P, **kwargs)
        except SolverError as second:
            raise SolverError(f"{first}; and on the problem scaled by 1/||y||: {second}") from None
    sol.U = sol.U * sigma
    sol.fit = sol.fit * sigma
    sol.residual = sol.residual * sigma
    sol.objective *= sigma * sigma
    sol.dual_objective *= sigma * sigma
    sol.rho = sol.rho.scaled(sigma)
    sol.notes = list(sol.notes) + [f"unscaled solve failed ({first}); solved the problem "
                                   f"scaled by 1/||y|| = 1/{sigma:.6g}"]
    return sol


def _solve_crelu_scaled(X: Any, y: Any, lam: float, patterns: Any, *, tol: float = 1e-10,
                working_set: bool = True, max_outer: int = 100,
                initial: Iterable[tuple[int, int]] | None = None, verbose: int | bool = False,
                batch: int | None = None, initial_size: int | None = None,
                dual_tol: float = 1e-9, gap_tol: float = 1e-9, active_tol: float = 1e-6,
                drop_redundant: bool = True, strict: bool = True, prune: bool = True,
                settings: Mapping[str, Any] | None = None) -> CReLUSolution:
    """Solve (C-ReLU) over the blocks ``(i, +-1)`` of ``patterns`` (see the module doc).

    Parameters
    ----------
    X, y, lam, patterns
        Data (n x d), targets (n), ``lam > 0``, bool patterns (p x n, True = active).
    tol
        Clarabel's ``tol_gap_abs = tol_gap_rel = tol_feas`` (its reduced tolerances,
        which decide ``AlmostSolved``, are ``min(1e-7, 1e3 tol)``).
    working_set
        ``False`` solves all 2p blocks with all sign rows at once (= :func:`solve_crelu_full`).
    max_outer
        Maximum number of working-set iterations; exceeding it raises :class:`SolverError`.
    initial
        Starting working set as (i, s) pairs; default: the ``initial_size`` blocks with
        the largest ``||Pi_K c_b||`` at ``r = y``.
    verbose
        ``True``/1 prints one line per iteration; 2 also prints Clarabel's log.
    batch
        Most violating blocks added per iteration (default ``n``).
    initial_size
        Size of the default starting set (default ``n``).
    dual_tol
        A block outside the working set is added while ``||Pi_K c_b|| > lam (1 + dual_tol)``.
    gap_tol
        The certified relative gap ``(objective - dual_objective) / max(1, |objective|)``
        must end at most this.  If it does not, the last restricted program is re-solved
        with Clarabel's tolerances divided by 100 (down to ``MIN_TOL = 1e-13``, counted
        as outer iterations) and checked again; then :class:`SolverError`.
    active_tol
        Relative norm threshold defining :attr:`CReLUSolution.active`.
    drop_redundant
        Keep only the sign rows that are facets of ``K_i`` (guessed from the pattern
        list, repaired if violated; see the module doc).  ``False`` keeps all rows.
    prune
        Drop from the working set blocks that are numerically zero and strictly dual
        feasible (each block at most once; see the module doc).
    settings
        Overrides of Clarabel ``DefaultSettings`` attributes (e.g. ``{"max_iter": 1}``).
    strict
        ``False``: when the certified gap stays above ``gap_tol`` (tighter re-solves fail
        or the tolerance floor is reached) after a pass in which every block met its dual
        constraint, return that best solution and record why in ``notes`` instead of
        raising.  For callers that prove their own bounds (``exactrelu.certificate.produce``).

    Raises
    ------
    InputError
        Malformed or non-finite input.
    SolverError
        Clarabel status other than Solved/AlmostSolved, NNLS failure, no convergence of
        the working set within ``max_outer``, or certified gap above ``gap_tol``.
    """
    t_start = time.perf_counter()
    X, y, lam, P = _prepare(X, y, lam, patterns)
    D = _Data(X, y, lam, P)
    n, d, p = D.n, D.d, D.p
    cl = _Clarabel(tol, settings, verbose)
    fin = dict(t_start=t_start, active_tol=active_tol, clarabel=cl)
    if not working_set:
        blocks = np.arange(2 * p)
        rows = [D.nz] * len(blocks)
        while True:
            u, status, M = cl.solve(D, blocks, rows)
            cert = _Certified(D, blocks, u, None)
            if cert.ok(gap_tol):
                return _finish(D, blocks, cert, outer=1, solver_status=status, sign_rows=M,
                               **fin)
            if not cl.tighten():
                raise cert.error(gap_tol, cl.eff_tol)

    batch = n if batch is None else int(batch)
    initial_size = n if initial_size is None else int(initial_size)
    if batch < 1 or initial_size < 1 or max_outer < 1:
        raise InputError("solve_crelu: batch, initial_size and max_outer must be positive")
    threshold = lam * (1.0 + dual_tol)
    in_ws = np.zeros(2 * p, dtype=bool)
    if initial is not None:
        blocks = _block_index(initial, p)
    else:
        dual0 = _Dual(D, y)
        blocks = np.array(sorted(b for _, b in dual0.top(threshold, initial_size)),
                          dtype=np.int64)
        if len(blocks) == 0:                                   # u = 0 is optimal
            cert = _Certified(D, blocks, np.zeros((0, d)), dual0)
            return _finish(D, blocks, cert, outer=0, solver_status="none", sign_rows=0,
                           **fin)
    in_ws[blocks] = True
    dropped = np.zeros(2 * p, dtype=bool)
    best = None            # (blocks, certified, status, sign rows, outer) of the best full pass
    for outer in range(1, max_outer + 1):
        if drop_redundant:
            D.facet_rows(blocks // 2)
        repairs = 0
        while True:                                            # sign-row repair loop
            rows = [D.rows_of(i) for i in blocks // 2] if drop_redundant else [D.nz] * len(blocks)
            try:
                u, status, M = cl.solve(D, blocks, rows)
            except SolverError as exc:
                if strict or best is None:
                    raise
                # a tighter re-solve failed; the previous solution passed every dual
                # check -- return it, with the failure reported in `notes`
                cl._note(f"{exc}; kept the previous solution (certified gap "
                         f"{best[1].gap:.3g}, above gap_tol {gap_tol:g})")
                return _finish(D, best[0], best[1], outer=best[4], solver_status=best[2],
                               sign_rows=best[3], **fin)
            if not drop_redundant:
                break
            bad_k, bad_j = _dropped_violations(D, blocks, rows, u, active_tol)
            added = 0
            for t in np.unique(bad_k):
                added += D.add_rows(int(blocks[t] // 2), bad_j[bad_k == t])
            if added == 0:                     # only kept rows, at solver accuracy
                break
            if verbose:
                print(f"[solve_crelu]   {added} dropped sign rows violated; re-solving")
            repairs += 1
            if repairs >= MAX_REPAIRS:
                # the facet guess comes from the pattern list and fails when the list is
                # a sample (neighbours missing): keep every sign row from now on
                # (measured: n=120, d=9, 400 sampled patterns, 26.7 s -> 5.3 s)
                drop_redundant = False
                cl._note(f"the facet guess missed in {repairs} re-solves (a sampled "
                         "pattern list?); all sign rows kept from outer iteration "
                         f"{outer} on")
            if cl.solves > 10 * max_outer:
                raise SolverError("sign-row repair did not converge")
        dual = _Dual(D, y - D.fit(blocks, u))
        viol = dual.top(threshold, batch, exclude=in_ws)
        if verbose:
            worst = viol[0][0] / lam if viol else float("nan")
            print(f"[solve_crelu] outer {outer}: {len(blocks)} blocks, {M} sign rows, "
                  f"clarabel {status}, {len(viol)} violators (worst ratio "
                  f"{worst:.6g}), {dual.nnls_calls} NNLS")
        if not viol:
            cert = _Certified(D, blocks, u, dual)
            if cert.ok(gap_tol):
                return _finish(D, blocks, cert, outer=outer, solver_status=status,
                               sign_rows=M, **fin)
            if best is None or cert.gap < best[1].gap:
                best = (blocks.copy(), cert, status, M, outer)
            if not cl.tighten():
                if strict:
                    raise cert.error(gap_tol, cl.eff_tol)
                cl._note(f"certified gap {cert.gap:.3g} above gap_tol {gap_tol:g} at the "
                         f"tightest tolerance; returning the best solution")
                b = best
                return _finish(D, b[0], b[1], outer=b[4], solver_status=b[2], sign_rows=b[3],
                               **fin)
            continue                                           # same working set
        if prune:
            # drop blocks that are numerically zero and strictly dual feasible (upper
            # bound below lam (1 - 1e-3)); each block is dropped at most once, so the
            # loop cannot cycle, and the stopping test still covers them
            un = np.linalg.norm(u, axis=1)
            drop = blocks[(un <= active_tol * un.max(initial=0.0))
                          & (dual.ub[blocks] < lam * (1.0 - 1e-3)) & ~dropped[blocks]]
            in_ws[drop] = False
            dropped[drop] = True
        in_ws[[b for _, b in viol]] = True
        blocks = np.flatnonzero(in_ws)
    raise SolverError(f"working set did not converge in {max_outer} outer iterations "
                      f"({len(blocks)} blocks)")


def solve_crelu_full(X: Any, y: Any, lam: float, patterns: Any, *, tol: float = 1e-10,
                     verbose: int | bool = False, **kwargs: Any) -> CReLUSolution:
    """Solve (C-ReLU) with all 2p blocks and all sign rows in one conic program."""
    return solve_crelu(X, y, lam, patterns, tol=tol, working_set=False, verbose=verbose,
                       **kwargs)
