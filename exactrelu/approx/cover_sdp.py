r"""Float guess of a *quadratic* leaf (format minor version 1.6) -- an untrusted guesser.

A chord leaf (:func:`exactrelu.approx.cover_search.relax`) bounds every free row with
``s r_k > 0`` by its own chord, as if all rows reached their largest values at the same
direction; in many dimensions that is loose. A quadratic leaf also uses, per row,
``(z)_+ <= z/2 + p z^2 + t/4`` (``4 p t >= 1``, from ``|z| <= z^2/(2T) + T/2``), mixed
with the chord by ``theta``:

    (z)_+ <= theta (a z + b) + (1 - theta) z/2 + p z^2 + t/4,   4 p t >= (1 - theta)^2,

so ``s g_r(u) <= L . u + u^T Q u + beta`` on the unit vectors of the node's cone, with
``Q = sum_k s r_k p_k x_k x_k^T`` and ``L`` the linear part (plus ``A^T nu``, ``nu >= 0``,
for the cone's rows, and ``mu`` for the rows with ``s r_k < 0`` as in the chord leaf).
By the S-lemma, ``max_{||u|| = 1} L . u + u^T Q u <= gamma`` iff
``M = [[eta I - Q, -L/2], [-L^T/2, gamma - eta]]`` is positive semidefinite for some
``eta``. Minimising ``gamma + beta`` over ``theta, p, t, mu, nu, eta`` is one convex
program (a ``(d+1) x (d+1)`` PSD cone, one 3-dimensional second-order cone per row for
``4 p t >= (1 - theta)^2``), solved here with Clarabel. With every ``theta = 1`` it is
the chord leaf's own bound, so it is never worse.

The exact side (:mod:`exactrelu.certificate.cover`) rounds the guess to rationals and
decides the leaf by one exact positive-definiteness test; nothing decided here is trusted.
Measured (diabetes, d = 11, lam_max/2, gap 1e-4, float search): n = 50 from
343 / 1,761 nodes (chords) to 13 / 13; n = 100 from 179 / 5,679 to 1 / 21.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["QuadGuess", "quad_relax"]

#: a free row whose chord intercept is below this fraction of ``N_k`` has its sign known
#: on the node: it stays a chord row (the quadratic bound would only add slack)
EXACT = 1e-12


@dataclass
class QuadGuess:
    """A float quadratic leaf: ``value`` bounds ``s g_r / ||u||`` on the node (if the
    guess is right); ``rows`` ``{k: (theta, p, t)}`` (rows with ``theta < 1`` only),
    ``eta``, multipliers ``nu`` (cone rows) and ``mu`` (rows with ``s r_k < 0``)."""

    value: float
    eta: float
    rows: dict
    nu: dict
    mu: dict
    u: np.ndarray | None = None      # the worst unit direction (from the PSD dual)


def _svec_index(d1: int) -> np.ndarray:
    """``idx[i, j]``: position of the entry (i, j) of a symmetric ``d1 x d1`` matrix in
    Clarabel's ``PSDTriangleConeT`` vector (upper triangle, column by column)."""
    idx = np.zeros((d1, d1), dtype=int)
    iu = np.triu_indices(d1)
    order = np.lexsort((iu[0], iu[1]))              # column-wise: by j, then by i
    idx[iu[0][order], iu[1][order]] = np.arange(len(order))
    return np.maximum(idx, idx.T)


def _coo(rows, cols, vals) -> tuple:
    """Broadcast ``rows``, ``cols`` and ``vals`` to one shape and flatten them."""
    r, c, v = np.broadcast_arrays(rows, cols, vals)
    return r.ravel(), c.ravel(), v.ravel()


# long: one conic program, built block by block against the module doc
def quad_relax(P, node, s: int, rel) -> QuadGuess | None:
    """The best quadratic leaf of ``node`` for sign ``s`` (``rel``: its chord relaxation,
    whose bounds, pinned slopes and free-row masks are reused); None if Clarabel fails."""
    import clarabel

    d = P.d
    sr = s * P.r
    Sk = np.array([k for k, _ in node.S], dtype=int)
    sig = np.array([g for _, g in node.S], dtype=float)
    pos = rel.free & (sr > 0)
    quad = np.array([k for k in np.flatnonzero(pos)
                     if rel.b[k] > EXACT * P.N[k] and int(k) not in rel.slopes], dtype=int)
    chord = pos.copy()
    chord[quad] = False
    neg = np.flatnonzero(rel.free & (sr < 0))
    fixed = Sk[sig > 0] if len(Sk) else np.zeros(0, dtype=int)
    # linear part and intercept that do not depend on the variables
    L0 = P.X[fixed].T @ sr[fixed] + P.X.T @ (sr * np.where(chord, rel.a, 0.0)) \
        + P.X[quad].T @ (sr[quad] / 2)
    beta0 = float(sr[chord] @ rel.b[chord])
    m, q, c = len(quad), len(neg), len(Sk)
    # variables: theta (m), p (m), t (m), mu (q), nu (c), eta, gamma
    it, ip, itt, imu, inu = 0, m, 2 * m, 3 * m, 3 * m + q
    ieta, igam = 3 * m + q + c, 3 * m + q + c + 1
    nv = igam + 1
    cost = np.zeros(nv)
    cost[igam] = 1.0
    cost[it:it + m] = sr[quad] * rel.b[quad]
    cost[itt:itt + m] = sr[quad] / 4
    parts, b = [], []
    # nonnegative cone: every variable but eta, gamma >= 0; theta, mu <= 1
    n_nonneg = ieta + m + q
    parts.append(_coo(np.arange(ieta), np.arange(ieta), -1.0))
    upper = np.concatenate([np.arange(it, it + m), np.arange(imu, imu + q)])
    parts.append(_coo(ieta + np.arange(m + q), upper, 1.0))
    b += [np.zeros(ieta), np.ones(m + q)]
    # second-order cones (p + t, 1 - theta, p - t), one per quadratic row
    r0 = n_nonneg + 3 * np.arange(m)
    i = np.arange(m)
    parts += [_coo(r0, ip + i, -1.0), _coo(r0, itt + i, -1.0), _coo(r0 + 1, it + i, 1.0),
              _coo(r0 + 2, ip + i, -1.0), _coo(r0 + 2, itt + i, 1.0)]
    soc_b = np.zeros(3 * m)
    soc_b[1::3] = 1.0
    b.append(soc_b)
    # the PSD cone: s = svec(M(x)), M = [[eta I - Q, -L/2], [-L^T/2, gamma - eta]];
    # svec scales off-diagonal entries by sqrt 2
    d1 = d + 1
    base = n_nonneg + 3 * m
    idx = base + _svec_index(d1)
    rt2 = np.sqrt(2.0)
    bpsd = np.zeros(d1 * (d1 + 1) // 2)
    bpsd[idx[:d, d] - base] = -L0 / 2 * rt2
    b.append(bpsd)
    parts += [_coo(idx[np.arange(d), np.arange(d)], ieta, -1.0),   # eta on the diagonal
              _coo(idx[d, d], [ieta, igam], [1.0, -1.0])]
    iu = np.triu_indices(d)
    scale = np.where(iu[0] == iu[1], 1.0, rt2)
    # -Q: the column of p_k holds +s r_k x_k x_k^T (svec), for every row at once
    xx = sr[quad, None] * P.X[quad][:, iu[0]] * P.X[quad][:, iu[1]] * scale
    parts.append(_coo(idx[iu][None, :], (ip + i)[:, None], xx))
    # L (M holds -L/2): theta_k s r_k (a_k - 1/2) x_k, mu_k s r_k x_k, nu_i sigma_i x_i
    col_d = idx[:d, d][None, :]
    for first, rows_x in ((it, (sr[quad] * (rel.a[quad] - 0.5))[:, None] * P.X[quad]),
                          (imu, sr[neg][:, None] * P.X[neg]),
                          (inu, sig[:, None] * P.X[Sk] if c else np.zeros((0, d)))):
        parts.append(_coo(col_d, first + np.arange(len(rows_x))[:, None],
                          rows_x / 2 * rt2))
    rows, cols, vals = (np.concatenate(z) for z in zip(*parts))
    keep = vals != 0
    b = np.concatenate(b)
    A = sp.csc_matrix((vals[keep], (rows[keep], cols[keep])), shape=(len(b), nv))
    cones = [clarabel.NonnegativeConeT(n_nonneg)] + [clarabel.SecondOrderConeT(3)] * m + \
        [clarabel.PSDTriangleConeT(d1)]
    st = clarabel.DefaultSettings()
    st.verbose = False
    st.tol_gap_abs = st.tol_gap_rel = 1e-9
    st.tol_feas = 1e-9
    try:
        sol = clarabel.DefaultSolver(sp.csc_matrix((nv, nv)), cost, A, b, cones, st).solve()
    except Exception:      # pragma: no cover - a solver failure is only a missing guess
        return None
    if str(sol.status) not in ("Solved", "AlmostSolved"):
        return None
    x = np.asarray(sol.x)
    Z = np.asarray(sol.z)[idx] / np.where(np.eye(d1, dtype=bool), 1.0, rt2)
    u = Z[:d, d] / Z[d, d] if Z[d, d] > 1e-12 else None
    if u is not None:
        nu_ = np.linalg.norm(u)
        u = u / nu_ if nu_ > 0 else None
    theta = np.clip(x[it:it + m], 0.0, 1.0)
    return QuadGuess(
        value=float(x[igam] + beta0 + cost[it:itt + m] @ x[it:itt + m]),
        eta=float(x[ieta]),
        rows={int(k): (float(theta[j]), float(x[ip + j]), float(x[itt + j]))
              for j, k in enumerate(quad) if theta[j] < 1.0},
        nu={int(Sk[j]): float(v) for j, v in enumerate(x[inu:inu + c]) if v > 0},
        mu={int(k): float(v) for k, v in zip(neg, np.clip(x[imu:imu + q], 0, 1)) if v > 0},
        u=u)
