"""Float guesses for the Gordan entries: which walls of a region express each non-wall normal.

For a region ``i`` with walls ``j`` and a non-wall class ``c``, the prover
(:mod:`.gordan_prover`) needs ``r = rank X`` walls whose simplicial cone contains the
signed normal ``s_c h_c``: then ``s_c h_c = sum_j c_j s_j h_j`` with ``c >= 0`` over that
basis (Farkas), which is a Gordan certificate.  This module only *guesses* such bases in
floating point: all ``r``-subsets of the walls solved in one batched NumPy call (up to
``_SUBSET_CAP`` subsets, a greedy cover of the columns), or NNLS per column when there are
more.  Every guess is verified exactly by the prover -- ``c = adj(W) b / det W`` in
integers with ``c >= 0`` -- and a guess that fails goes to an exact LP; a wrong or missing
guess costs time, never correctness.
"""
from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Sequence

import numpy as np

#: Enumerate all r-subsets of a region's walls (batched float solve) up to this many
#: subsets; above it, guess each column's support with NNLS.
_SUBSET_CAP = 600
#: Float tolerance of the guesses (the exact check decides).
_TOL = 1e-9

Plan = list[tuple[tuple[int, ...], np.ndarray]]   # (wall positions, columns)


def float_normals(H: Sequence[Sequence[int]], m: int, r: int) -> np.ndarray:
    """The integer class normals ``H`` (m x r) as floats, each row scaled to max-norm 1."""
    big = max((abs(v) for h in H for v in h), default=0)
    if big < (1 << 50):
        Hf = np.array(H, dtype=np.float64).reshape(m, r)
    else:
        Hf = np.array([[float(Fraction(v, max(abs(w) for w in h))) for v in h]
                       for h in H], dtype=np.float64).reshape(m, r)
    nrm = np.abs(Hf).max(axis=1, keepdims=True) if m else Hf
    return Hf / np.where(nrm > 0, nrm, 1.0)


def guess_wall_bases(A: np.ndarray, B: np.ndarray, r: int, todo: np.ndarray) -> Plan:
    """Guessed bases for the columns of ``B`` (r x N, signed non-wall normals) among the
    rows of ``A`` (k x r, signed walls, ``k > r``): ``[(wall positions, columns)]``.
    Columns given a basis are cleared in ``todo``."""
    k, N = A.shape[0], B.shape[1]
    plan: Plan = []
    if math.comb(k, r) <= _SUBSET_CAP:
        subs = np.array(list(itertools.combinations(range(k), r)), dtype=np.intp)
        Ts = A[subs].transpose(0, 2, 1)                   # S x r x r, columns = walls
        dets = np.linalg.det(Ts)
        good = np.abs(dets) > 1e-10
        subs, Ts = subs[good], Ts[good]
        if len(subs):
            coefs = np.linalg.solve(Ts, np.broadcast_to(B, (len(subs), r, N)))
            ok = (coefs >= -_TOL).all(axis=1)            # S x N
            while todo.any():
                cover = (ok & todo).sum(axis=1)
                s = int(cover.argmax())
                if cover[s] == 0:
                    break
                cols = np.nonzero(ok[s] & todo)[0]
                plan.append((tuple(subs[s].tolist()), cols))
                todo[cols] = False
    else:
        from scipy.optimize import nnls

        for col in np.nonzero(todo)[0].tolist():
            try:
                x, _ = nnls(A.T, B[:, col])
            except Exception:  # pragma: no cover - numeric trouble: exact LP
                continue
            supp = [int(j) for j in np.argsort(-x) if x[j] > 1e-12]
            basis = _complete_basis(A, supp, r)
            if basis is not None:
                plan.append((tuple(basis), np.array([col])))
                todo[col] = False
    return plan


def _complete_basis(A: np.ndarray, supp: list[int], r: int) -> list[int] | None:
    """Extend a float support (positions into the walls) to ``r`` independent walls."""
    if len(supp) > r:
        return None
    basis = list(supp)
    if np.linalg.matrix_rank(A[basis]) < len(basis):
        return None
    for j in range(A.shape[0]):
        if len(basis) == r:
            break
        if j in basis:
            continue
        if np.linalg.matrix_rank(A[basis + [j]]) == len(basis) + 1:
            basis.append(j)
    return basis if len(basis) == r else None
