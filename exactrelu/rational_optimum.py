"""Exact optima: when the optimum of the convex program is rational, find and prove it.

The optimal residual ``r* = y - yhat`` is unique (strict convexity of the loss in the
fit).  When it is rational, so is the optimal value ``p* = r*.y - ||r*||^2/2``, and a
certificate can state ``lower == upper``.  Steps:

1. *Guess* (floats, untrusted): the support ``S`` and the tight cone rows of each active
   block from the numeric solve; an independent subset ``S'`` of the active fits (the
   fits of ``S`` span the same space, so the KKT system restricted to ``S'`` still has
   ``r*`` as a solution, possibly with signed ``alpha``).
2. *Refine* (~60 digits; exact residuals, float64 corrections): on the KKT system in
   ``r``, ``v_b``, ``rho_b`` (tight rows), ``alpha_b`` (``b in S'``)::

       v_b = s X^T D_b r + A_bT^T rho_b,  A_bT v_b = 0,  ||v_b||^2 = lam^2,
       r + sum_b alpha_b s D_b X v_b = y.

3. *Reconstruct* each ``r_k`` as the simplest rational (continued fractions) within
   ``10^-40``; give up if none has a moderate denominator (the optimum is then
   probably irrational and the certificate keeps its bounds).
4. *Prove* (exact, no floats): every block's correlation projected exactly onto its
   cone (:mod:`exactrelu.cones`) has ``||v_b||^2 <= lam^2`` (dual feasibility with
   scale 1), and ``yhat = y - r`` is a non-negative combination ``sum alpha_b s D_b X v_b``
   of the equicorrelated blocks (``||v_b||^2 = lam^2``): exact linear algebra, or an exact
   LP with cdd.  Then ``u_b = alpha_b v_b`` is optimal, ``||u_b|| = alpha_b lam`` exactly,
   and primal value == dual value.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import numpy as np

from .linalg import column_solve, int_matrix, lcm_den
from .lp import nonneg_combination
from .numbers import sqnorm
from .problem import Block, ConvexProgram

__all__ = ["ExactOptimum", "Refinement", "exact_optimum", "optimum_or_refinement",
           "reconstruct_rational", "exact_optimum_at"]


@dataclass(frozen=True)
class ExactOptimum:
    r: tuple[Fraction, ...]
    value: Fraction
    blocks: dict            # {(i, s): u} optimal blocks (alpha_b v_b), nonzero only
    norms: dict             # {(i, s): ||u_b|| = alpha_b lam}, exact
    alpha: dict             # {(i, s): alpha_b}
    v: dict                 # {(i, s): v_b} for every equicorrelated block
    rho: dict               # {(i, s): {k: rho}} multipliers for every block that needs one
    proj_rho: dict          # {(i, s): {k: rho}} projection multipliers of equicorrelated blocks
    equicorrelated: tuple   # blocks with ||v_b||^2 == lam^2


def reconstruct_rational(x: Fraction, eps: Fraction, max_den: int = 10 ** 18) -> Fraction | None:
    """The rational with the smallest denominator among the continued-fraction
    convergents of ``x`` that lies within ``eps`` of ``x`` (denominator <= ``max_den``),
    else ``None``.  Exact (``x`` is a Fraction, e.g. a high-precision dyadic)."""
    x = Fraction(x)
    h0, h1, k0, k1 = 0, 1, 1, 0
    p, q = x.numerator, x.denominator
    while q:
        a, rem = divmod(p, q)
        h0, h1 = h1, a * h1 + h0
        k0, k1 = k1, a * k1 + k0
        if k1 > max_den:
            return None
        cand = Fraction(h1, k1)
        if abs(x - cand) <= eps:
            return cand
        p, q = q, rem
    return x if x.denominator <= max_den else None


def _independent_columns(M: np.ndarray, tol: float = 1e-6) -> list[int]:
    """Columns of a maximal independent subset (pivoted QR), in input order."""
    if M.size == 0:
        return []
    from scipy.linalg import qr

    norms = np.linalg.norm(M, axis=0)
    Mn = M / np.where(norms > 0, norms, 1)
    _, R, piv = qr(Mn, mode="economic", pivoting=True)
    diag = np.abs(np.diag(R))
    rank = int((diag > tol * max(1.0, diag.max() if diag.size else 1.0)).sum())
    return sorted(piv[:rank].tolist())


# long: one refinement loop; its exact residual and float Jacobian are closures over
# the same index layout of the KKT unknowns, which splitting would scatter
def _newton(program: ConvexProgram, S: list[Block], T: dict, r0, v0, rho0, a0,
            digits: int = 60, iters: int = 40, z0: list | None = None):
    """Refine the KKT system (module doc, step 2) to ``digits`` digits.

    Iterative refinement: the residual ``F(z)`` is evaluated EXACTLY (Fractions) at a
    dyadic iterate ``z``; the correction solves ``J delta = F`` with the float64 Jacobian
    (re-factored each step, cheap).  Convergence is linear with rate ~ cond(J) * 1e-16,
    i.e. ~10 correct digits per step on well-conditioned systems.  Returns the refined
    residual ``r`` and the full iterate as Fractions, or ``None`` if it stalls."""
    import scipy.linalg as sla

    data = program.data
    n, d = data.n, data.d
    Xq = data.X
    yq = data.y
    Xf = data.X_float()
    bits = program.patterns.bits
    Dm = {b: [ch == "1" for ch in bits[b[0]]] for b in S}
    idx = {}
    pos = n
    for b in S:
        idx[b] = (pos, pos + d, pos + d + len(T[b]))
        pos += d + len(T[b]) + 1
    N = pos
    grid = 1 << int(digits * 3.33 + 40)

    def dy(x: float | Fraction) -> Fraction:
        return Fraction(round(Fraction(x) * grid), grid)

    z = [Fraction(0)] * N
    for k in range(n if z0 is None else 0):
        z[k] = dy(float(r0[k]))
    for b in S:
        v_s, r_s, a_p = idx[b]
        for j in range(d):
            z[v_s + j] = dy(float(v0[b][j]))
        for t in range(len(T[b])):
            z[r_s + t] = dy(float(rho0[b][t]))
        z[a_p] = dy(float(a0[b]))
    if z0 is not None:
        z = [dy(a) for a in z0]

    # exact residual in scaled integers: z = Z / 2^G, X = XZ / L, y = Y / Ly, lam = ln / ld
    G = grid.bit_length() - 1
    XZ, L = int_matrix(Xq)
    Ly = lcm_den(yq)
    Y = [int(a * Ly) for a in yq]
    ln, ld = program.lam.numerator, program.lam.denominator
    S1 = (1 << (2 * G)) * L * Ly          # scale of the fit rows
    S2 = (1 << G) * L                     # scale of the v rows and the A_T v rows
    S3 = (1 << (2 * G)) * ld * ld         # scale of the norm rows
    lam_sq_scaled = ln * ln << (2 * G)

    def residual(z):
        """Exact residual as (integer, scale) pairs."""
        Z = [int(a * grid) for a in z]     # z is on the dyadic grid: exact
        F = [(Z[k] << G) * L * Ly - (Y[k] << (2 * G)) * L for k in range(n)]
        rows = []
        for b in S:
            v_s, r_s, a_p = idx[b]
            s = b[1]
            D = Dm[b]
            V = Z[v_s:v_s + d]
            Al = Z[a_p] * s * Ly
            for k in range(n):
                if D[k]:
                    xk = XZ[k]
                    F[k] += Al * sum(xk[j] * V[j] for j in range(d))
            g = [V[j] * L - s * sum(XZ[k][j] * Z[k] for k in range(n) if D[k]) for j in range(d)]
            for t, k in enumerate(T[b]):
                sg = Z[r_s + t] if D[k] else -Z[r_s + t]
                xk = XZ[k]
                for j in range(d):
                    g[j] -= sg * xk[j]
            rows.extend((gj, S2) for gj in g)
            for k in T[b]:
                sg = 1 if D[k] else -1
                rows.append((sg * sum(XZ[k][j] * V[j] for j in range(d)), S2))
            rows.append((sum(vj * vj for vj in V) * ld * ld - lam_sq_scaled, S3))
        return [(f, S1) for f in F] + rows

    def jacobian(zf):
        J = np.zeros((N, N))
        J[np.arange(n), np.arange(n)] = 1.0
        row = n
        for b in S:
            v_s, r_s, a_p = idx[b]
            s = b[1]
            D = np.array(Dm[b], dtype=float)
            v = zf[v_s:v_s + d]
            al = zf[a_p]
            J[:n, a_p] += s * D * (Xf @ v)
            J[:n, v_s:v_s + d] += al * s * D[:, None] * Xf
            J[row:row + d, v_s:v_s + d] = np.eye(d)
            J[row:row + d, :n] = -s * (D[:, None] * Xf).T
            for t, k in enumerate(T[b]):
                sg = 1.0 if Dm[b][k] else -1.0
                J[row:row + d, r_s + t] = -sg * Xf[k]
            row += d
            for t, k in enumerate(T[b]):
                sg = 1.0 if Dm[b][k] else -1.0
                J[row, v_s:v_s + d] = sg * Xf[k]
                row += 1
            J[row, v_s:v_s + d] = 2 * v
            row += 1
        return J

    target = Fraction(1, 10 ** digits)
    last = None
    lu = None
    refactored = False
    for _ in range(iters):
        Fi = residual(z)
        err = max(Fraction(abs(f), sc) for f, sc in Fi)
        if err < target:
            return z[:n], z
        F = [Fraction(f, sc) for f, sc in Fi]
        if last is not None and err > last / 1000:
            if refactored:
                return None                   # not converging fast: wrong support or singular
            lu, refactored = None, True       # one fresh Jacobian, then give up
        else:
            refactored = False
        last = err
        try:
            with warnings.catch_warnings():
                # an exactly singular Jacobian (wrong support guess) ends this attempt
                warnings.simplefilter("error", sla.LinAlgWarning)
                if lu is None:             # factor once: the iterate barely moves
                    zf = np.array([float(a) for a in z])
                    lu = sla.lu_factor(jacobian(zf), check_finite=True)
                step = sla.lu_solve(lu, np.array([float(f) for f in F]))
        except (ValueError, np.linalg.LinAlgError, sla.LinAlgWarning):
            return None
        if not np.all(np.isfinite(step)):
            return None
        z = [a - dy(Fraction(float(s))) if s else a for a, s in zip(z, step)]
    return None


def _tight(program: ConvexProgram, sol, b: Block, rtol: float = 1e-6) -> bool:
    """Is block ``b`` numerically equicorrelated, ``||c_b + A^T rho_b|| ~ lam``?"""
    i, s = b
    X = program.data.X_float()
    D = np.array([c == "1" for c in program.patterns.bits[i]])
    c = s * X.T @ (D * sol.residual)
    rho = sol.rho.get(b)
    if rho is not None:
        c = c + ((2.0 * D - 1.0)[:, None] * X).T @ np.asarray(rho, dtype=float)
    return abs(np.linalg.norm(c) / float(program.lam) - 1.0) <= rtol


def _float_guess(program: ConvexProgram, sol, rule: tuple = ('max', 1e-9),
                 col_tol: float | str = 1e-6) -> tuple | None:
    """Support, tight rows and a starting point of the KKT system from the float solve.
    ``col_tol``: the tolerance of the independent subset of the active fits, or
    ``"nnls"``: the support of a non-negative least-squares representation of the fit
    (independent, and with ``alpha > 0`` where the QR subset would need signed ones)."""
    data = program.data
    X = data.X_float()
    lam = float(program.lam)
    # support guess: blocks that are clearly nonzero AND numerically equicorrelated
    # (the solver's `active` may contain noise blocks of relative size ~1e-6)
    norms = {b: float(np.linalg.norm(sol.U[b[0], 0 if b[1] == 1 else 1])) for b in sol.active}
    top = max(norms.values(), default=0.0)
    active = [b for b in sol.active if norms[b] > 1e-4 * top and _tight(program, sol, b)]
    if not active:
        return None
    fits, S = [], []
    for (i, s) in active:
        u = sol.U[i, 0 if s == 1 else 1]
        D = np.array([c == "1" for c in program.patterns.bits[i]])
        fits.append(s * D * (X @ u))
        S.append((i, s))
    M = np.array(fits).T
    weight = np.ones(len(S))
    if col_tol == "nnls":      # a non-negative representation of the fit, on few blocks
        from scipy.optimize import nnls

        weight, _ = nnls(M, M.sum(axis=1))
        keep = [j for j in range(len(S)) if weight[j] > 1e-9 * weight.max()]
        keep = [keep[t] for t in _independent_columns(M[:, keep], 1e-6)]
    else:
        keep = _independent_columns(M, col_tol)
    S2 = [S[j] for j in keep]
    T, v0, rho0, a0 = {}, {}, {}, {}
    for j, b in zip(keep, S2):
        i, s = b
        u = sol.U[i, 0 if s == 1 else 1] * weight[j]
        nu = np.linalg.norm(u)
        v0[b] = lam * u / nu
        a0[b] = nu / lam
        bits = program.patterns.bits[i]
        A = np.array([(1 if c == "1" else -1) * X[k] for k, c in enumerate(bits)])
        rg = sol.rho.get(b)
        if rg is None:
            rg = np.zeros(data.n)
        rg = np.asarray(rg, dtype=float)
        # tight rows with a clearly positive multiplier (rho_k ||x_k|| vs lam); degenerate
        # rows (A_k v = 0 and rho_k = 0 at the optimum) are left out: the system without
        # them still has the optimum as a solution, and including them makes J singular
        scale = np.linalg.norm(A, axis=1)
        kind, tol = rule
        w = rg * scale / lam if kind == "scaled" else rg / max(1.0, float(rg.max()))
        cand = [k for k in range(data.n) if w[k] > tol
                and abs(A[k] @ u) <= 1e-7 * max(1.0, scale[k] * nu)]
        # independent subset of the tight rows
        if cand:
            keep_rows = _independent_columns(A[cand].T)
            cand = [cand[t] for t in keep_rows]
        T[b] = cand
        rho0[b] = [rg[k] for k in cand]
    return S2, T, v0, rho0, a0


@dataclass(frozen=True)
class Refinement:
    """The KKT system of a guessed support, refined to many digits (module doc, step 2):
    an *estimate* of the optimum, exact only where a proof says so.  ``r`` is the refined
    residual, ``blocks`` the refined ``u_b = alpha_b v_b`` of the independent support
    ``S'`` (dyadic rationals; not yet checked to lie in their cones), ``digits`` the
    precision of the KKT residual it reached."""

    r: tuple[Fraction, ...]
    blocks: dict
    digits: int
    #: the KKT solution itself (for :mod:`exactrelu.optimal_sets.enclosure`): the blocks
    #: ``S'`` in order, their tight cone rows ``T[b]``, and ``parts[b] = (v_b, rho_b,
    #: alpha_b)`` (``rho_b`` in the order of ``T[b]``)
    support: tuple = ()
    tight: dict | None = None
    parts: dict | None = None


def _unpack(n: int, d: int, S: list[Block], T: dict, z: Sequence) -> dict:
    """``{b: (v_b, rho_b, alpha_b)}`` of a Newton iterate ``z`` (layout of :func:`_newton`:
    ``r`` first, then per block ``v_b`` (d), its tight-row multipliers, ``alpha_b``)."""
    out, pos = {}, n
    for b in S:
        m = len(T[b])
        out[b] = (z[pos:pos + d], z[pos + d:pos + d + m], z[pos + d + m])
        pos += d + m + 1
    return out


def _violations(program: ConvexProgram, S: list[Block], T: dict, z: list[Fraction],
                tol: Fraction = Fraction(1, 10 ** 30)) -> dict:
    """``{b: [k]}``: cone rows that ``v_b`` of the iterate violates beyond ``tol``
    (relative to ``|x_k| |v_b|``, compared squared)."""
    X, bits = program.data.X, program.patterns.bits
    xn = [sqnorm(x) for x in X]
    out: dict = {}
    for b, (v, _, _) in _unpack(program.data.n, program.data.d, S, T, z).items():
        bound = tol * tol * sqnorm(v)
        for k, ch in enumerate(bits[b[0]]):
            t = sum(a * c for a, c in zip(X[k], v))
            if (t < 0 if ch == "1" else t > 0) and t * t > bound * xn[k]:
                out.setdefault(b, []).append(k)
    return out


def _is_optimum_like(program: ConvexProgram, S: list[Block], T: dict, z: list[Fraction]
                     ) -> bool:
    """Every ``alpha_b > 0`` and every ``v_b`` in its cone up to 1e-30 (relative, compared
    squared): an estimate, used only to choose among guesses."""
    parts = _unpack(program.data.n, program.data.d, S, T, z)
    return all(a > 0 for _, _, a in parts.values()) and not _violations(program, S, T, z)


def _float_start(n: int, d: int, S: list[Block], T: dict, z: Sequence) -> tuple:
    """``(r0, v0, rho0, a0)`` for :func:`_newton` from an iterate (as floats)."""
    parts = _unpack(n, d, S, T, [float(a) for a in z])
    return ([float(a) for a in z[:n]], {b: np.array(p[0]) for b, p in parts.items()},
            {b: list(p[1]) for b, p in parts.items()}, {b: p[2] for b, p in parts.items()})


def _repair_rows(program: ConvexProgram, S: list[Block], T: dict, out, digits: int,
                 rounds: int = 3):
    """Active-set repair of a KKT solution whose ``v_b`` leave their cones: add the
    violated rows to the tight sets (multiplier 0) and refine again (at most ``rounds``
    times).  Returns ``(T, v0, rho0, a0, out)``."""
    n, d = program.data.n, program.data.d
    for _ in range(rounds):
        viol = _violations(program, S, T, out[1])
        if not viol:
            break
        r0, v0, rho0, a0 = _float_start(n, d, S, T, out[1])
        T2 = {b: list(T[b]) + [k for k in viol.get(b, []) if k not in T[b]] for b in S}
        rho0 = {b: rho0[b] + [0.0] * (len(T2[b]) - len(T[b])) for b in S}
        more = _newton(program, S, T2, r0, v0, rho0, a0, digits=digits)
        if more is None:
            break
        T, out = T2, more
    _, v0, rho0, a0 = _float_start(n, d, S, T, out[1])
    return T, v0, rho0, a0, out


def _refinement(program: ConvexProgram, S: list[Block], T: dict, z: list[Fraction],
                digits: int) -> Refinement:
    """The refined residual and blocks ``u_b = alpha_b v_b`` of a Newton iterate."""
    n = program.data.n
    parts = _unpack(n, program.data.d, S, T, z)
    blocks = {b: tuple(a * x for x in v) for b, (v, _, a) in parts.items()}
    return Refinement(tuple(z[:n]), blocks, digits, tuple(S), {b: tuple(T[b]) for b in S},
                      {b: (tuple(v), tuple(rho), a) for b, (v, rho, a) in parts.items()})


def exact_optimum(program: ConvexProgram, sol, *, digits: int = 60) -> ExactOptimum | None:
    """The exact optimum if it is rational (and found), else ``None`` (see module doc)."""
    return optimum_or_refinement(program, sol, digits=digits)[0]


def optimum_or_refinement(program: ConvexProgram, sol, *, digits: int = 60
                          ) -> tuple[ExactOptimum | None, Refinement | None]:
    """``(exact optimum, None)`` when the optimum is rational and proved (module doc);
    else ``(None, refinement)`` with the KKT solution refined to ``2 digits`` digits when
    Newton converged (an irrational optimum: certify turns it into bounds ~10^-40 apart),
    else ``(None, None)``."""
    if not sol.active:
        return exact_optimum_at(program, program.data.y, candidates=[]), None
    # cheap first try: the float residual itself may round to the optimum
    # (only simple rationals: with denominators <= 1000 at 1e-9 a random float almost
    # never matches, so this costs nothing on data whose optimum is irrational)
    direct = [reconstruct_rational(Fraction(float(x)), Fraction(1, 10 ** 9), 10 ** 3)
              for x in sol.residual]
    if all(q is not None for q in direct):
        found = exact_optimum_at(program, direct, rho_guess=sol.rho)
        if found is not None:
            return found, None
    out = None
    # guesses: tight rows by three rules; fits independent at three tolerances.  Tied
    # blocks (same v_b, cones differing only on rows with x_k . v_b = 0) have EQUAL fits,
    # but their float fits differ by the solver's error (~sqrt of the objective's, 1e-5
    # measured): a 1e-6 test keeps both and makes the KKT Jacobian singular
    # A solution with some alpha_b < 0 (or a v_b outside its cone on a row left out of
    # the tight set) may still locate a rational optimum (step 4 re-solves alpha >= 0 over
    # all equicorrelated blocks), but only one with alpha_b > 0 and v_b in its cone is the
    # optimum itself: prefer it, keep the first other one as a fallback.
    first = None
    for col_tol in (1e-6, 1e-4, 1e-2, "nnls"):
        for rule in (("max", 1e-9), ("scaled", 1e-6), ("scaled", 1e-3)):
            guess = _float_guess(program, sol, rule, col_tol)
            if guess is None:
                return None, None
            S2, T, v0, rho0, a0 = guess
            out = _newton(program, S2, T, sol.residual, v0, rho0, a0, digits=digits)
            if out is not None:
                if _is_optimum_like(program, S2, T, out[1]):
                    break
                first = first or (guess, out)
                out = None
        if out is not None:
            break
    if out is None:
        if first is None:
            return None, None
        (S2, T, v0, rho0, a0), out = first
        T, v0, rho0, a0, out = _repair_rows(program, S2, T, out, digits)
    # precision schedule: a rational r_k = p/q is a convergent of its approximation once
    # the error is below 1/(2 q^2); more digits reach larger denominators
    reached = digits
    for dg in (digits, 2 * digits):
        if dg != digits:
            more = _newton(program, S2, T, sol.residual, v0, rho0, a0, digits=dg, z0=out[1])
            if more is None:
                break
            out, reached = more, dg
        eps = Fraction(1, 10 ** (dg - 2))
        r = [reconstruct_rational(x, eps, max_den=10 ** (dg // 2 - 5)) for x in out[0]]
        if all(q is not None for q in r):
            found = exact_optimum_at(program, r, candidates=S2, rho_guess=sol.rho)
            if found is not None:
                return found, None
    return None, _refinement(program, S2, T, out[1], reached)


def exact_optimum_at(program: ConvexProgram, r: Sequence[Fraction], *, candidates=(),
                     rho_guess=None) -> ExactOptimum | None:
    """Prove that the rational residual ``r`` is optimal, exactly (module doc, step 4);
    ``None`` if it is not."""
    from .certificate.dual_bound import exact_correlation_norms
    from .cones import cone_matrix, project

    lam = program.lam
    lam2 = lam * lam
    data = program.data
    r = tuple(Fraction(a) for a in r)
    C, den = exact_correlation_norms(program, r)
    lam2_int = lam2 * den * den
    rho: dict = {}
    v: dict = {}
    proj_rho: dict = {}
    E: list[Block] = []
    for i, ci in enumerate(C):
        if sum(a * a for a in ci) < lam2_int:
            continue
        bits = program.patterns.bits[i]
        A = cone_matrix(data.X, bits)
        for s in (1, -1):
            c = [Fraction(s * a, den) for a in ci]
            g = None if rho_guess is None else rho_guess.get((i, s))
            if g is not None:
                gv = np.asarray(g, dtype=float)
                g = [k for k in range(len(gv)) if gv[k] > 1e-12 * max(1.0, float(gv.max()))]
            pr = project(A, c, guess=g)
            nv2 = sqnorm(pr.v)
            if nv2 > lam2:
                return None                       # not dual feasible: r is not optimal
            if pr.rho:
                rho[(i, s)] = dict(pr.rho)
            if nv2 == lam2:
                E.append((i, s))
                v[(i, s)] = tuple(pr.v)
                proj_rho[(i, s)] = dict(pr.rho)
    yhat = tuple(a - b for a, b in zip(data.y, r))
    if not any(yhat):
        alpha: dict = {}
    else:
        alpha = _nonneg_combination(program, E, v, yhat, prefer=list(candidates))
        if alpha is None:
            return None
    blocks = {b: tuple(a * x for x in v[b]) for b, a in alpha.items() if a}
    norms = {b: alpha[b] * lam for b in blocks}
    value = program.dual_objective(r)
    primal = sqnorm(r) / 2 + lam * sum(norms.values(), Fraction(0))
    if primal != value:                            # strong duality must hold exactly
        return None
    return ExactOptimum(r, value, blocks, norms, {b: a for b, a in alpha.items() if a}, v,
                        rho, proj_rho, tuple(E))


def _nonneg_combination(program: ConvexProgram, E: list[Block], v: dict,
                        target: Sequence[Fraction], prefer: list[Block]) -> dict | None:
    """``alpha >= 0`` with ``sum_b alpha_b s D X v_b = target`` over ``E`` (exact)."""
    cols = {b: program.block_fit(b, v[b]) for b in E}
    # fast path: the preferred independent subset, solved exactly
    P = [b for b in prefer if b in cols]
    if P:
        al = column_solve([cols[b] for b in P], target)
        if al is not None and all(a >= 0 for a in al):
            return {b: a for b, a in zip(P, al)}
    # general case: exact LP feasibility (alpha >= 0, M alpha = target)
    if not E:
        return None
    al = nonneg_combination([cols[b] for b in E], target)
    return None if al is None else {b: a for b, a in zip(E, al)}
