r"""The min-norm point of ``P = {alpha >= 0 : M alpha = b}``, exactly, with its certificate.

For the optimal polytope, ``argmin ||alpha||`` is the min-norm optimal model ``argmin ||w||``
(docs/theory.md §2.12, T23).  It is the unique ``alpha`` in ``P`` for which some ``mu``
gives ``alpha = (M^T mu)_+`` -- the KKT conditions of ``min 1/2||alpha||^2`` s.t. ``M alpha =
b``, ``alpha >= 0`` -- and this ``mu`` (:class:`MinNorm`) is checked exactly before anything
is returned.  ``mu`` maximises the concave dual ``phi(mu) = b.mu - 1/2||(M^T mu)_+||^2``; the
search (:func:`_newton`) runs an exact generalized Newton ascent on ``phi`` whose iterates
only propose positive sets ``F``, each tried exactly (:func:`_candidate`).  If it stalls,
Wolfe's (1976) minimum-norm-point algorithm runs in exact arithmetic (:func:`wolfe`) and
the certificate comes from an exact LP (:func:`certificate`: ``alpha`` is the min-norm point
iff ``min_{a in P} alpha.a = ||alpha||^2``).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Sequence

import flint

from ..errors import ExactReluError
from ..linalg import fq as _fq, fr as _fr, independent_rows, least_norm_solution
from ..lp import solve as lp_solve
from ..numbers import dot
from ._float_guess import dual_start

if TYPE_CHECKING:
    from .polytope import Polytope

__all__ = ["MinNorm", "min_norm", "certificate", "wolfe"]

Vec = tuple[Fraction, ...]
_ZERO = Fraction(0)
_ONE = Fraction(1)


@dataclass(frozen=True)
class MinNorm:
    """``alpha = argmin ||alpha||^2`` over the polytope with its certificate ``mu``:
    ``alpha = (M^T mu)_+`` and ``M alpha = b`` (then ``alpha`` is the unique minimiser:
    ``M^T mu <= alpha`` and ``b.mu = ||alpha||^2`` make ``mu`` dual optimal)."""

    alpha: Vec
    mu: Vec
    method: str


def min_norm(P: Polytope) -> MinNorm:
    """``argmin {||alpha||^2 : alpha in P}`` exactly, with ``mu`` such that
    ``alpha = (M^T mu)_+`` (verified exactly; see :class:`MinNorm`).

    Route: (1) a float QP guesses the positive set ``F``; (2) exact semismooth Newton
    on the dual equation ``M (M^T mu)_+ = b``: ``mu`` solves ``M_F M_F^T mu = b``, then
    ``F <- {j : m_j.mu > 0}``, until ``alpha = (M^T mu)_+`` satisfies ``M alpha = b``
    exactly (that IS the KKT certificate); (3) if that stalls, Wolfe's (1976)
    minimum-norm-point algorithm runs exactly (finite: each major cycle strictly
    decreases the norm; linear oracle = the vertex list when known, else exact LPs),
    and ``mu`` comes from the exact LP ``max b.mu s.t. M^T mu <= alpha``."""
    p = P.point
    if p is None:
        raise ExactReluError("the polytope is empty")
    if not P.null_basis:
        cert = certificate(P, p)
        if cert is None:                                    # pragma: no cover
            raise ExactReluError("internal: the only point failed the KKT check")
        return MinNorm(p, cert, "unique point")
    got = _newton(P)
    if got is not None:
        return got
    cand = wolfe(P)
    cert = certificate(P, cand)
    if cert is None:                                        # pragma: no cover
        raise ExactReluError("internal: Wolfe's point failed the KKT check")
    return MinNorm(tuple(cand), cert, "Wolfe (exact)")


def _newton(P: Polytope, max_iter: int = 200, bits: int = 160) -> MinNorm | None:
    """Ascent on the concave piecewise-quadratic dual
    ``phi(mu) = b.mu - 1/2 ||(M^T mu)_+||^2`` whose maximiser gives the min-norm point
    ``(M^T mu)_+``.  The iterates only *search* for the optimal positive set ``F``:
    direction = generalized Newton step (``M_F M_F^T d = grad``, or the part of
    ``grad`` orthogonal to ``range(M_F)``), step = exact maximiser of ``phi`` on the
    ray; ``mu`` and ``d`` are rounded to ``bits`` significant bits so that numbers
    stay small.  Each ``F`` met is tried EXACTLY (:func:`_candidate`): the candidate
    determined by ``F`` alone is accepted only with its exact KKT certificate."""
    m, L = len(P._eq_rows), P.L
    if m == 0:
        return None
    Mq = P._eq_fmpq()
    b = [_fq(a) for a in P._eq_rhs]
    mu = dual_start(P)
    zero = flint.fmpq(0)
    tried: set = set()
    for _ in range(max_iter):
        g = (flint.fmpq_mat(1, m, mu) * Mq).entries()
        F = [j for j in range(L) if g[j] > 0]
        if tuple(F) not in tried:
            tried.add(tuple(F))
            got = _candidate(P, F)
            if got is not None:
                return got
        grad = list(b)
        for j in F:
            for i in range(m):
                if Mq[i, j] != 0:
                    grad[i] -= Mq[i, j] * g[j]
        if all(x == 0 for x in grad):                       # pragma: no cover
            return None                # (the candidate of F would have been accepted)
        gr = [_round_fmpq(x, bits) for x in grad]
        d = _ascent_direction(P, F, gr)
        if d is None:                                       # pragma: no cover
            return None
        d = [_round_fmpq(x, bits) for x in d]
        h = (flint.fmpq_mat(1, m, d) * Mq).entries()
        slope0 = sum((x * y for x, y in zip(b, d)), zero) - \
            sum((h[j] * g[j] for j in F), zero)
        if slope0 <= 0:                                     # steepest ascent instead
            d = gr
            h = (flint.fmpq_mat(1, m, d) * Mq).entries()
            slope0 = sum((x * y for x, y in zip(b, d)), zero) - \
                sum((h[j] * g[j] for j in F), zero)
            if slope0 <= 0:                                 # pragma: no cover
                return None
        t = _exact_line_search(slope0, g, h)
        if t is None or t <= 0:                             # pragma: no cover
            return None
        mu = [_round_fmpq(x + t * y, bits) for x, y in zip(mu, d)]
    return None


def _candidate(P: Polytope, F: Sequence[int]) -> MinNorm | None:
    """The min-norm point IF its positive set is ``F``: with ``M_F`` of full row rank,
    ``mu = (M_F M_F^T)^-1 b`` and ``alpha = (M^T mu)_+`` is accepted iff
    ``M alpha = b`` (then ``alpha = (M^T mu)_+`` IS the KKT certificate); otherwise the
    least-norm solution of ``M_F alpha_F = b`` is accepted iff positive and certified
    by the exact LP of :meth:`_min_norm_certificate`."""
    m, L = len(P._eq_rows), P.L
    if not F:
        return None
    Mq = P._eq_fmpq()
    MF = flint.fmpq_mat(m, len(F), [Mq[i, j] for i in range(m) for j in F])
    bq = flint.fmpq_mat(m, 1, [_fq(a) for a in P._eq_rhs])
    try:
        mu = (MF * MF.transpose()).solve(bq)
    except ZeroDivisionError:
        x = least_norm_solution([[r[j] for j in F] for r in P._eq_rows],
                                P._eq_rhs, len(F))
        if x is None or any(a <= 0 for a in x):
            return None
        alpha = [_ZERO] * L
        for j, a in zip(F, x):
            alpha[j] = a
        cert = certificate(P, tuple(alpha))
        if cert is None:
            return None
        return MinNorm(tuple(alpha), cert, "exact active set + LP certificate")
    g = (mu.transpose() * Mq).entries()
    alpha = tuple(_fr(a) if a > 0 else _ZERO for a in g)
    if P.fit_of(alpha) != P.b:
        return None
    mu_full = [_ZERO] * P.n
    for k, i in enumerate(P._keep):
        mu_full[i] = _fr(mu[k, 0])
    return MinNorm(alpha, tuple(mu_full), "exact semismooth Newton (KKT certified)")


def _ascent_direction(P: Polytope, F: Sequence[int], grad: Sequence[Any]) -> list | None:
    """``d`` with ``M_F M_F^T d = grad`` (least norm) if solvable, else the component
    of ``grad`` orthogonal to ``range(M_F)`` (an ascent direction of ``phi``)."""
    m = len(P._eq_rows)
    gradF = [_fr(x) for x in grad]
    if not F:
        return [_fq(x) for x in gradF]
    cols = [[P._eq_rows[i][j] for i in range(m)] for j in F]      # columns of M_F
    # projection of grad onto range(M_F): least squares with independent columns
    piv = independent_rows(cols, m)                                  # independent columns
    A = flint.fmpq_mat(m, len(piv), [_fq(cols[c][i]) for i in range(m) for c in piv])
    At = A.transpose()
    gq = flint.fmpq_mat(m, 1, [_fq(x) for x in gradF])
    w = (At * A).solve(At * gq)
    proj = (A * w).entries()
    orth = [x - y for x, y in zip(gq.entries(), proj)]
    if any(x != 0 for x in orth):
        return orth
    # grad in range(M_F): z = least-norm solution of M_F z = grad, then d in range(M_F)
    # with M_F^T d = z:  d = A u where (A^T ... ) -- solve A^T A u = (A^T A)^{-1}-free form
    MF = flint.fmpq_mat(m, len(F), [_fq(P._eq_rows[i][j]) for i in range(m) for j in F])
    # least-norm z: z = M_F^T y with (M_F M_F^T) y = grad restricted to range -> use A:
    # range(M_F) = range(A); write y = A v: (M_F M_F^T) A v = grad
    G = MF * MF.transpose()
    GA = G * A
    v = (GA.transpose() * GA).solve(GA.transpose() * gq)
    d = (A * v).entries()
    check = (G * flint.fmpq_mat(m, 1, d)).entries()
    if any(x != y for x, y in zip(check, gq.entries())):            # pragma: no cover
        return None
    return d


def certificate(P: Polytope, alpha: Sequence[Fraction]) -> Vec | None:
    """``mu`` (on all ``n`` rows) with ``alpha = (M^T mu)_+`` and ``M alpha = b``, or
    ``None`` if ``alpha`` is not the min-norm point.  ``alpha`` is the min-norm point
    iff ``min_{a in P} alpha.a = ||alpha||^2`` (first-order condition); the exact LP
    (:meth:`Polytope.lp`) gives the value and its dual ``mu`` (``M^T mu <= alpha``,
    ``b.mu = ||alpha||^2``), which is the certificate.  cdd is the fallback."""
    alpha = tuple(alpha)
    if not P.contains(alpha):
        return None
    m = len(P._eq_rows)
    mu_full: list[Fraction] | None = None
    if m == 0:
        mu_full = [_ZERO] * P.n
    elif P.null_basis:
        val, _ = P.lp(alpha, maximize=False)
        if val != dot(alpha, alpha):
            return None
        if P.last_dual is not None:
            mu_full = list(P.last_dual)
    if mu_full is None:
        # max b.mu  s.t.  alpha_j - sum_k M_kj mu_k >= 0
        res = lp_solve(P._eq_rhs, A_ge=[[-P._eq_rows[k][j] for k in range(m)]
                                           for j in range(P.L)],
                       b_ge=[-a for a in alpha], maximize=True)
        if res is None:
            return None
        sol = res[1]
        mu_full = [_ZERO] * P.n
        for k, i in enumerate(P._keep):
            mu_full[i] = Fraction(sol[k])
    # verify alpha = (M^T mu)_+ exactly, on all rows
    for j in range(P.L):
        g = sum((P._rows[i][j] * mu_full[i] for i in range(P.n) if mu_full[i]), _ZERO)
        if alpha[j] != max(g, _ZERO):
            return None
    return tuple(mu_full)


def wolfe(P: Polytope) -> Vec:
    """Wolfe's minimum-norm-point algorithm over ``P = conv(vertices)``, exact."""
    V = P._vertices
    if V is not None:
        def oracle(x: Sequence[Fraction]) -> Vec:
            return min(V, key=lambda v: dot(x, v))
    else:
        def oracle(x: Sequence[Fraction]) -> Vec:
            return P.lp(x, maximize=False)[1]
    x = oracle(P.point)                     # any vertex
    S: list[Vec] = [x]
    lam: list[Fraction] = [_ONE]
    for _ in range(100000):
        p = oracle(x)
        if dot(x, p) >= dot(x, x):
            return tuple(x)
        S.append(p)
        lam.append(_ZERO)
        while True:
            w = _affine_min_norm(S)
            if all(a > 0 for a in w):
                lam = w
                break
            theta = min(lam[i] / (lam[i] - w[i]) for i in range(len(S)) if w[i] <= 0)
            lam = [(1 - theta) * a + theta * b for a, b in zip(lam, w)]
            keep = [i for i in range(len(S)) if lam[i] > 0]
            S = [S[i] for i in keep]
            lam = [lam[i] for i in keep]
        x = tuple(sum((l * s[j] for l, s in zip(lam, S)), _ZERO) for j in range(P.L))
    raise ExactReluError("internal: Wolfe's algorithm did not terminate")  # pragma: no cover


def _round_fmpq(x, bits: int):
    """``x`` rounded to ``bits`` significant bits (a dyadic fmpq; 0 stays 0)."""
    if x == 0:
        return x
    p, q = int(x.p), int(x.q)
    e = bits - (abs(p).bit_length() - q.bit_length())
    if e >= 0:
        num, den = p << e, q
    else:
        num, den = p, q << (-e)
    r = (2 * num + den) // (2 * den)                 # round half up
    return flint.fmpq(r, 1 << e) if e >= 0 else flint.fmpq(r << (-e), 1)


def _exact_line_search(slope0, g: Sequence[Any], h: Sequence[Any]):
    """The maximiser ``t > 0`` of ``phi(mu + t d)`` for the concave piecewise quadratic
    ``phi``: its derivative ``slope0 - sum_j h_j ((g_j + t h_j)_+ - (g_j)_+)`` is
    non-increasing and piecewise linear; breakpoints ``t_j = -g_j / h_j`` are visited in
    order (exact rationals)."""
    zero = flint.fmpq(0)
    # derivative at t: A - B t over the current piece, with active = {g_j + t h_j > 0}
    events = []
    A = slope0
    B = zero
    for gj, hj in zip(g, h):
        if hj == 0:
            continue
        if gj > 0:
            # active at 0+: contributes -hj*(gj + t hj) + hj*gj = -hj^2 t ; ends at -gj/hj if hj<0
            B += hj * hj
            if hj < 0:
                events.append((-gj / hj, hj, gj, -1))
        else:
            if hj > 0:                          # switches on at t_j = -gj/hj >= 0
                events.append((-gj / hj, hj, gj, +1))
    events.sort(key=lambda e: e[0])
    t0 = zero
    for tj, hj, gj, kind in events:
        # on [t0, tj]: derivative A - B t
        if B > 0:
            root = A / B
            if root <= tj:
                return root if root > t0 else t0
        elif A <= 0:
            return t0
        # cross the breakpoint
        if kind == +1:                          # term -hj (gj + t hj) switches on
            A -= hj * gj
            B += hj * hj
        else:                                   # term switches off
            A += hj * gj
            B -= hj * hj
        t0 = tj
    if B > 0:
        root = A / B
        return root if root > t0 else t0
    return None                                 # unbounded ascent: cannot happen if P != {}


def _affine_min_norm(S: Sequence[Vec]) -> list[Fraction]:
    """Weights ``w`` (sum 1) of the min-norm point of the affine hull of the affinely
    independent points ``S``: ``[S S^T, 1; 1^T, 0] [w; theta] = [0; 1]``."""
    k = len(S)
    G = [[dot(a, b) for b in S] for a in S]
    A = flint.fmpq_mat(k + 1, k + 1, [_fq(x) for r in G for x in (r + [_ONE])]
                       + [_fq(_ONE)] * k + [_fq(_ZERO)])
    rhs = flint.fmpq_mat(k + 1, 1, [_fq(_ZERO)] * k + [_fq(_ONE)])
    sol = A.solve(rhs)
    return [_fr(a) for a in sol.entries()[:k]]

