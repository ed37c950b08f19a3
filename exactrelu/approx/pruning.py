"""Least-squares pruning in floating point (:func:`prune_ls_float`): a numeric producer
for experiments; it proves nothing.

The same rules, tie-breaks and updates as the exact :func:`exactrelu.pruning.prune_ls`
(docs/theory.md §2.11), in numpy: remove the neuron ``j`` with the smallest score,
correcting the others by the least-squares ``beta`` (``beta_j = -1``, paper-oriented step
``t = 1 / max beta``, factors ``1 - t beta``), or zeroing it (uncorrected baselines).
Dependence of the outputs (``"optimal_ls"``) is decided numerically, by the smallest
singular value of the column-normalised output matrix.  Nothing here is verified: a
network produced by this path is a guess; to make a claim about it, run the exact
:func:`exactrelu.pruning.prune_ls` / :func:`exactrelu.pruning.prune_network` on it (the
experiment script compares the two, examples/pruning_comparison.py).
"""
from __future__ import annotations

import random
from typing import Any

import numpy as np

__all__ = ["prune_ls_float"]


def _apply_step(s: np.ndarray, alive: np.ndarray, idx: np.ndarray, beta: Any,
                penalty_sign: int) -> None:
    """Orient ``beta`` (the exact rule of :func:`exactrelu.pruning.step_factors`), then
    multiply the scales ``s[idx]`` by the factors ``1 - t beta`` (the pivot set to 0)."""
    b = np.array(beta, dtype=float)
    if penalty_sign < 0:
        b = -b
    elif penalty_sign == 0:
        if b[int(np.argmax(np.abs(b)))] < 0:
            b = -b
    t = 1.0 / b.max()
    fac = 1.0 - t * b
    piv = int(np.argmax(b))
    fac[piv] = 0.0
    fac = np.maximum(fac, 0.0)
    s[idx] *= fac
    alive[idx[fac == 0.0]] = False


def _dependent_step(Q: np.ndarray, norms: np.ndarray, act: np.ndarray, a0: np.ndarray,
                    s: np.ndarray, alive: np.ndarray, dep_tol: float) -> bool:
    """The Algorithm-1 step of ``"optimal_ls"`` when the outputs are (numerically)
    dependent: a zero output is removed, else a step along the last right singular
    vector; False when the outputs look independent."""
    dead = np.flatnonzero(norms == 0)
    if len(dead):
        alive[act[dead[0]]] = False
        return True
    _, sv, Vt = np.linalg.svd(Q / norms, full_matrices=False)
    if len(act) > Q.shape[0] or sv[-1] <= dep_tol * sv[0]:
        v = Vt[-1] / norms                       # null vector of Q
        beta = v
        gamma_a = beta * (a0[act] * s[act])
        S = float(gamma_a.sum())
        scale = float(np.abs(gamma_a).sum()) or 1.0
        _apply_step(s, alive, act, beta, 0 if abs(S) <= 1e-12 * scale else (1 if S > 0 else -1))
        return True
    return False


def _scores(rule: str, Q: np.ndarray, norms: np.ndarray, act: np.ndarray, a0: np.ndarray,
            s: np.ndarray, X: np.ndarray, y: np.ndarray, A: np.ndarray, W1: np.ndarray,
            w2: np.ndarray) -> np.ndarray:
    """The score of every alive neuron under ``rule`` (the smallest is removed)."""
    if rule == "magnitude":
        sc = (a0[act] * s[act]) ** 2
    elif rule == "activation":
        sc = norms ** 2
    elif rule == "gradient":
        res = Q.sum(axis=1) - y
        sg = np.sign(w2[act])
        G = (X.T @ (A[:, act] * res[:, None])) * sg          # (d, k)
        U = (W1[act] * (np.abs(w2[act]) * s[act])[:, None]).T
        sc = ((U * G) ** 2).sum(axis=0)
    else:   # residual / optimal_ls (independent case)
        k = len(act)
        if k == 1:
            sc = norms ** 2
        else:
            sc = np.empty(k)
            for i in range(k):
                o = np.delete(np.arange(k), i)
                bb, *_ = np.linalg.lstsq(Q[:, o], Q[:, i], rcond=None)
                sc[i] = np.sum((Q[:, o] @ bb - Q[:, i]) ** 2)
    return sc


def _ls_beta(Q: np.ndarray, jpos: int) -> np.ndarray:
    """``beta`` of the LS correction: least squares of column ``jpos`` on the others,
    ``beta[jpos] = -1``."""
    o = np.delete(np.arange(Q.shape[1]), jpos)
    beta = np.zeros(Q.shape[1])
    if len(o):
        bb, *_ = np.linalg.lstsq(Q[:, o], Q[:, jpos], rcond=None)
        beta[o] = bb
    beta[jpos] = -1.0
    return beta


def prune_ls_float(W1: Any, w2: Any, X: Any, y: Any, *, rule: str = "optimal_ls",
                   corrected: bool = True, seed: int = 0, target_neurons: int = 0,
                   dep_tol: float = 1e-9) -> list[tuple[Any, Any]]:
    """FLOATING-POINT version of :func:`exactrelu.pruning.prune_ls` for experiments
    (proves nothing).

    Same rules, tie-breaks and updates as the exact version, in numpy.  Dependence of
    the outputs (``"optimal_ls"``) is decided numerically: smallest singular value of
    the column-normalised output matrix below ``dep_tol``.  Returns the pruning path:
    ``[(W1, w2), ...]`` after every step, starting with the input (neurons with a zero
    factor are dropped)."""
    from ..pruning.least_squares import RULES   # here: exactrelu.pruning imports this module

    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    W1 = np.array(W1, dtype=float)
    w2 = np.array(w2, dtype=float)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    keep = (np.abs(w2) > 0) & (np.abs(W1).sum(axis=1) > 0)
    W1, w2 = W1[keep], w2[keep]
    pre = X @ W1.T
    A = pre > 0
    q0 = np.where(A, pre, 0.0) * w2            # (n, m) original outputs
    m = len(w2)
    s = np.ones(m)
    alive = np.ones(m, dtype=bool)
    rng = random.Random(seed)
    path = [(W1.copy(), w2.copy())]
    a0 = np.linalg.norm(W1, axis=1) * np.abs(w2)

    def snapshot():
        idx = np.flatnonzero(alive)
        path.append((W1[idx] * s[idx, None], w2[idx].copy()))

    while alive.sum() > target_neurons:
        act = np.flatnonzero(alive)
        Q = q0[:, act] * s[act]
        norms = np.linalg.norm(Q, axis=0)
        if rule == "optimal_ls" and _dependent_step(Q, norms, act, a0, s, alive, dep_tol):
            snapshot()
            continue
        if rule == "random":
            jpos = act.tolist().index(rng.choice(act.tolist()))
        else:
            jpos = int(np.argmin(_scores(rule, Q, norms, act, a0, s, X, y, A, W1, w2)))
        j = act[jpos]
        if not corrected:
            alive[j] = False
            s[j] = 0.0
            snapshot()
            continue
        _apply_step(s, alive, act, _ls_beta(Q, jpos), 0)
        snapshot()
    return path
