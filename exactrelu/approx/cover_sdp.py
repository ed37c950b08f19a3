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


def _svec_index(d1: int) -> dict:
    """Position of the upper-triangle entry (i, j), i <= j, in Clarabel's column-wise
    ``PSDTriangleConeT`` vector."""
    out, pos = {}, 0
    for j in range(d1):
        for i in range(j + 1):
            out[(i, j)] = pos
            pos += 1
    return out


# long: one conic program, built column by column against the module doc
def quad_relax(P, node, s: int, rel) -> QuadGuess | None:
    """The best quadratic leaf of ``node`` for sign ``s`` (``rel``: its chord relaxation,
    whose bounds, pinned slopes and free-row masks are reused); None if Clarabel fails."""
    import clarabel

    n, d = P.n, P.d
    sr = s * P.r
    Sk = np.array([k for k, _ in node.S], dtype=int)
    sig = np.array([g for _, g in node.S], dtype=float)
    pos = rel.free & (sr > 0)
    quad = [k for k in np.flatnonzero(pos)
            if rel.b[k] > EXACT * P.N[k] and int(k) not in rel.slopes]
    quad = np.array(quad, dtype=int)
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
    rows, cols, vals, b = [], [], [], []

    def put(r, cc, v):
        rows.append(r)
        cols.append(cc)
        vals.append(v)
    # nonnegative cone: theta >= 0, 1 - theta >= 0, p, t >= 0, mu >= 0, 1 - mu >= 0, nu >= 0
    r0 = 0
    for lo_var, cnt, upper in ((it, m, True), (ip, m, False), (itt, m, False),
                               (imu, q, True), (inu, c, False)):
        for i in range(cnt):
            put(r0, lo_var + i, -1.0)
            b.append(0.0)
            r0 += 1
            if upper:
                put(r0, lo_var + i, 1.0)
                b.append(1.0)
                r0 += 1
    n_nonneg = r0
    # second-order cones (p + t, 1 - theta, p - t)
    for i in range(m):
        put(r0, ip + i, -1.0), put(r0, itt + i, -1.0)
        b.append(0.0)
        put(r0 + 1, it + i, 1.0)
        b.append(1.0)
        put(r0 + 2, ip + i, -1.0), put(r0 + 2, itt + i, 1.0)
        b.append(0.0)
        r0 += 3
    # the PSD cone: s = svec(M(x)), M = [[eta I - Q, -L/2], [-L^T/2, gamma - eta]]
    d1 = d + 1
    idx = _svec_index(d1)
    base = r0
    rt2 = np.sqrt(2.0)
    bpsd = np.zeros(d1 * (d1 + 1) // 2)
    for i in range(d):
        bpsd[idx[(i, d)]] = -L0[i] / 2 * rt2
        put(base + idx[(i, i)], ieta, -1.0)            # eta on the diagonal
    put(base + idx[(d, d)], ieta, 1.0)
    put(base + idx[(d, d)], igam, -1.0)
    iu = np.triu_indices(d)
    for i, k in enumerate(quad):                      # -Q: -s r_k p_k x_k x_k^T
        xx = np.outer(P.X[k], P.X[k]) * sr[k]
        for a_, b_ in zip(*iu):
            v = xx[a_, b_] * (1.0 if a_ == b_ else rt2)
            if v:
                put(base + idx[(a_, b_)], ip + i, v)
        # L depends on theta_k: s r_k (a_k - 1/2) x_k theta_k; M holds -L/2
        g = sr[k] * (rel.a[k] - 0.5) * P.X[k]
        for a_ in range(d):
            if g[a_]:
                put(base + idx[(a_, d)], it + i, g[a_] / 2 * rt2)
    for i, k in enumerate(neg):                       # mu_k s r_k x_k
        g = sr[k] * P.X[k]
        for a_ in range(d):
            if g[a_]:
                put(base + idx[(a_, d)], imu + i, g[a_] / 2 * rt2)
    for i, k in enumerate(Sk):                        # nu_i sigma_i x_i
        g = sig[i] * P.X[k]
        for a_ in range(d):
            if g[a_]:
                put(base + idx[(a_, d)], inu + i, g[a_] / 2 * rt2)
    b = np.concatenate([np.array(b), bpsd])
    A = sp.csc_matrix((vals, (rows, cols)), shape=(len(b), nv))
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
    z = np.asarray(sol.z)[base:]
    Z = np.zeros((d1, d1))
    for (i, j), pidx in idx.items():
        Z[i, j] = Z[j, i] = z[pidx] / (1.0 if i == j else rt2)
    u = Z[:d, d] / Z[d, d] if Z[d, d] > 1e-12 else None
    if u is not None:
        nu_ = np.linalg.norm(u)
        u = u / nu_ if nu_ > 0 else None
    theta = np.clip(x[it:it + m], 0.0, 1.0)
    return QuadGuess(
        value=float(x[igam] + beta0 + cost[it:itt + m] @ x[it:itt + m]),
        eta=float(x[ieta]),
        rows={int(k): (float(theta[i]), float(x[ip + i]), float(x[itt + i]))
              for i, k in enumerate(quad) if theta[i] < 1.0},
        nu={int(Sk[i]): float(v) for i, v in enumerate(x[inu:inu + c]) if v > 0},
        mu={int(k): float(v) for k, v in zip(neg, np.clip(x[imu:imu + q], 0, 1)) if v > 0},
        u=u)
