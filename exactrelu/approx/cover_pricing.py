"""Float pricing for cover proofs and the column-generation solve (untrusted guesses).

:func:`price` approximately maximises ``s g_r(u) / ||u||`` over the sphere (the most
violated dual constraint of ``docs/theory.md`` §7, a heuristic: it may miss the
maximum); :func:`solve_by_columns` solves the convex program on a working set of
patterns that it extends with priced directions, so no region is ever enumerated.
Whether (F) really holds is decided only by an exact cover
(:mod:`exactrelu.certificate.cover`); a refuted cover search names a direction whose
pattern joins the working set (:func:`witness_patterns`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import nnls

__all__ = ["price", "ColumnSolve", "patterns_of", "solve_by_columns", "witness_patterns"]


def price(X: Any, r: Any, *, signs: tuple = (1, -1), starts: int = 64, iters: int = 60,
          seed: int = 0, extra: Any = None, refine: int = 6
          ) -> list[tuple[float, int, np.ndarray]]:
    """Heuristic maximisation of ``s g_r(u) / ||u||`` over the sphere (a *guess*: it may
    miss the maximum; only the exact cover check proves (F)).

    Multi-start fixed-point ascent over sign patterns: from ``u``, the pattern
    ``D = [X u > 0]`` gives the linear function ``c_D . u`` with ``c_D = s X^T D r``, equal
    to ``s g_r`` on the region of ``D``; move to ``u = c_D / ||c_D||`` and repeat while the
    value increases.  Starts: random Gaussian directions, the rows ``+-x_k`` with the
    largest ``|r_k| ||x_k||``, and ``extra`` (e.g. the active neurons).  The ``refine``
    best end points per sign are then improved by a local search over regions (exact
    maximum on a region by a cone projection, moves across the facets the maximiser lies
    on; :func:`_region_search`).  Returns, per sign,
    ``(value, s, u)`` sorted by value (largest first), one entry per distinct final
    pattern."""
    X = np.asarray(X, dtype=float)
    r = np.asarray(r, dtype=float)
    n, d = X.shape
    rng = np.random.default_rng(seed)
    order = np.argsort(-np.abs(r) * np.linalg.norm(X, axis=1))[: max(1, starts // 4)]
    U0 = [rng.standard_normal((starts, d)), X[order], -X[order]]
    if extra is not None and len(extra):
        U0.append(np.atleast_2d(np.asarray(extra, dtype=float)))
    U0 = np.vstack(U0)
    U0 = U0[np.linalg.norm(U0, axis=1) > 0]
    U0 /= np.linalg.norm(U0, axis=1)[:, None]
    out: list = []
    for s in signs:
        U = U0.copy()
        val = s * (r @ np.maximum(X @ U.T, 0.0))
        for _ in range(iters):
            D = (X @ U.T) > 0                                  # n x m
            C = s * (X.T @ (D * r[:, None]))                    # d x m
            nc = np.linalg.norm(C, axis=0)
            ok = nc > 0
            G = np.zeros_like(U)
            G[ok] = (C[:, ok] / nc[ok]).T
            improved = False
            # the full jump to the region's maximiser, then damped (sub)gradient steps
            for eta in (None, 1.0, 0.3, 0.1, 0.03):
                Un = G.copy() if eta is None else U + eta * G
                nn = np.linalg.norm(Un, axis=1)
                Un[nn > 0] /= nn[nn > 0][:, None]
                vn = s * (r @ np.maximum(X @ Un.T, 0.0))
                better = (vn > val * (1 + 1e-15) + 1e-300) & ok
                if better.any():
                    U[better] = Un[better]
                    val[better] = vn[better]
                    improved = True
            if not improved:
                break
        seen = set()
        tops = []
        for i in np.argsort(-val):
            key = np.packbits((X @ U[i]) > 0).tobytes()
            if key in seen:
                continue
            seen.add(key)
            tops.append((float(val[i]), s, U[i].copy()))
        for j in range(min(refine, len(tops))):
            v, u = _region_search(X, r, s, tops[j][2])
            if v > tops[j][0]:
                tops[j] = (v, s, u)
        out.extend(tops)
    out.sort(key=lambda t: -t[0])
    return out


def _region_max(X: np.ndarray, r: np.ndarray, s: int, D: np.ndarray
                ) -> tuple[float, np.ndarray | None, np.ndarray]:
    """``max {c_D . u : u in K_D, ||u|| <= 1} = ||Pi_{K_D}(c_D)||`` (NNLS, Moreau), the
    maximiser and the multipliers (positive on the facets the maximiser lies on)."""
    A = np.where(D, 1.0, -1.0)[:, None] * X
    c = s * (X.T @ (D * r))
    rho, _ = nnls(A.T, -c)
    v = c + A.T @ rho
    nv = float(np.linalg.norm(v))
    return nv, (v / nv if nv > 0 else None), rho


def _region_search(X: np.ndarray, r: np.ndarray, s: int, u: np.ndarray, *, steps: int = 30,
                   width: int = 8) -> tuple[float, np.ndarray]:
    """Local search over regions: maximise ``s g_r`` on the region of ``u`` exactly (a
    cone projection), then move to the best adjacent region across a facet the maximiser
    lies on, while the value increases."""
    D = (X @ u) > 0
    best, bu, rho = _region_max(X, r, s, D)
    if bu is None:
        return best, u
    for _ in range(steps):
        cand = np.argsort(-rho)[:width]
        move = None
        for j in cand:
            if rho[j] <= 0:
                break
            D2 = D.copy()
            D2[j] = ~D2[j]
            v, u2, rho2 = _region_max(X, r, s, D2)
            if u2 is not None and v > best * (1 + 1e-12) and (move is None or v > move[0]):
                move = (v, u2, rho2, D2)
        if move is None:
            break
        best, bu, rho, D = move
    return best, bu


# ------------------------------------------------------------------- column generation

@dataclass
class ColumnSolve:
    """Result of :func:`solve_by_columns` (floats, untrusted)."""

    solution: Any                  # the last CReLUSolution
    patterns: np.ndarray           # bool (p x n) working set of patterns
    rounds: int
    max_ratio: float               # best priced s g_r(u) / (lam ||u||) at the end
    seconds: float
    history: list = field(default_factory=list)


def patterns_of(X: np.ndarray, U: np.ndarray) -> np.ndarray:
    """Float sign patterns ``[X u > 0]`` of the rows of ``U`` (a guess; ties are measure
    zero for the random or ascent directions used here)."""
    return (np.asarray(X, dtype=float) @ np.atleast_2d(U).T > 0).T


def _near(A: np.ndarray, k: int, rng: np.random.Generator,
          scales: tuple = (0.03, 0.1, 0.3)) -> np.ndarray:
    """``A``'s rows (unit) and ``k`` random directions near each, spread over ``scales``."""
    A = A / np.linalg.norm(A, axis=1)[:, None]
    per = max(1, k // len(scales))
    return np.vstack([A] + [a + sc * rng.standard_normal((per, A.shape[1]))
                            for a in A for sc in scales])


#: starts near active neurons per confirming pricing, at most (at least 16 per neuron):
#: with 96 for each of the many active neurons of random targets (d = 3, n = 120) the
#: solves took 113 s of a 649 s route
NEAR_TOTAL = 2400

#: consecutive confirming pricings (``confirm`` starts, new seeds) that must find no
#: violation before :func:`solve_by_columns` stops
CONFIRM = 3


def solve_by_columns(X: Any, y: Any, lam: float, *, initial: Any = None, start: int = 64,
                     add: int = 16, max_rounds: int = 60, tol: float = 1e-10,
                     viol: float = 1e-8, seed: int = 0, starts: int = 64,
                     confirm: int = 96, verbose: bool = False) -> ColumnSolve:
    """Solve (C-ReLU) without enumerating regions: Clarabel on a working set of patterns
    (:func:`exactrelu.approx.solver.solve_crelu`), priced by :func:`price` (the most
    violated dual constraint ``max s g_r(u) / ||u||`` over the sphere, heuristically);
    patterns of violating directions are added until none is found above
    ``lam (1 + viol)``, also by :data:`CONFIRM` last pricings, each with ``4 starts``
    random starts and ``confirm`` near each active neuron (0: none; fewer when there
    are many, :data:`NEAR_TOTAL`), so that the extra work grows with the number of
    active neurons, where it is needed.
    ``initial``: extra bool patterns (e.g. found by a cover search)."""
    from .solver import solve_crelu

    t0 = time.perf_counter()
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    rng = np.random.default_rng(seed)
    P = [patterns_of(X, rng.standard_normal((start, X.shape[1])))]
    if initial is not None and len(initial):
        P.append(np.atleast_2d(np.asarray(initial, dtype=bool)))
    # the directions priced at r = y (where the solve starts) are good first columns
    P.append(patterns_of(X, np.array([u for _, _, u in price(X, y, starts=starts,
                                                              seed=seed)[:add]])))
    Pm = np.unique(np.vstack(P), axis=0)
    history = []
    sol = None
    ratio = float("inf")
    for rounds in range(1, max_rounds + 1):
        sol = solve_crelu(X, y, lam, Pm, tol=tol, strict=False)
        act = [sol.U[i, 0 if s == 1 else 1] for (i, s) in sol.active]
        cand = price(X, sol.residual, starts=starts, seed=seed + rounds,
                     extra=np.array(act) if act else None)
        ratio = cand[0][0] / lam if cand else 0.0
        history.append((len(Pm), float(sol.objective), ratio))
        if verbose:
            print(f"round {rounds}: {len(Pm)} patterns, objective {sol.objective:.12g}, "
                  f"max ratio {ratio:.12g}")
        new = [u for v, _, u in cand if v > lam * (1 + viol)][:add]
        for j in range(CONFIRM if confirm and not new else 0):
            # before stopping, price again with more starts, other seeds, and starts near
            # the active neurons: the ascent's end points depend on its starts, and with
            # many active neurons there are many violating local maxima near them, where
            # several hyperplanes meet (diabetes d = 11, lam_max/16: 64 starts stopped at
            # ratio 1 + 1e-11; 3 x 2,048 random starts found nothing; 1,900 starts at
            # distance 0.03-0.3 of the 19 active neurons found 1.0052-1.0070; with these
            # pricings that solve ends at 8.92438 instead of 8.93020, and n = 442 at
            # lam_max/2, 3 active neurons, takes 0.6 s longer)
            sj = seed + 7919 * rounds + j
            each = max(16, min(confirm, NEAR_TOTAL // max(1, len(act))))
            near = _near(np.array(act), each, np.random.default_rng(sj)) if act else None
            cand = price(X, sol.residual, starts=4 * starts, seed=sj, extra=near)
            new = [u for v, _, u in cand if v > lam * (1 + viol)][:add]
            if new:
                ratio = cand[0][0] / lam
                history[-1] = (len(Pm), float(sol.objective), ratio)
                break
        if not new:
            break
        Q = patterns_of(X, np.array(new))
        before = len(Pm)
        Pm = np.unique(np.vstack([Pm, Q]), axis=0)
        if len(Pm) == before:
            break
    return ColumnSolve(sol, Pm, rounds, ratio, time.perf_counter() - t0, history)


def witness_patterns(X: Any, r: Any, s: Any, u: Any, *parts: Any) -> np.ndarray:
    """The patterns ``parts`` (bool arrays, e.g. the previous working set) plus those of
    the witnesses of a refuted cover search and of the best region near each: one
    witness (sign ``s``, direction ``u``) or several (a sequence of signs, the rows of
    ``u``)."""
    X = np.asarray(X, dtype=float)
    r = np.asarray(r, dtype=float)
    U = np.atleast_2d(np.asarray(u, dtype=float))
    signs = np.broadcast_to(np.asarray(s, dtype=int), (len(U),))
    ends = [_region_search(X, r, int(sg), w)[1] for sg, w in zip(signs, U)]
    new = patterns_of(X, np.vstack([U, np.array(ends)]))
    return np.unique(np.vstack([np.atleast_2d(np.asarray(p, dtype=bool)) for p in parts
                                if p is not None and len(p)] + [new]), axis=0)
