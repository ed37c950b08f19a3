"""Input handling and per-call precomputation of the C-ReLU solver (floating point, a
guesser: see :mod:`exactrelu.approx.solver`): validation of ``X, y, lam, patterns``
(:func:`_prepare`), the flat block index ``b = 2 i + (s == -1)``, and :class:`_Data`
(float patterns, signs, row norms, hyperplane classes, and the facet guess below).

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
whose optimum is feasible for the dropped rows is optimal; the repair is in
:mod:`.working_set`).  A region is a full-dimensional cone with at least ``rank X``
facets, so fewer found means a sampled list (few neighbours): such a pattern keeps the
found rows and the ``MARGIN_ROWS * rank X`` rows whose hyperplanes pass closest to the
max-margin direction of its cone (:meth:`_Data._margin_rows`; most facets are among
them -- checked against cddlib's exact redundancy test on diabetes, where the facets
were the 31-55 rows of smallest margin but for a few up to rank 156 of 442).  The guess
is marked, and a violated row turns it into all rows (:meth:`_Data.add_rows`).  Keeping
all rows instead (the previous rule) made a program of 177k sign rows on diabetes,
n = 442, d = 11, 200 gates, against 26k-37k now.  The dual check always uses all ``n``
rows.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ...errors import InputError

#: a pattern whose neighbours are missing from the list keeps ``MARGIN_ROWS * rank X`` sign
#: rows (those nearest its max-margin direction) besides the facets found by neighbours.
MARGIN_ROWS = 6


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
        self._guessed: set[int] = set()          # patterns whose rows are a margin guess
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
        rank = self.rank
        for t, i in enumerate(todo):
            f = np.sort(rows[kk == t])
            # a region is a full-dimensional cone whose lineality space has dimension
            # d - rank X, so it has at least rank X facets: fewer found means the list
            # misses neighbours (a sampled list) -- guess the facets from the geometry
            if len(f) < rank:
                f = self._margin_rows(int(i), f)
            self._facets[int(i)] = f

    def _margin_rows(self, i: int, found: np.ndarray) -> np.ndarray:
        """Sign rows of pattern ``i`` likely to be facets when its neighbours are not
        listed: ``found`` and the ``MARGIN_ROWS * rank X`` rows whose hyperplanes pass
        closest (in angle) to the max-margin direction ``g`` of the cone (``A_i g > 0``, the min-norm point of the
        convex hull of the normalised rows, by one NNLS).  All rows if no such ``g``
        shows up.  Such a guess is marked; a violated row makes it all rows
        (:meth:`add_rows`)."""
        from scipy.optimize import nnls

        nz = self.nz
        k = MARGIN_ROWS * self.rank
        if len(nz) <= k:
            return nz
        A = (self.Sg[i, nz] / self.xnorm[nz])[:, None] * self.X[nz]     # unit rows of A_i
        big = 1e3                  # weight of the row sum(w) = 1 (min-norm point of the hull)
        try:
            w, _ = nnls(np.vstack([A.T, np.full((1, len(nz)), big)]),
                        np.r_[np.zeros(self.d), big])
        except RuntimeError:
            return nz
        margin = A @ (A.T @ w)
        if not margin.min() > 1e-12 * np.abs(margin).max(initial=0.0):
            return nz                                   # no strictly interior direction
        self._guessed.add(i)
        return np.union1d(found, nz[np.argsort(margin, kind="stable")[:k]])

    @property
    def rank(self) -> int:
        """Numerical rank of ``X`` (a guess; only decides how many rows to keep)."""
        if not hasattr(self, "_rank"):
            self._rank = int(np.linalg.matrix_rank(self.X)) if len(self.nz) else 0
        return self._rank

    def rows_of(self, i: int) -> np.ndarray:
        return self._facets[int(i)]

    def add_rows(self, i: int, rows: np.ndarray, violated: bool = True) -> int:
        """Add sign rows to pattern ``i``; return how many were new.  A violated row of a
        margin guess adds all the pattern's rows (the guess has missed)."""
        old = self._facets[int(i)]
        if violated and int(i) in self._guessed:
            self._guessed.discard(int(i))
            rows = self.nz
        new = np.union1d(old, rows)
        self._facets[int(i)] = new
        return len(new) - len(old)
