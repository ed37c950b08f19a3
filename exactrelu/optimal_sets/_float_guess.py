r"""Float guessers for the exact polytope algorithms (nothing here decides anything).

Each function turns the exact data of ``P = {alpha >= 0 : M alpha = b}`` into floats and
returns a *guess* that an exact routine then verifies or discards:

* :func:`float_basis` -- a start basis for the exact simplex from a float LP (HiGHS); the
  exact simplex (:mod:`.simplex`) accepts a basis only after ``M_B^-1 b >= 0`` and the
  reduced costs are checked in rationals, and repairs it exactly otherwise;
* :func:`independent_columns` -- ``m`` columns kept by a float Gram-Schmidt, returned only
  after an exact rank check of ``M_B`` (``None`` otherwise);
* :func:`pivot_scales` -- column norms for Dantzig's pricing rule: they only choose which
  improving column enters, every pivot itself is exact;
* :func:`dual_start` -- a dyadic warm start for the dual of the min-norm problem
  (:mod:`.min_norm_point`), which accepts a point only with its exact KKT certificate;
* :func:`mse_qp_guess` -- the dyadic answer of a float QP (Clarabel) for ``min ||V alpha -
  t||^2`` over ``P``, made an exact member of ``P`` by the exact repair of
  :func:`exactrelu.optimal_sets.model.float_qp_point`.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Sequence

import flint

if TYPE_CHECKING:
    from .polytope import Polytope

__all__ = ["float_basis", "independent_columns", "pivot_scales", "dual_start",
           "mse_qp_guess"]


def _float_equations(P: Polytope) -> tuple[Any, Any]:
    """The independent equations ``M alpha = b`` of ``P`` rounded to float64."""
    import numpy as np

    return (np.array([[float(a) for a in r] for r in P._eq_rows]),
            np.array([float(a) for a in P._eq_rhs]))


def float_basis(P: Polytope, cmax: Sequence[Fraction]) -> list[int] | None:
    """A basis guessed by a float LP (HiGHS, columns scaled to unit norm): the columns
    with a positive value, then those with the smallest reduced cost, kept while
    independent (float Gram-Schmidt), checked nonsingular exactly."""
    import numpy as np
    from scipy.optimize import linprog

    m, L = len(P._eq_rows), P.L
    Mf, bf = _float_equations(P)
    cn = np.linalg.norm(Mf, axis=0)
    cn[cn == 0] = 1.0
    A = Mf / cn
    rs = np.abs(A).max(axis=1)
    rs[rs == 0] = 1.0
    cf = np.array([float(a) for a in cmax]) / cn
    sc = float(np.abs(cf).max()) or 1.0
    try:
        res = linprog(-cf / sc, A_eq=A / rs[:, None], b_eq=bf / rs, bounds=(0, None),
                      method="highs-ds")
    except ValueError:                                      # pragma: no cover
        return None
    if res.status != 0:
        return None
    x = np.asarray(res.x)
    red = np.abs(np.asarray(res.lower.marginals)) if res.lower is not None else np.zeros(L)
    tol = 1e-12 * max(1.0, float(x.max()))
    order = sorted(range(L), key=lambda j: (0, -x[j]) if x[j] > tol else (1, red[j]))
    return independent_columns(P, order, m)


def independent_columns(P: Polytope, order: Sequence[int], m: int) -> list[int] | None:
    """The first ``m`` columns of ``order`` kept by a float Gram-Schmidt (a guess),
    checked nonsingular exactly; ``None`` if the guess fails."""
    import numpy as np

    Mf, _ = _float_equations(P)
    nrm = np.linalg.norm(Mf, axis=0)
    nrm[nrm == 0] = 1.0
    A = Mf / nrm
    B, Q = [], np.zeros((m, 0))
    for j in order:
        v = A[:, j] - Q @ (Q.T @ A[:, j])
        v = v - Q @ (Q.T @ v)
        nv = np.linalg.norm(v)
        if nv > 1e-9:
            B.append(j)
            Q = np.hstack([Q, (v / nv)[:, None]])
            if len(B) == m:
                break
    if len(B) != m:
        return None
    Mq = P._eq_fmpq()
    MB = flint.fmpq_mat(m, m, [Mq[i, j] for i in range(m) for j in B])
    return B if MB.rank() == m else None


def dual_start(P: Polytope) -> list:
    """A dyadic rational warm start for the dual ``mu`` (float semismooth Newton with
    backtracking; any start is fine, this one only saves iterations)."""
    import numpy as np

    m = len(P._eq_rows)
    try:
        Mf, bf = _float_equations(P)
        sc = float(np.abs(Mf).max()) or 1.0
        Mf, bf = Mf / sc, bf / sc
        mu = np.zeros(m)

        def phi(u):
            return float(bf @ u - 0.5 * np.sum(np.maximum(Mf.T @ u, 0.0) ** 2))

        for _ in range(60):
            g = Mf.T @ mu
            F = g > 0
            grad = bf - Mf[:, F] @ g[F]
            if np.linalg.norm(grad) <= 1e-14 * max(1.0, np.linalg.norm(bf)):
                break
            H = Mf[:, F] @ Mf[:, F].T
            d = np.linalg.lstsq(H + 1e-12 * np.trace(H) / m * np.eye(m) if F.any()
                                else np.eye(m), grad, rcond=None)[0]
            t, f0 = 1.0, phi(mu)
            while phi(mu + t * d) < f0 and t > 1e-12:
                t /= 2
            mu = mu + t * d
        mu = mu / sc                 # M (M^T mu_s / sc)_+ = b for the scaled optimum mu_s
        if not np.all(np.isfinite(mu)):
            raise ValueError
        out = []
        for x in mu:
            q = Fraction(float(x))           # the exact dyadic value of the float
            out.append(flint.fmpq(q.numerator, q.denominator))
        return out
    except (ValueError, np.linalg.LinAlgError, FloatingPointError):
        return [flint.fmpq(0)] * m


def pivot_scales(Mq: flint.fmpq_mat, m: int, L: int) -> list[float]:
    """``1 / ||m_j||`` (float) for each of the ``L`` columns of the ``m x L`` matrix ``Mq``
    (0 for a zero column): the scaling of Dantzig's rule in the exact simplex."""
    scale = []
    for j in range(L):
        nj = math.sqrt(sum(float(Mq[i, j]) ** 2 for i in range(m)))
        scale.append(1.0 / nj if nj > 0 else 0.0)
    return scale


def mse_qp_guess(P: Polytope, V: Any, t: Any) -> list[Fraction] | None:
    """``argmin ||V alpha - t||^2`` over ``P`` by a float QP (Clarabel, on the float
    equations, both sides scaled), as dyadic rationals ``round(max(x, 0) 2^40) / 2^40``;
    ``None`` if the solver's answer is not finite."""
    import clarabel
    import numpy as np
    from scipy import sparse

    Mf, bf = _float_equations(P)
    L = P.L
    V = np.asarray(V, dtype=float)
    t = np.asarray(t, dtype=float)
    sc = max(1.0, float(np.abs(V).max()))
    H = sparse.csc_matrix(2.0 * (V / sc).T @ (V / sc) + 1e-12 * np.eye(L))
    q = -2.0 * (V / sc).T @ (t / sc)
    ms = max(1.0, float(np.abs(Mf).max()))
    A = sparse.vstack([sparse.csc_matrix(Mf / ms), -sparse.identity(L)], format="csc")
    bb = np.concatenate([bf / ms, np.zeros(L)])
    cones = [clarabel.ZeroConeT(Mf.shape[0]), clarabel.NonnegativeConeT(L)]
    st = clarabel.DefaultSettings()
    st.verbose = False
    st.tol_gap_abs = st.tol_gap_rel = st.tol_feas = 1e-10
    sol = clarabel.DefaultSolver(sparse.triu(H, format="csc"), q, A, bb, cones, st).solve()
    x = np.array(sol.x, dtype=float)
    if not np.all(np.isfinite(x)):
        return None
    return [Fraction(int(round(max(a, 0.0) * (1 << 40))), 1 << 40) for a in x]
