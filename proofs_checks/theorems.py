#!/usr/bin/env python3
"""Check the paper's claims, exactly, over a batch of generated instances.

    python proofs_checks/theorems.py [--instances N] [--seed S] [--only T5,T9] [--verbose]

Every claim of ``docs/theory.md`` §5.2 that the library can reach is
checked on ``N`` seeded instances of its kind (planted C-ReLU optima with unique or
non-unique optimal sets, degenerate rational matrices, random rational networks,
produced certificates), with exact rational arithmetic only: square roots are never
rounded (signs of sums of square roots are decided by :mod:`exactrelu.algebraic`).
Each claim has

* a **check**: the claim holds on the instance (``ClaimFailure`` otherwise), computed
  independently of the code that made the instance where possible (e.g. optimality is
  proved by an exact objective equal to an exact dual bound, not taken from the
  planting);
* a **negative control**: a perturbed input for which the claim's hypothesis fails, or
  a deliberately wrong variant of the claim, which the same machinery must catch
  (``ClaimFailure`` if it is *not* caught).  A control shows the check can fail.

It prints one table (claim, source, instances, checks passed, controls caught, seconds)
and exits 1 if any check fails or any control is missed, 0 otherwise.  This script
imports the library (unlike ``check_cert.py``, which must not); the per-claim pytest
modules in ``tests/theorems/`` run the same checks and controls under Hypothesis.
"""
from __future__ import annotations

import argparse
import importlib.util
import itertools
import random
import sys
import time
import traceback
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import flint  # noqa: E402

from exactrelu.algebraic import compare_sum_sqrt, sign_sum_sqrt  # noqa: E402
from exactrelu.certificate.completeness import (completeness_proof,  # noqa: E402
                                                verify_completeness)
from exactrelu.cones import cone_matrix, dual_margin, project  # noqa: E402
from exactrelu.errors import ExactReluError  # noqa: E402
from exactrelu.conversions import (compare_convex_nc, convex_to_network,  # noqa: E402
                                   network_to_convex)
from exactrelu.networks import Network  # noqa: E402
from exactrelu.numbers import dot, exact_sqrt, sqnorm, sqrt_bounds  # noqa: E402
from exactrelu.arrangement import (enumerate_patterns, is_general_position,  # noqa: E402
                                neuron_region, region_count_general_position)
from exactrelu.planted import Planted, planted_instance  # noqa: E402
from exactrelu.problem import ConvexProgram, Dataset  # noqa: E402

Block = tuple[int, int]
Vec = tuple[Fraction, ...]
Blocks = dict[Block, Vec]
_0 = Fraction(0)
_1 = Fraction(1)


class ClaimFailure(AssertionError):
    """A claim does not hold on an instance, or a negative control was not caught."""


def need(cond: Any, msg: str) -> None:
    if not cond:
        raise ClaimFailure(msg)


# =============================================================== exact helpers

def _fq(x: Fraction) -> "flint.fmpq":
    return flint.fmpq(x.numerator, x.denominator)


def rank(vectors: Sequence[Sequence[Fraction]]) -> int:
    """Exact rank of a list of vectors (python-flint, tall orientation)."""
    vs = [list(v) for v in vectors]
    if not vs or not vs[0]:
        return 0
    m, n = len(vs), len(vs[0])
    M = flint.fmpq_mat(m, n, [_fq(a) for v in vs for a in v])
    return (M.transpose() if m < n else M).rank()


def null_vector(cols: Sequence[Sequence[Fraction]]) -> list[Fraction] | None:
    """A nonzero ``beta`` with ``sum_j beta_j cols_j = 0``, or None (exact RREF)."""
    k = len(cols)
    if k == 0:
        return None
    n = len(cols[0])
    A = flint.fmpq_mat(n, k, [_fq(cols[j][i]) for i in range(n) for j in range(k)])
    R, r = A.rref()
    if r == k:
        return None
    piv = []
    for i in range(r):
        piv.append(next(j for j in range(k) if R[i, j] != 0))
    free = next(j for j in range(k) if j not in piv)
    beta = [_0] * k
    beta[free] = _1
    for i, pj in enumerate(piv):
        x = R[i, free]
        beta[pj] = -Fraction(int(x.p), int(x.q))
    return beta


def positively_collinear(u: Sequence[Fraction], v: Sequence[Fraction]) -> bool:
    """``u = c v`` for some ``c > 0`` (exact: all 2x2 minors vanish and ``u . v > 0``)."""
    if dot(u, v) <= 0:
        return False
    return all(u[i] * v[j] == u[j] * v[i] for i in range(len(u)) for j in range(i + 1, len(u)))


def relu_identity(X: Sequence[Sequence[Fraction]], bits: str, u: Sequence[Fraction]) -> bool:
    """``D X u == (X u)_+`` for the pattern ``bits``."""
    for x, b in zip(X, bits):
        val = dot(x, u)
        if (val if b == "1" else _0) != (val if val > 0 else _0):
            return False
    return True


def in_cone(X: Sequence[Sequence[Fraction]], bits: str, u: Sequence[Fraction]) -> bool:
    """``(2 D - I) X u >= 0``."""
    return all((dot(x, u) >= 0) if b == "1" else (dot(x, u) <= 0) for x, b in zip(X, bits))


def objective_sign(prog: ConvexProgram, blocks: Mapping[Block, Sequence[Fraction]],
                   value: Fraction) -> int:
    """Exact sign of ``C(blocks) - value`` (norms as exact square roots)."""
    terms = [(prog.loss(blocks) - value, _1)]
    terms += [(prog.lam, sqnorm(u)) for u in blocks.values() if any(u)]
    return sign_sum_sqrt(terms)


def feasible(prog: ConvexProgram, blocks: Mapping[Block, Sequence[Fraction]]) -> bool:
    """Every block in its cone, tested here (:func:`in_cone`), not by the library."""
    X, bits = prog.data.X, prog.patterns.bits
    return all(in_cone(X, bits[b[0]], u) for b, u in blocks.items())


def scale_blocks(blocks: Mapping[Block, Vec], c: Fraction) -> Blocks:
    return {b: tuple(c * a for a in u) for b, u in blocks.items()}


def combine(points: Sequence[Mapping[Block, Vec]], weights: Sequence[Fraction]) -> Blocks:
    out: dict[Block, list[Fraction]] = {}
    for w, pt in zip(weights, points):
        for b, u in pt.items():
            acc = out.setdefault(b, [_0] * len(u))
            for j, a in enumerate(u):
                acc[j] += w * a
    return {b: tuple(u) for b, u in out.items() if any(u)}


# -------------------------------------------------------- polytopes (cdd, exact LPs)

def polytope_vertices(cols: Mapping[Any, Sequence[Fraction]], target: Sequence[Fraction]
                      ) -> list[dict[Any, Fraction]]:
    """Vertices of ``{alpha >= 0 : sum_k alpha_k cols_k = target}`` (cdd.gmp, exact);
    each as ``{key: alpha_k}`` with the zero entries left out."""
    import cdd
    import cdd.gmp

    keys = list(cols)
    L = len(keys)
    if L == 0:
        return [{}] if not any(target) else []
    rows = [[-t] + [cols[k][r] for k in keys] for r, t in enumerate(target)]
    rows += [[_0] + [Fraction(int(i == j)) for i in range(L)] for j in range(L)]
    mat = cdd.gmp.matrix_from_array(rows, lin_set=range(len(target)),
                                    rep_type=cdd.RepType.INEQUALITY)
    gens = cdd.gmp.copy_generators(cdd.gmp.polyhedron_from_matrix(mat))
    out = []
    for g in gens.array:
        need(g[0] == 1, "the optimal polytope has a ray (it must be bounded)")
        out.append({k: Fraction(a) for k, a in zip(keys, g[1:]) if a != 0})
    return out


def lp_feasible(cols: Mapping[Any, Sequence[Fraction]], target: Sequence[Fraction],
                allowed: Sequence[Any]) -> bool:
    """Is there ``alpha >= 0`` supported on ``allowed`` with ``sum alpha_k cols_k = target``?"""
    import cdd
    import cdd.gmp

    keys = list(allowed)
    if not keys:
        return not any(target)
    L = len(keys)
    rows = [[-t] + [cols[k][r] for k in keys] for r, t in enumerate(target)]
    rows += [[_0] + [Fraction(int(i == j)) for i in range(L)] for j in range(L)]
    mat = cdd.gmp.matrix_from_array(rows, lin_set=range(len(target)),
                                    rep_type=cdd.RepType.INEQUALITY,
                                    obj_type=cdd.LPObjType.MIN, obj_func=[_0] * (L + 1))
    lp = cdd.gmp.linprog_from_matrix(mat)
    cdd.gmp.linprog_solve(lp)
    return lp.status == cdd.LPStatusType.OPTIMAL


def independent_support(cols: Mapping[Any, Sequence[Fraction]], alpha: Mapping[Any, Fraction]) -> bool:
    supp = [k for k, a in alpha.items() if a]
    return rank([cols[k] for k in supp]) == len(supp)


def support_minimal(cols: Mapping[Any, Sequence[Fraction]], target: Sequence[Fraction],
                    alpha: Mapping[Any, Fraction]) -> bool:
    """No feasible point of the polytope has a support strictly inside ``alpha``'s."""
    supp = [k for k, a in alpha.items() if a]
    return not any(lp_feasible(cols, target, [k for k in supp if k != drop]) for drop in supp)


def same_alpha(a: Mapping[Any, Fraction], b: Mapping[Any, Fraction]) -> bool:
    return {k: x for k, x in a.items() if x} == {k: x for k, x in b.items() if x}


# ------------------------------------------------------------- the optimal set

@dataclass
class OptimalSet:
    """The optimal set of a planted instance, recomputed from its residual.

    ``v[b]`` is the exact projection of the correlation ``s X^T D_i r̂`` onto ``K_i``
    (:func:`exactrelu.cones.project`, not the planted value), ``E`` the blocks with
    ``||v_b||^2 = lam^2`` (exact, over every block), ``M[b] = s D_i X v_b``, and the
    optimal value is certified: ``r̂`` is dual feasible for every block and the dual
    objective at ``r̂`` equals the objective of the planted blocks (exact).
    """

    p: Planted
    prog: ConvexProgram
    E: list[Block]
    v: dict[Block, Vec]
    M: dict[Block, Vec]
    y_hat: Vec
    r_hat: Vec
    value: Fraction
    vertices: list[dict[Block, Fraction]] = field(default_factory=list)

    def blocks(self, alpha: Mapping[Block, Fraction]) -> Blocks:
        return {b: tuple(a * x for x in self.v[b]) for b, a in alpha.items() if a}


def optimal_set(p: Planted) -> OptimalSet:
    prog = p.program
    lam2 = p.lam * p.lam
    r = p.r_hat
    margins = dual_margin(prog, r)
    need(all(m <= lam2 for _, m in margins), "planted residual is not dual feasible")
    E = sorted(b for b, m in margins if m == lam2)
    v = {}
    for b in E:
        pr = project(cone_matrix(prog.data.X, prog.patterns.bits[b[0]]), prog.correlation(b, r))
        v[b] = pr.v
    M = {b: prog.block_fit(b, v[b]) for b in E}
    value = prog.dual_objective(r)
    need(objective_sign(prog, p.blocks, value) == 0,
         "planted blocks: objective != dual objective at r_hat (optimum not certified)")
    y_hat = tuple(a - b for a, b in zip(prog.data.y, r))
    os_ = OptimalSet(p, prog, E, v, M, y_hat, r, value)
    os_.vertices = polytope_vertices(M, y_hat)
    need(os_.vertices, "optimal polytope is empty")
    return os_


def _library_optimal_set(os_: OptimalSet):
    """:func:`exactrelu.optimal_sets.optimal_set` on the same instance, if that module is
    present (it is cross-checked, never trusted), else None."""
    if importlib.util.find_spec("exactrelu.optimal_sets") is None:
        return None
    from exactrelu.rational_optimum import exact_optimum_at
    from exactrelu.optimal_sets import optimal_set as lib_optimal_set

    eo = exact_optimum_at(os_.prog, os_.r_hat)
    need(eo is not None, "exact_optimum_at rejected the planted residual")
    return lib_optimal_set(os_.prog, eo)


def independent_optimum(p: Planted) -> Blocks | None:
    """An optimal solution found WITHOUT the planted residual: float solve (Clarabel),
    then :func:`exactrelu.rational_optimum.exact_optimum` (Newton refinement, rational
    reconstruction, exact KKT proof).  None when that pipeline does not find it (seen on
    planted instances with a non-unique optimum, and when Clarabel stops early)."""
    from exactrelu.approx.solver import solve_crelu
    from exactrelu.rational_optimum import exact_optimum

    from exactrelu.errors import SolverError

    try:
        sol = solve_crelu(p.data.X_float(), p.data.y_float(), float(p.lam),
                          p.patterns.as_array())
    except SolverError:             # the float solver is untrusted and may give up
        return None
    eo = exact_optimum(p.program, sol)
    return None if eo is None else dict(eo.blocks)


def optimal_points(os_: OptimalSet, rng: random.Random, *, independent: bool = True
                   ) -> list[tuple[str, Blocks]]:
    """Optimal solutions from several sources, each labelled."""
    out: list[tuple[str, Blocks]] = [("planted", dict(os_.p.blocks))]
    for k, a in enumerate(os_.vertices):
        out.append((f"vertex {k}", os_.blocks(a)))
    if len(os_.vertices) > 1:
        for _ in range(2):
            w = [Fraction(rng.randint(1, 5)) for _ in os_.vertices]
            tot = sum(w)
            alpha = {}
            for wi, a in zip(w, os_.vertices):
                for b, x in a.items():
                    alpha[b] = alpha.get(b, _0) + wi / tot * x
            out.append(("convex combination", os_.blocks(alpha)))
    if independent:
        ind = independent_optimum(os_.p)
        if ind is not None:
            out.append(("float solve + exact_optimum", ind))
    return out


# ================================================================= instances

def _planted_params(rng: random.Random, unique: bool | None) -> tuple[int, int, int, bool]:
    uq = rng.random() < 0.5 if unique is None else unique
    while True:
        n = rng.randint(3, 8)
        d = rng.randint(1, 3)
        k = rng.randint(1, 3)
        dd, kd, nc = d, (k if uq else k - 1), (n if uq else n - 1)
        if not uq and (k < 2 or d == 1):
            continue
        if kd * dd <= nc:
            return n, d, k, uq


def make_planted(rng: random.Random, unique: bool | None = None) -> Planted:
    """A planted instance (docs/theory.md §5.0 (c)); ``unique=None`` draws either kind."""
    while True:
        n, d, k, uq = _planted_params(rng, unique)
        try:
            return planted_instance(n, d, k, seed=rng.randrange(2 ** 31), unique=uq,
                                    max_attempts=60)
        except ExactReluError:
            continue


def make_matrix(rng: random.Random, *, general_position: bool | None = None
                ) -> list[list[Fraction]]:
    """A small rational matrix: general position, or degenerate (duplicate, parallel,
    antiparallel, zero rows, rank deficient, integer grid)."""
    n, d = rng.randint(1, 7), rng.randint(1, 3)

    def q() -> Fraction:
        return Fraction(rng.randint(-6, 6), rng.randint(1, 4))

    if general_position is None:
        general_position = rng.random() < 0.4
    if general_position:
        n = max(n, d)
        ts = rng.sample(range(-9, 10), n)
        return [[Fraction(rng.choice([-3, -2, -1, 1, 2, 3]), rng.randint(1, 3))
                 * Fraction(t, 2) ** j for j in range(d)] for t in ts]
    kind = rng.choice(["generic", "duplicate", "parallel", "antiparallel", "zero",
                       "rank_deficient", "grid"])
    if kind == "grid":
        return [[Fraction(rng.randint(-1, 1)) for _ in range(d)] for _ in range(n)]
    if kind == "rank_deficient" and d >= 2:
        basis = [[q() for _ in range(d)] for _ in range(rng.randint(1, d - 1))]
        return [[sum((c * b[j] for c, b in zip([q() for _ in basis], basis)), _0)
                 for j in range(d)] for _ in range(n)]
    rows = [[q() for _ in range(d)] for _ in range(n)]
    for k in range(1, n):
        if rng.random() < 0.4:
            if kind == "zero":
                rows[k] = [_0] * d
            elif kind in ("duplicate", "parallel", "antiparallel"):
                c = _1 if kind == "duplicate" else Fraction(rng.randint(1, 5), rng.randint(1, 3))
                rows[k] = [(-c if kind == "antiparallel" else c) * a
                           for a in rows[rng.randrange(k)]]
    return rows


def make_network(rng: random.Random) -> tuple[Dataset, Network]:
    """Random data and a random rational network (balanced, copied, free, zero neurons)."""
    X = make_matrix(rng, general_position=False)
    d = len(X[0])
    data = Dataset.from_arrays(X, [Fraction(rng.randint(-6, 6), rng.randint(1, 3)) for _ in X])
    W1: list[tuple[Fraction, ...]] = []
    w2: list[Fraction] = []
    for _ in range(rng.randint(1, 5)):
        kind = rng.choice(["balanced", "balanced", "copy", "free", "zero"])
        if kind == "copy" and W1:
            j = rng.randrange(len(W1))
            c = rng.choice([Fraction(1, 2), _1, Fraction(2)])
            W1.append(tuple(c * a for a in W1[j]))
            w2.append(c * w2[j])
        elif kind == "free":
            W1.append(tuple(Fraction(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(d)))
            w2.append(Fraction(rng.randint(-4, 4), rng.randint(1, 3)))
        elif kind == "zero":
            W1.append(tuple(_0 for _ in range(d)))
            w2.append(_0)
        else:
            t = [Fraction(rng.randint(-3, 3), rng.randint(1, 2)) for _ in range(d - 1)]
            s = sum((a * a for a in t), _0)
            e = [2 * a / (1 + s) for a in t] + [(1 - s) / (1 + s)]
            c = Fraction(rng.randint(1, 4), rng.randint(1, 2))
            W1.append(tuple(c * a * rng.choice([1, -1]) for a in e))
            w2.append(c * rng.choice([1, -1]))
    return data, Network(tuple(W1), tuple(w2), dim=d)


def make_dataset(rng: random.Random) -> Dataset:
    X = make_matrix(rng)
    while not any(any(x) for x in X):
        X = make_matrix(rng)
    return Dataset.from_arrays(X, [Fraction(rng.randint(-6, 6), rng.randint(1, 3)) for _ in X])


@dataclass
class CertInstance:
    planted: Planted
    cert: dict


def make_certificate(rng: random.Random) -> CertInstance:
    """A certificate produced by :func:`exactrelu.certificate.produce.certify` on a small planted
    instance with a unique optimum (so ``lower == upper``, proved exactly)."""
    from exactrelu.certificate.produce import certify

    while True:
        n = rng.randint(3, 6)
        d = rng.randint(1, 2)
        k = 1 if n < 2 * d else rng.randint(1, 2)
        try:
            p = planted_instance(n, d, k, seed=rng.randrange(2 ** 31), max_attempts=60)
        except ExactReluError:
            continue
        res = certify(p.data, p.lam, progress=False)
        if res.exact and res.lower == p.value:
            return CertInstance(p, res.certificate)


MAKERS: dict[str, Callable[[random.Random], Any]] = {
    "planted": make_planted,
    "planted_nonunique": lambda rng: make_planted(rng, unique=False),
    "matrix": make_matrix,
    "dataset": make_dataset,
    "network": make_network,
    "certificate": make_certificate,
    "stationary": lambda rng: make_stationary(rng),
}


def _rng_of(inst: Any) -> random.Random:
    seed = getattr(inst, "seed", None)
    if seed is None and isinstance(inst, CertInstance):
        seed = inst.planted.seed
    return random.Random(seed if seed is not None else 12345)


# ===================================================================== claims
# Each claim: check(inst) raises ClaimFailure if the claim fails on inst;
# control(inst) raises ClaimFailure if its negative control is NOT caught.

# ---------------------------------------------------------------- T1 unique fit

def t1_check(p: Planted) -> None:
    """Every optimal solution has the same fit (docs/theory.md §2.2 L1).  Optimality of each
    point is proved by its exact objective equalling the certified optimum."""
    os_ = optimal_set(p)
    pts = optimal_points(os_, _rng_of(p))
    fit0 = None
    for label, w in pts:
        need(feasible(os_.prog, w), f"{label}: a block leaves its cone")
        need(objective_sign(os_.prog, w, os_.value) == 0, f"{label}: not optimal")
        fit = os_.prog.fit(w)
        if fit0 is None:
            fit0 = fit
        need(fit == fit0, f"{label}: optimal fit {fit} differs from {fit0}")
    need(fit0 == os_.y_hat, "optimal fit != y - r_hat")


def t1_control(p: Planted) -> None:
    """A point with a different fit must be detected as non-optimal, and (non-unique
    instances) optimal points with different weights exist, so the check is not
    vacuous: the fit is unique although the weights are not."""
    os_ = optimal_set(p)
    w = scale_blocks(p.blocks, Fraction(3, 2))
    need(os_.prog.fit(w) != os_.y_hat, "scaled point has the optimal fit")
    need(objective_sign(os_.prog, w, os_.value) > 0,
         "a point with a different fit was not detected as non-optimal")
    if not p.unique:
        need(len(os_.vertices) >= 2, "non-unique instance with a single optimal point")


# ------------------------------------------------------- T2/T3 energy identities

def t3_check(p: Planted) -> None:
    """For every optimal w and block b: <Z_b w_b, r̂> = lam ||w_b|| (squared form and
    sign, docs/theory.md §2.2 L3); summed: <ŷ, r̂> = lam sum ||w_b|| and p* = ||r̂||^2/2 + <ŷ, r̂>."""
    os_ = optimal_set(p)
    lam = os_.prog.lam
    for label, w in optimal_points(os_, _rng_of(p), independent=False):
        for b, u in w.items():
            ip = dot(os_.prog.block_fit(b, u), os_.r_hat)
            need(ip >= 0, f"{label}, block {b}: <Z_b w_b, r> = {ip} < 0")
            need(ip * ip == lam * lam * sqnorm(u), f"{label}, block {b}: <Z_b w_b, r>^2 != "
                                                   f"lam^2 ||w_b||^2")
        need(compare_sum_sqrt([(dot(os_.y_hat, os_.r_hat), _1)],
                              [(lam, sqnorm(u)) for u in w.values()]) == 0,
             f"{label}: <ŷ, r̂> != lam sum ||w_b||")
    need(os_.value == sqnorm(os_.r_hat) / 2 + dot(os_.y_hat, os_.r_hat),
         "p* != ||r̂||^2/2 + <ŷ, r̂> (T2)")


def t3_control(p: Planted) -> None:
    """(a) the non-optimal point 2w with its own residual violates the squared identity
    on some block (sum_b <Z_b w_b, ŷ> = ||ŷ||^2 > 0); (b) the sign-flipped block
    (i, -s) with the same u satisfies the squared form but is caught by the sign."""
    os_ = optimal_set(p)
    prog, lam = os_.prog, os_.prog.lam
    w2 = scale_blocks(p.blocks, Fraction(2))
    r2 = [a - b for a, b in zip(prog.data.y, prog.fit(w2))]
    bad = [b for b, u in w2.items()
           if dot(prog.block_fit(b, u), r2) ** 2 != lam * lam * sqnorm(u)
           or dot(prog.block_fit(b, u), r2) < 0]
    need(bad, "the identity held for a non-optimal point (2w)")
    b0 = min(p.blocks)
    u0 = p.blocks[b0]
    ip = dot(prog.block_fit((b0[0], -b0[1]), u0), os_.r_hat)
    need(ip * ip == lam * lam * sqnorm(u0) and ip < 0,
         "the sign-flipped block was not caught by the sign test")


# ----------------------------------------------------- T5 polytope = optimal set

def t5_check(p: Planted) -> None:
    """W* = {w : w_b = alpha_b v_b, alpha >= 0 on E, 0 off E, sum alpha_b Z_b v_b = ŷ}
    (docs/theory.md §2.4): every point of the polytope is optimal (exact objective), the
    equicorrelation set is the planted support, and every independently found optimum
    has that form."""
    os_ = optimal_set(p)
    need(set(os_.E) == set(p.support), f"E = {os_.E} != planted support {sorted(p.support)}")
    rng = _rng_of(p)
    alphas = list(os_.vertices)
    for _ in range(3):
        w = [Fraction(rng.randint(0, 6)) for _ in os_.vertices]
        if not any(w):
            continue
        tot = sum(w)
        a: dict[Block, Fraction] = {}
        for wi, vx in zip(w, os_.vertices):
            for b, x in vx.items():
                a[b] = a.get(b, _0) + wi / tot * x
        alphas.append(a)
    for a in alphas:
        blocks = os_.blocks(a)
        need(feasible(os_.prog, blocks), "polytope point leaves a cone")
        need(objective_sign(os_.prog, blocks, os_.value) == 0, f"polytope point {a} not optimal")
    others = [("planted", dict(p.blocks))]
    from exactrelu.rational_optimum import exact_optimum_at
    eo = exact_optimum_at(os_.prog, os_.r_hat)
    need(eo is not None, "exact_optimum_at rejected the planted residual")
    others.append(("exact_optimum_at (LP)", dict(eo.blocks)))
    ind = independent_optimum(p)
    if ind is not None:
        others.append(("float solve + exact_optimum", ind))
    lib = _library_optimal_set(os_)
    if lib is not None:
        need(set(lib.blocks) == set(os_.E), "exactrelu.optimal_sets: E differs")
        need(set(lib.support) == set(p.support), "exactrelu.optimal_sets: support differs")
        need(lib.unique == p.unique, "exactrelu.optimal_sets: uniqueness verdict differs")
        if lib.vertices is not None:
            need(sorted(sorted(v.items()) for v in lib.vertices)
                 == sorted(sorted(v.items()) for v in os_.vertices),
                 "exactrelu.optimal_sets: vertices differ from cdd's")
    for label, w in others:
        alpha = {}
        for b, u in w.items():
            need(b in os_.v, f"{label}: optimal block {b} outside E")
            need(positively_collinear(u, os_.v[b]), f"{label}: block {b} not a positive "
                                                    "multiple of v_b")
            alpha[b] = dot(u, os_.v[b]) / (p.lam * p.lam)
        fit = [sum((alpha[b] * os_.M[b][k] for b in alpha), _0) for k in range(p.data.n)]
        need(tuple(fit) == os_.y_hat, f"{label}: M alpha != ŷ")


def t5_control(p: Planted) -> None:
    """Points violating the description are not optimal: alpha off the fit constraint
    (by a factor 3/2, and by 1 + 10^-12, where the objective moves by ~10^-24: only
    exact arithmetic sees it), mass on a block outside E, and a negative alpha (leaves
    the cone)."""
    os_ = optimal_set(p)
    prog = os_.prog
    b0 = min(p.blocks)
    for c in (Fraction(3, 2), 1 + Fraction(1, 10 ** 12)):
        off = dict(p.blocks)
        off[b0] = tuple(c * a for a in off[b0])
        need(objective_sign(prog, off, os_.value) > 0, f"alpha scaled by {c} off M alpha = ŷ "
                                                       "was optimal")
    outside = [b for b in prog.blocks if b not in os_.E]
    if outside:
        b = outside[_rng_of(p).randrange(len(outside))]
        g = prog.patterns.witnesses[b[0]]
        gq = [Fraction(a) for a in g]
        scale = Fraction(1, 8) / max(abs(a) for a in gq) if any(gq) else _0
        extra = dict(p.blocks)
        extra[b] = tuple(scale * a for a in gq)
        if any(extra[b]):
            need(feasible(prog, extra), "witness direction not in its cone")
            need(objective_sign(prog, extra, os_.value) > 0,
                 f"mass on block {b} outside E was optimal")
    neg = dict(p.blocks)
    neg[b0] = tuple(-a for a in p.blocks[b0])
    need(not feasible(prog, neg) or objective_sign(prog, neg, os_.value) > 0,
         "negative alpha was feasible and optimal")


# --------------------------------------------- T26 optimal directions are unique

def t26_check(p: Planted) -> None:
    """All optimal nonzero weights of a block are positive multiples of the projected
    correlation v_b = Π_K(c_b(r̂)), ||v_b|| = lam (docs/theory.md §2.3, T26)."""
    os_ = optimal_set(p)
    lam2 = p.lam * p.lam
    for label, w in optimal_points(os_, _rng_of(p)):
        for b, u in w.items():
            need(b in os_.v, f"{label}: block {b} not equicorrelated")
            need(sqnorm(os_.v[b]) == lam2, f"{label}: ||v_{b}||^2 != lam^2")
            need(positively_collinear(u, os_.v[b]),
                 f"{label}: block {b} not positively collinear with v_b")


def t26_control(p: Planted) -> None:
    """A block turned away from v_b (d >= 2), or negated (d = 1), is rejected by the
    collinearity test, and the point is indeed not optimal."""
    os_ = optimal_set(p)
    prog = os_.prog
    X = prog.data.X
    b0 = min(p.blocks)
    u0, v0 = p.blocks[b0], os_.v[b0]
    bits = prog.patterns.bits[b0[0]]
    d = len(u0)
    cand: list[Vec] = []
    if d >= 2:
        g = [Fraction(a) for a in prog.patterns.witnesses[b0[0]]]
        nu = max(abs(a) for a in u0)
        for z in [g] + [[a + (Fraction(1, 50) * max(abs(c) for c in g) if j == i else _0)
                         for j, a in enumerate(g)] for i in range(d)]:
            zs = max(abs(a) for a in z)
            u = tuple(a + nu / 4 * c / zs for a, c in zip(u0, z))
            if in_cone(X, bits, u) and not positively_collinear(u, v0):
                cand.append(u)
                break
    if not cand:
        cand.append(tuple(-a for a in u0))
    u = cand[0]
    need(not positively_collinear(u, v0), "the rotated block passed the collinearity test")
    w = dict(p.blocks)
    w[b0] = u
    need(not feasible(prog, w) or objective_sign(prog, w, os_.value) > 0,
         "a rotated block gave an optimal point")


# ------------------------------------------------------ T4 KKT certificate

def kkt_failure(prog: ConvexProgram, w: Mapping[Block, Sequence[Fraction]]) -> str | None:
    """The KKT certificate of a candidate point ``w`` at ITS OWN residual ``r = y - fit(w)``
    (docs/theory.md §2.1, §2.3, T4), exactly; ``None`` if it holds, else the first failure.
    ``v_b = Π_{K_b}(s X^T D_b r)`` with multipliers ``rho`` (exact projection):
    ``||v_b||^2 <= lam^2`` for every block; for every active block ``w_b = alpha_b v_b``
    with ``alpha_b = v_b.w_b / lam^2 >= 0`` and ``||v_b||^2 = lam^2``; ``rho >= 0`` and
    ``rho_k (A_b w_b)_k = 0`` (complementary slackness)."""
    lam2 = prog.lam * prog.lam
    fit = [_0] * prog.data.n
    for b, u in w.items():
        fit = [a + c for a, c in zip(fit, prog.block_fit(b, u))]
    r = tuple(t - a for t, a in zip(prog.data.y, fit))
    for b, m in dual_margin(prog, r):
        if m > lam2:
            return f"block {b}: ||v_b||^2 > lam^2 (dual infeasible)"
    for b, u in w.items():
        if not any(u):
            continue
        A = cone_matrix(prog.data.X, prog.patterns.bits[b[0]])
        pr = project(A, prog.correlation(b, r))
        v = pr.v
        if sqnorm(v) != lam2:
            return f"active block {b}: ||v_b||^2 != lam^2"
        alpha = dot(v, u) / lam2
        if alpha < 0 or tuple(alpha * a for a in v) != tuple(u):
            return f"active block {b}: w_b is not alpha_b v_b with alpha_b >= 0"
        Au = [dot(row, u) for row in A]
        if any(x < 0 for x in pr.rho.values()) or any(x * Au[k] for k, x in pr.rho.items()):
            return f"active block {b}: rho < 0 or rho_k (A w)_k != 0"
    return None


def t4_check(p: Planted) -> None:
    """Every optimal point found (planted, vertices, convex combinations, the float
    solve refined exactly) carries an exact KKT certificate at its own residual."""
    os_ = optimal_set(p)
    for label, w in optimal_points(os_, _rng_of(p)):
        why = kkt_failure(os_.prog, w)
        need(why is None, f"{label}: {why}")


def t4_control(p: Planted) -> None:
    """Scaling one active block by 3/2 breaks the certificate (its own residual moves),
    and the point is indeed not optimal."""
    os_ = optimal_set(p)
    b0 = min(p.blocks)
    w = dict(p.blocks)
    w[b0] = tuple(Fraction(3, 2) * a for a in w[b0])
    need(kkt_failure(os_.prog, w) is not None, "a scaled block passed the KKT check")
    need(objective_sign(os_.prog, w, os_.value) > 0, "a scaled block is still optimal")


# ------------------------------------- T6 sum of alpha, T8 uniqueness iff independence

def _alphas(os_: OptimalSet, w: Mapping[Block, Sequence[Fraction]]) -> dict[Block, Fraction]:
    """``alpha_b = v_b . w_b / lam^2`` (``w_b = alpha_b v_b`` for an optimum, T26)."""
    lam2 = os_.p.lam * os_.p.lam
    return {b: dot(os_.v[b], u) / lam2 for b, u in w.items() if any(u)}


def t6_check(p: Planted) -> None:
    """``sum_b alpha_b = <yhat, rhat> / lam^2`` at every optimal point (docs/theory.md §2.4, T6)."""
    os_ = optimal_set(p)
    c = dot(os_.y_hat, os_.r_hat) / (p.lam * p.lam)
    for label, w in optimal_points(os_, _rng_of(p)):
        need(sum(_alphas(os_, w).values()) == c, f"{label}: sum alpha != <yhat, r>/lam^2")


def t6_control(p: Planted) -> None:
    """One active block scaled by 3/2: the sum moves off the constant, and the point is
    not optimal."""
    os_ = optimal_set(p)
    c = dot(os_.y_hat, os_.r_hat) / (p.lam * p.lam)
    b0 = min(p.blocks)
    w = dict(p.blocks)
    w[b0] = tuple(Fraction(3, 2) * a for a in w[b0])
    need(sum(_alphas(os_, w).values()) != c, "a scaled block kept the sum of alpha")
    need(objective_sign(os_.prog, w, os_.value) > 0, "a scaled block is still optimal")


def _uniqueness_facts(M: Mapping[Any, Vec], y_hat: Vec) -> tuple[bool, bool]:
    """(one optimum, fits of S independent), S = the union of the vertices' supports
    (every optimum is a convex combination of vertices, so S is the support set)."""
    verts = polytope_vertices(M, y_hat)
    need(verts, "the optimal polytope is empty")
    S = list(dict.fromkeys(b for a in verts for b in a))
    return len(verts) == 1, rank([M[b] for b in S]) == len(S)


def t8_check(p: Planted) -> None:
    """The convex optimum is unique iff the fits of the support set S are linearly
    independent (docs/theory.md §2.7, T8), and the planted flag agrees."""
    os_ = optimal_set(p)
    one, indep = _uniqueness_facts(os_.M, os_.y_hat)
    need(one == indep, f"unique = {one} but independent fits of S = {indep}")
    need(one == (len(p.ties) == 0), f"unique = {one}, planted ties {p.ties}")


def t8_control(p: Planted) -> None:
    """A copy of an active fit added as a new block: the fits of S become dependent and
    the optimum stops being unique -- the criterion is not vacuous."""
    os_ = optimal_set(p)
    b0 = min(p.blocks)
    M = dict(os_.M)
    M[("copy", b0)] = M[b0]
    one, indep = _uniqueness_facts(M, os_.y_hat)
    need(not one and not indep, "a duplicated fit left the optimum unique")


# ---------------------------- T9 vertex <=> independent fits <=> support-minimal

def _t9_points(cols, target, verts, extra=()) -> list[dict]:
    pts = [dict(v) for v in verts] + [dict(a) for a in extra]
    for a, b in itertools.combinations(verts[:6], 2):
        keys = set(a) | set(b)
        pts.append({k: (a.get(k, _0) + b.get(k, _0)) / 2 for k in keys})
    return pts


def t9_equivalence(cols, target, points) -> None:
    verts = polytope_vertices(cols, target)
    for a in points:
        ind = independent_support(cols, a)
        vert = any(same_alpha(a, v) for v in verts)
        smin = support_minimal(cols, target, a)
        need(ind == vert == smin, f"alpha {a}: independent={ind}, vertex={vert}, "
                                  f"support-minimal={smin}")


def t9_check(p: Planted) -> None:
    """For optimal alpha: active fits independent <=> vertex of the polytope <=>
    support-minimal (docs/theory.md §2.9), on vertices, midpoints and the planted point."""
    os_ = optimal_set(p)
    alpha_p = {b: dot(u, os_.v[b]) / (p.lam * p.lam) for b, u in p.blocks.items()}
    pts = _t9_points(os_.M, os_.y_hat, os_.vertices, [alpha_p])
    t9_equivalence(os_.M, os_.y_hat, pts)
    lib = _library_optimal_set(os_)
    if lib is not None:
        for a in pts:
            need(lib.is_support_minimal(a) == independent_support(os_.M, a),
                 f"exactrelu.optimal_sets.is_support_minimal disagrees at {a}")


def t9_control(p: Planted) -> None:
    """Duplicate a support column: splitting its mass between the two copies gives an
    optimal point that is dependent, not a vertex and not support-minimal (all three
    predicates must say False), while putting it all on one copy gives True, True, True."""
    os_ = optimal_set(p)
    cols: dict[Any, Vec] = dict(os_.M)
    b0 = min(os_.vertices[0])
    cols[("copy", b0)] = os_.M[b0]
    a = dict(os_.vertices[0])
    half = dict(a)
    half[b0] = a[b0] / 2
    half[("copy", b0)] = a[b0] / 2
    need(not independent_support(cols, half), "split point has independent fits")
    verts = polytope_vertices(cols, os_.y_hat)
    need(not any(same_alpha(half, v) for v in verts), "split point is a vertex")
    need(not support_minimal(cols, os_.y_hat, half), "split point is support-minimal")
    t9_equivalence(cols, os_.y_hat, [a, half])


# ---------------------------------------------------- T11 at most n neurons

def t11_check(p: Planted) -> None:
    """Support-minimal optimal solutions (vertices) have |A| <= rank(M) <= n, so
    m* <= n (docs/theory.md §2.9); Algorithm 1 turns a wide random network on the same data
    into one with <= n neurons and independent outputs."""
    os_ = optimal_set(p)
    n = p.data.n
    rM = rank(list(os_.M.values()))
    for a in os_.vertices:
        need(len(a) <= rM <= n, f"vertex with {len(a)} blocks, rank {rM}, n = {n}")
    need(min(len(a) for a in os_.vertices) <= n, "m* > n")
    try:
        from exactrelu.pruning import prune_network
    except ImportError:  # pragma: no cover - pruning lands separately
        return
    rng = _rng_of(p)
    d = p.data.d
    m = n + 3
    net = Network(tuple(tuple(Fraction(rng.randint(-5, 5), rng.randint(1, 3)) for _ in range(d))
                        for _ in range(m)),
                  tuple(Fraction(rng.choice([-2, -1, 1, 2]), rng.randint(1, 3)) for _ in range(m)))
    res = prune_network(net, p.data.X)
    out = res.network
    need(out.outputs(p.data.X) == net.outputs(p.data.X), "pruning changed the outputs")
    q = [out.neuron_outputs(p.data.X, j) for j in range(out.width)]
    need(out.width <= n, f"pruned network has {out.width} > n = {n} neurons")
    need(rank(q) == len(q), "pruned network's outputs are dependent")


def t11_control(p: Planted) -> None:
    """Splitting every planted neuron into equal parts until there are more than n gives
    an OPTIMAL network (same fit, same penalty) with > n neurons: it is caught as
    non-minimal (dependent outputs).  The bound needs minimality."""
    os_ = optimal_set(p)
    n = p.data.n
    parts = n // len(p.blocks) + 1
    cols = []
    for b, u in p.blocks.items():
        for k in range(parts):
            cols.append(os_.prog.block_fit(b, tuple(a / parts for a in u)))
    need(len(cols) > n, "split network is not wider than n")
    need(rank(cols) < len(cols), "a network with more than n neurons had independent outputs")
    # the split network is optimal: fit sum_k Z u/parts = Z u, penalty sum_k ||u||/parts
    fit = [sum((c[k] for c in cols), _0) for k in range(n)]
    need(tuple(fit) == os_.y_hat, "split network changed the fit")
    terms = [(os_.prog.loss(p.blocks) - os_.value, _1)]
    for u in p.blocks.values():
        terms += [(os_.prog.lam / parts, sqnorm(u))] * parts
    need(sign_sum_sqrt(terms) == 0, "split network is not optimal")


# --------------------------------------------------- T12/T13 Algorithm 1

def _relative_interior(os_: OptimalSet) -> dict[Block, Fraction]:
    """A convex combination of all vertices with random, unequal positive weights (so
    null vectors of the active fits have entries of unequal size, which is where the
    orientation of Algorithm 1 matters)."""
    rng = _rng_of(os_.p)
    w = [Fraction(rng.randint(1, 9)) for _ in os_.vertices]
    tot = sum(w)
    a: dict[Block, Fraction] = {}
    for wi, vx in zip(w, os_.vertices):
        for b, x in vx.items():
            a[b] = a.get(b, _0) + wi / tot * x
    return a


def t13_check(p: Planted) -> None:
    """Algorithm 1 (exactrelu.pruning.prune_convex) from a relative-interior optimal
    point returns an optimal point with linearly independent active fits, the same fit,
    each block a nonnegative multiple of its start, in <= |A(w0)| - 1 steps (§2.10)."""
    from exactrelu.pruning import prune_convex

    os_ = optimal_set(p)
    prog = os_.prog
    bits = prog.patterns.bits
    w0 = os_.blocks(_relative_interior(os_))
    keyed = {(bits[b[0]], b[1]): u for b, u in w0.items()}
    back = {(bits[b[0]], b[1]): b for b in w0}
    res = prune_convex(keyed, X=prog.data.X)
    w1 = {back[k]: tuple(u) for k, u in res.blocks.items()}
    need(prog.fit(w1) == prog.fit(w0), "pruning changed the fit")
    need(feasible(prog, w1), "pruned block left its cone")
    need(objective_sign(prog, w1, os_.value) == 0, "pruned solution is not optimal")
    cols = [prog.block_fit(b, u) for b, u in w1.items()]
    need(rank(cols) == len(cols), "pruned solution has dependent active fits")
    need(res.steps <= max(0, len(w0) - 1), f"{res.steps} steps for {len(w0)} active blocks")
    for b, u in w1.items():
        need(positively_collinear(u, w0[b]), f"block {b} is not a positive multiple of its start")


def t13_control(p: Planted) -> None:
    """Wrong steps are caught: (non-unique) the literal t = 1/|beta_i*| with beta_i* < 0
    prunes nothing, and t = 2/max|beta| gives a negative factor (leaves the cone);
    (unique) a direction that is not a null vector changes the fit (not optimal)."""
    os_ = optimal_set(p)
    prog = os_.prog
    w0 = os_.blocks(_relative_interior(os_))
    keys = sorted(w0)
    cols = [prog.block_fit(b, w0[b]) for b in keys]
    beta = null_vector(cols)
    if beta is None:
        beta = [_1] + [_0] * (len(keys) - 1)
        t = Fraction(1, 2)
        w = {b: tuple((1 - t * bb) * a for a in w0[b]) for b, bb in zip(keys, beta)}
        need(prog.fit(w) != prog.fit(w0) and objective_sign(prog, w, os_.value) > 0,
             "a non-null step kept the optimum")
        return
    big = max(range(len(beta)), key=lambda i: abs(beta[i]))
    if beta[big] > 0:
        beta = [-b for b in beta]
    t = 1 / abs(beta[big])
    factors = [1 - t * b for b in beta]
    if _0 not in factors:
        need(factors[big] == 2, "unflipped step: factor of the pivot is not 2")
        return                                   # caught: nothing pruned
    t = 2 / abs(beta[big])
    factors = [1 - t * b for b in beta]
    need(min(factors) < 0, "t = 2/max|beta| gave no negative factor")
    w = {b: tuple(f * a for a in w0[b]) for b, f in zip(keys, factors)}
    need(not feasible(prog, w), "a negative factor kept every block in its cone")


# ------------------------------------------------ T16/T17 solution mappings

def t16_check(p: Planted) -> None:
    """C -> NC preserves the objective (docs/theory.md §1.6): the mapped network of the planted
    optimum has the same outputs and NC objective loss + lam sum ||u|| = p* (product
    form, exact surds); on blocks with rational scales the mapped network is explicit
    and W1|w2| = u, w2^2 = ||W1||^2 = ||u||, NC(net) = C(blocks) as rationals."""
    prog = p.program
    X = prog.data.X
    prod = convex_to_network(p.blocks, patterns=prog.patterns, X=X)
    need(prod.outputs(X) == prog.fit(p.blocks), "mapped outputs != convex fit")
    loss, terms = prod.nc_objective_terms(prog.data, p.lam)
    need(compare_sum_sqrt([(loss, _1)] + terms, [(p.value, _1)]) == 0, "NC(mapped) != p*")
    rng = _rng_of(p)
    blocks = {}
    for b, v in p.v.items():
        e = tuple(a / p.lam for a in v)                       # rational unit vector in K_b
        c = Fraction(rng.randint(1, 5), rng.randint(1, 3))
        blocks[b] = tuple(c * c * a for a in e)               # ||u|| = c^2, scale c rational
    net = convex_to_network(blocks, patterns=prog.patterns, X=X).to_network()
    for j, (bits, s, u) in enumerate(convex_to_network(blocks, patterns=prog.patterns,
                                                       X=X).blocks):
        W, a = net.W1[j], net.w2[j]
        need(a * s > 0, "sign of w2 != sign of the block")
        need(tuple(abs(a) * x for x in W) == tuple(u), "W1 |w2| != u")
        need(a * a == sqnorm(W), "w2^2 != ||W1||^2")
        need(sqnorm(W) ** 2 == sqnorm(u), "||W1||^2 != ||u||")
    c_obj = prog.loss(blocks) + p.lam * sum((exact_sqrt(sqnorm(u)) for u in blocks.values()), _0)
    need(net.nc_objective(prog.data, p.lam) == c_obj, "NC(net) != C(blocks)")


def t16_control(p: Planted) -> None:
    """An unbalanced rescaling of a mapped neuron (c = 2) keeps the outputs but its NC
    objective is strictly above C: the equality test catches it."""
    prog = p.program
    X = prog.data.X
    b, v = min(p.v.items())
    blocks = {b: tuple(a / p.lam for a in v)}               # ||u|| = 1
    net = convex_to_network(blocks, patterns=prog.patterns, X=X).to_network()
    bad = net.rescale_neuron(0, 2)
    need(bad.outputs(X) == net.outputs(X), "rescaling changed the outputs")
    c_obj = prog.loss(blocks) + p.lam
    need(net.nc_objective(prog.data, p.lam) == c_obj, "balanced map: NC != C")
    need(bad.nc_objective(prog.data, p.lam) > c_obj, "unbalanced NC not above C")


def _t17_equality_predicted(net: Network, X) -> bool:
    """Balanced neurons, and positively collinear u_j = |w2_j| W1_j within every group of
    the same (pattern, sign)."""
    if not net.is_balanced():
        return False
    groups: dict[tuple[str, int], list[Vec]] = {}
    for j in net.nonzero_neurons():
        bits, _ = neuron_region(X, net.W1[j])
        a = net.w2[j]
        groups.setdefault((bits, 1 if a > 0 else -1), []).append(
            tuple(abs(a) * x for x in net.W1[j]))
    for us in groups.values():
        for u, v in itertools.combinations(us, 2):
            if not positively_collinear(u, v):
                return False
    return True


def t17_check(inst: tuple[Dataset, Network]) -> None:
    """NC -> C never increases the objective, with equality iff the network is balanced
    and merged neurons are positively collinear (docs/theory.md §1.6); the fit is preserved."""
    data, net = inst
    lam = Fraction(1, 2)
    pats, blocks = network_to_convex(net, data)
    fit = [_0] * data.n
    for (i, s), u in blocks.items():
        need(in_cone(data.X, pats.bits[i], u), "merged block outside its cone")
        for k, (x, bit) in enumerate(zip(data.X, pats.bits[i])):
            if bit == "1":
                fit[k] += s * dot(x, u)
    need(tuple(fit) == net.outputs(data), "NC -> C changed the fit")
    loss = sqnorm([a - b for a, b in zip(fit, data.y)]) / 2
    sgn = compare_sum_sqrt([(loss, _1)] + [(lam, sqnorm(u)) for u in blocks.values()],
                           [(net.nc_objective(data, lam), _1)])
    need(sgn <= 0, "C(NC -> C) > NC")
    need((sgn == 0) == _t17_equality_predicted(net, data.X),
         f"equality {sgn == 0} but balanced/collinear predicts {not sgn == 0}")
    need(compare_convex_nc(net, data, lam) == sgn, "compare_convex_nc disagrees")


def t17_control(inst: tuple[Dataset, Network]) -> None:
    """Appending an unbalanced neuron (||W1||^2 = 4, w2 = 1) must make C < NC strictly:
    the equality side of the claim fails and is caught."""
    data, net = inst
    d = data.d
    extra = Network(net.W1 + (tuple(Fraction(2) if j == 0 else _0 for j in range(d)),),
                    net.w2 + (_1,), dim=d)
    need(compare_convex_nc(extra, data, Fraction(1, 2)) < 0, "unbalanced network: C == NC")
    need(not _t17_equality_predicted(extra, data.X), "predicate missed the unbalanced neuron")


# ------------------------------------------------------------------ T20 lambda_max

def lam_max_sq(data: Dataset, ps) -> tuple[Fraction, Block | None, Fraction]:
    """``(max_b ||Π_K c_b(y)||^2, argmax, max_b ||c_b(y)||^2)`` over every block, from
    exact cone projections (the second maximum is the wrong, unprojected variant)."""
    prog = ConvexProgram(data, _1, ps)
    best, arg, raw = _0, None, _0
    for i in range(len(ps)):
        A = cone_matrix(data.X, ps.bits[i])
        for s in (1, -1):
            c = prog.correlation((i, s), data.y)
            raw = max(raw, sqnorm(c))
            q = project(A, c).sqnorm
            if q > best:
                best, arg = q, (i, s)
    return best, arg, raw


def _zero_optimal(data: Dataset, ps, lam: Fraction) -> bool:
    """Proof that w = 0 is optimal at lam: r = y is dual feasible and its dual objective
    ||y||^2/2 equals C(0)."""
    prog = ConvexProgram(data, lam, ps)
    feas = all(m <= lam * lam for _, m in dual_margin(prog, data.y))
    return feas and prog.dual_objective(data.y) == prog.loss({})


def _descent(data: Dataset, ps, lam: Fraction, b: Block) -> bool:
    """Exhibit C(t v_b) < C(0) exactly for v_b = Π_K(c_b(y)) (possible iff ||v_b|| > lam)."""
    prog = ConvexProgram(data, lam, ps)
    v = project(cone_matrix(data.X, ps.bits[b[0]]), prog.correlation(b, data.y)).v
    Zv = prog.block_fit(b, v)
    zz = sqnorm(Zv)
    if zz == 0:
        return False
    for bits in (32, 128):
        _, hi = sqrt_bounds(sqnorm(v), bits)
        t = (sqnorm(v) - lam * hi) / zz
        if t > 0:
            break
    else:
        return False
    u = tuple(t * a for a in v)
    return objective_sign(prog, {b: u}, prog.loss({})) < 0


def t20_check(data: Dataset) -> None:
    """w = 0 is optimal iff lam >= lam_max, lam_max^2 = max_b ||Π_K(s X^T D_b y)||^2
    (docs/theory.md §2.2 L5): zero proved optimal at a rational lam >= lam_max, an exact descent
    at a lam < lam_max; agrees with exactrelu.paths.lam_max when present."""
    ps = enumerate_patterns(data.X)
    lm2, arg, _ = lam_max_sq(data, ps)
    try:
        from exactrelu.paths import lam_max
    except ImportError:  # pragma: no cover
        lam_max = None
    if lam_max is not None:
        need(lam_max(data, ps)[0] == lm2, "exactrelu.paths.lam_max disagrees")
    if lm2 == 0:
        need(_zero_optimal(data, ps, Fraction(1, 100)), "lam_max = 0 but 0 not optimal")
        return
    lo, hi = sqrt_bounds(lm2, 64)
    need(_zero_optimal(data, ps, hi), "w = 0 not optimal at lam >= lam_max")
    need(_descent(data, ps, lo * Fraction(99, 100), arg), "no descent below lam_max")


def t20_control(data: Dataset) -> None:
    """Below lam_max the zero-optimality proof must fail (if lam_max = 0, e.g. y = 0, the
    targets are first replaced by the ReLU fit (X g)_+ of a region witness, which makes
    lam_max > 0); and where the unprojected variant max ||c_b||^2 is larger, zero is still
    optimal between the two values (that wrong variant is refuted)."""
    ps = enumerate_patterns(data.X)
    lm2, _, raw = lam_max_sq(data, ps)
    if lm2 == 0:
        for g in ps.witnesses:
            y = [max(dot(x, g), 0) for x in data.X]
            if any(y):
                data = Dataset(data.X, tuple(Fraction(a) for a in y))
                lm2, _, raw = lam_max_sq(data, ps)
                break
        need(lm2 > 0, "no target with lam_max > 0 (X has no nonzero row?)")
    lo, _ = sqrt_bounds(lm2, 64)
    need(not _zero_optimal(data, ps, lo * Fraction(99, 100)),
         "zero 'proved' optimal below lam_max")
    if raw > lm2:
        _, hi = sqrt_bounds(lm2, 64)
        lo_raw, _ = sqrt_bounds(raw, 64)
        if hi < lo_raw:
            need(_zero_optimal(data, ps, (hi + lo_raw) / 2),
                 "unprojected lam_max variant not refuted")


# ------------------------------------------------------------------ T25 duality

def t25_check(p: Planted) -> None:
    """Weak duality: every dual-feasible r has r.y - ||r||^2/2 <= C(w) for every feasible
    w; strong duality: r̂ is dual feasible and its dual value equals p* = C(planted)
    (docs/theory.md §2.2 L4)."""
    prog = p.program
    lam2 = p.lam * p.lam
    need(all(m <= lam2 for _, m in dual_margin(prog, p.r_hat)), "r̂ not dual feasible")
    dual_hat = prog.dual_objective(p.r_hat)
    need(objective_sign(prog, p.blocks, dual_hat) == 0, "strong duality fails at r̂")
    rng = _rng_of(p)
    prim = [dict(p.blocks), scale_blocks(p.blocks, Fraction(1, 2))]
    for _ in range(2):
        w = {}
        for b in rng.sample(prog.blocks, min(3, len(prog.blocks))):
            g = [Fraction(a) for a in prog.patterns.witnesses[b[0]]]
            c = Fraction(rng.randint(0, 3), rng.randint(1, 4) * max(1, max(map(abs, g))))
            w[b] = tuple(c * a for a in g)
        prim.append({b: u for b, u in w.items() if any(u)})
    for _ in range(3):
        r = [Fraction(rng.randint(-6, 6), rng.randint(1, 3)) for _ in range(p.data.n)]
        mu = max([m for _, m in dual_margin(prog, r)] + [_0])
        if mu > lam2:
            t, _ = sqrt_bounds(lam2 / mu, 32)
            r = [t * a for a in r]
        need(all(m <= lam2 for _, m in dual_margin(prog, r)), "scaled r not dual feasible")
        dv = prog.dual_objective(r)
        for w in prim:
            need(feasible(prog, w), "primal point infeasible")
            need(objective_sign(prog, w, dv) >= 0, "weak duality fails")


def t25_control(p: Planted) -> None:
    """Without dual feasibility the bound fails: r = r̂ + ŷ has dual value
    p* + ||ŷ||^2/2 > p*, and the feasibility test catches it."""
    prog = p.program
    lam2 = p.lam * p.lam
    y_hat = p.y_hat
    r = [a + b for a, b in zip(p.r_hat, y_hat)]
    need(prog.dual_objective(r) == p.value + sqnorm(y_hat) / 2, "dual value formula")
    need(prog.dual_objective(r) > p.value, "infeasible r does not exceed p*")
    need(any(m > lam2 for _, m in dual_margin(prog, r)), "infeasible r passed the test")


# ------------------------------------------------------------- connectedness

def connected_check(p: Planted) -> None:
    """The optimal set is convex, hence connected: segments between optimal solutions
    stay optimal (docs/theory.md §2.8), for the convex weights and for their C -> NC images."""
    os_ = optimal_set(p)
    rng = _rng_of(p)
    ends = [dict(p.blocks)] + [os_.blocks(a) for a in os_.vertices]
    for _ in range(3):
        w0, w1 = rng.sample(ends, 2) if len(ends) >= 2 else (ends[0], ends[0])
        t = Fraction(rng.randint(1, 9), 10)
        wt = combine([w0, w1], [1 - t, t])
        need(feasible(os_.prog, wt), "segment point leaves a cone")
        need(objective_sign(os_.prog, wt, os_.value) == 0, f"segment point t={t} not optimal")
        prod = convex_to_network(wt, patterns=os_.prog.patterns, X=os_.prog.data.X)
        loss, terms = prod.nc_objective_terms(os_.prog.data, p.lam)
        need(compare_sum_sqrt([(loss, _1)] + terms, [(os_.value, _1)]) == 0,
             "NC image of a segment point not optimal")


def connected_control(p: Planted) -> None:
    """A segment from an optimal point to a non-optimal one (alpha scaled by 3/2) leaves
    the optimal set at every t > 0."""
    os_ = optimal_set(p)
    bad = scale_blocks(p.blocks, Fraction(3, 2))
    for t in (Fraction(1, 10), Fraction(1, 2), _1):
        wt = combine([p.blocks, bad], [1 - t, t])
        need(objective_sign(os_.prog, wt, os_.value) > 0, f"t={t}: still optimal")


# ----------------------------------------------------- T27 pattern/cone identity

def t27_check(X: Sequence[Sequence[Fraction]]) -> None:
    """u in K_i => D_i X u = (X u)_+ (docs/theory.md §1.3): for every pattern, at its witness,
    at perturbed interior points and at neurons on the boundary (ties)."""
    ps = enumerate_patterns(X)
    rng = random.Random(len(ps) * 7919 + len(X))
    d = len(X[0])
    for i, (bits, g) in enumerate(zip(ps.bits, ps.witnesses)):
        if i >= 40:
            break
        gq = [Fraction(a) for a in g]
        need(in_cone(X, bits, gq) and relu_identity(X, bits, gq), f"witness {i}")
        z = [Fraction(rng.randint(-5, 5), rng.randint(1, 3)) for _ in range(d)]
        t = _1
        for x in X:
            a, c = dot(x, gq), dot(x, z)
            if a and c:
                t = min(t, abs(a) / (2 * abs(c)))
        u = [a + t * c for a, c in zip(gq, z)]
        need(in_cone(X, bits, u) and relu_identity(X, bits, u), f"interior point of {i}")
    for _ in range(5):
        w = [Fraction(rng.randint(-3, 3), rng.randint(1, 2)) for _ in range(d)]
        bits, _ = neuron_region(X, w)
        need(in_cone(X, bits, w), "neuron not in the cone of its region")
        need(relu_identity(X, bits, w), f"boundary neuron {w}")


def t27_control(X: Sequence[Sequence[Fraction]]) -> None:
    """u = -g_i (outside K_i when X has a nonzero row) breaks the identity."""
    ps = enumerate_patterns(X)
    if not any(any(x) for x in X):
        return
    for bits, g in zip(ps.bits, ps.witnesses):
        u = [-Fraction(a) for a in g]
        need(not in_cone(X, bits, u), "-g inside the cone")
        need(not relu_identity(X, bits, u), "D X u == (X u)_+ outside the cone")


# ------------------------------------------------------ general-position count

def _det(M: list[list[Fraction]]) -> Fraction:
    """Exact determinant by fraction-free elimination (independent of flint)."""
    M = [row[:] for row in M]
    n = len(M)
    det = _1
    for c in range(n):
        piv = next((r for r in range(c, n) if M[r][c] != 0), None)
        if piv is None:
            return _0
        if piv != c:
            M[c], M[piv] = M[piv], M[c]
            det = -det
        det *= M[c][c]
        for r in range(c + 1, n):
            f = M[r][c] / M[c][c]
            M[r] = [a - f * b for a, b in zip(M[r], M[c])]
    return det


def _gp(X) -> bool:
    d = len(X[0])
    if len(X) < d or any(not any(x) for x in X):
        return False
    return all(_det([list(X[i]) for i in idx]) != 0
               for idx in itertools.combinations(range(len(X)), d))


def _classes(X) -> int:
    seen = set()
    for x in X:
        if not any(x):
            continue
        first = next(a for a in x if a)
        seen.add(tuple(a / first for a in x))
    return len(seen)


def regions_check(X: Sequence[Sequence[Fraction]]) -> None:
    """In general position the number of regions is 2 sum_{k<d} C(n-1, k) (Cover /
    Winder); always, the regions are exactly those of an independent exact-LP
    enumeration, and at most the bound for the h distinct hyperplanes."""
    from exactrelu.testing.oracles import regions_by_lp

    n, d = len(X), len(X[0])
    ps = enumerate_patterns(X)
    need(set(ps.bits) == regions_by_lp(X), "enumeration != exact-LP oracle")
    gp = _gp(X)
    need(gp == is_general_position(X), "is_general_position disagrees with the minors")
    if gp:
        need(len(ps) == region_count_general_position(n, d), "GP count != formula")
    h = _classes(X)
    bound = region_count_general_position(h, d) if h else 1
    need(len(ps) <= bound, f"{len(ps)} regions > bound {bound} for {h} hyperplanes")


def regions_control(X: Sequence[Sequence[Fraction]]) -> None:
    """Adding a row antiparallel to row 0 (d >= 2; else a zero row) keeps the regions but
    breaks general position: the formula for n + 1 rows over-counts (d >= 2) and the exact GP
    test refuses it."""
    n, d = len(X), len(X[0])
    base = enumerate_patterns(X)
    if any(X[0]) and d >= 2:             # in R^1 every two nonzero rows are parallel
        extra = [[-2 * a for a in X[0]]]
    else:
        extra = [[_0] * d]
    Y = [list(x) for x in X] + extra
    ps = enumerate_patterns(Y)
    need(len(ps) == len(base), "a parallel/zero row changed the number of regions")
    need(not is_general_position(Y) and not _gp(Y), "degenerate matrix passed the GP test")
    if d >= 2 and _gp(X):
        need(len(ps) < region_count_general_position(n + 1, d),
             "formula without the GP test did not over-count")


# --------------------------------------------- completeness rejects a missing region

def _reindexed(proof, j: int):
    from exactrelu.certificate.completeness import CompletenessProof, GordanEntry

    entries = [GordanEntry(e.pattern - (e.pattern > j), e.flip, e.y)
               for e in proof.gordan if e.pattern != j]
    return CompletenessProof(proof.general_position, entries)


def completeness_check(X: Sequence[Sequence[Fraction]]) -> None:
    """The completeness proof of the full pattern list verifies; for any list missing a
    region, no proof is produced and the full list's proof (re-indexed) is rejected."""
    ps = enumerate_patterns(X)
    proof = completeness_proof(X, ps)
    verify_completeness(X, ps.bits, proof)
    idx = list(range(len(ps)))
    rng = random.Random(len(ps))
    for j in (idx if len(idx) <= 10 else rng.sample(idx, 10)):
        reduced = [b for k, b in enumerate(ps.bits) if k != j]
        try:
            completeness_proof(X, reduced)
        except ExactReluError:
            pass
        else:
            raise ClaimFailure(f"completeness_proof accepted a list missing {ps.bits[j]}")
        for pr in (_reindexed(proof, j),
                   _reindexed(completeness_proof(X, ps, route="gordan"), j)):
            try:
                verify_completeness(X, reduced, pr)
            except ExactReluError:
                pass
            else:
                raise ClaimFailure(f"verify_completeness accepted a list missing {ps.bits[j]}")


def completeness_control(X: Sequence[Sequence[Fraction]]) -> None:
    """The rejections are not indiscriminate: the complete list in shuffled order, with a
    freshly built proof (either route), is accepted."""
    ps = enumerate_patterns(X)
    bits = list(ps.bits)
    random.Random(len(bits)).shuffle(bits)
    for route in ("auto", "gordan"):
        verify_completeness(X, bits, completeness_proof(X, bits, route=route))


# ------------------------------------------------ the checker rejects corruptions

def _load_sibling(stem: str):
    """A module of this folder, loaded by path under a private name (once)."""
    name = f"exactrelu_standalone_{stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / f"{stem}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def load_checker():
    return _load_sibling("check_cert")


def _q(x: Fraction) -> str:
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def _flip_bit(c: dict, rng: random.Random) -> dict:
    X = c["problem"]["X"]
    k = rng.choice([k for k, x in enumerate(X) if any(v != "0" for v in x)])
    i = rng.randrange(len(c["patterns"]["bits"]))
    b = c["patterns"]["bits"][i]
    c["patterns"]["bits"][i] = b[:k] + "10"[int(b[k])] + b[k + 1:]
    return c


def _bump(s: str, delta: Fraction) -> str:
    return _q(Fraction(s) + delta)


def corruption_families(cert: dict) -> dict[str, Callable[[dict, random.Random], dict]]:
    """Corruptions that provably falsify an exact certificate (lower == upper == p*,
    complete pattern list); each must be REJECTED (or MALFORMED), never VERIFIED.
    Families that do not apply to the certificate are left out."""
    fam: dict[str, Callable[[dict, random.Random], dict]] = {
        # L = p* exactly: a larger lower bound is false
        "claim lower up": lambda c, r: _set(c, ["claim", "lower"],
                                            _bump(c["claim"]["lower"], Fraction(1, r.randint(1, 9)))),
        "claim upper down": lambda c, r: _set(c, ["claim", "upper"],
                                              _bump(c["claim"]["upper"], -Fraction(1, r.randint(1, 9)))),
        # any r != r̂ is infeasible or has L < p* (the dual optimum is unique)
        "dual r bumped": lambda c, r: _bump_list(c, ["dual", "r"], r),
        # y changed: shown in the docs to falsify lower == upper
        "data y bumped": lambda c, r: _bump_list(c, ["problem", "y"], r),
        # larger lam: the upper-bound model's penalty grows; smaller: tight duals break
        "lam doubled": lambda c, r: _set(c, ["problem", "lam"],
                                         _q(2 * Fraction(c["problem"]["lam"]))),
        "lam halved": lambda c, r: _set(c, ["problem", "lam"],
                                        _q(Fraction(c["problem"]["lam"]) / 2)),
        "pattern dropped": lambda c, r: _load_sibling("fixtures_build").drop_pattern(
            c, r.randrange(len(c["patterns"]["bits"]))),
        "pattern bit flipped": _flip_bit,
        "witness zeroed": lambda c, r: _set(c, ["patterns", "witnesses",
                                                r.randrange(len(c["patterns"]["witnesses"]))],
                                            ["0"] * len(c["problem"]["X"][0])),
    }
    if cert.get("blocks"):
        fam["block u doubled"] = lambda c, r: _scale_block(c, r)
    if any(e["values"] for e in cert["dual"]["rho"]):
        fam["negative multiplier"] = _negative_rho
    if "network" in cert and not cert.get("blocks"):
        fam["network unbalanced"] = lambda c, r: _unbalance(c, r)
    return fam


def _set(c: dict, path: list, value) -> dict:
    node = c
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return c


def _bump_list(c: dict, path: list, rng: random.Random) -> dict:
    node = c
    for k in path:
        node = node[k]
    i = rng.randrange(len(node))
    node[i] = _bump(node[i], Fraction(rng.choice([-1, 1]), rng.randint(1, 4)))
    return c


def _scale_block(c: dict, rng: random.Random) -> dict:
    b = rng.choice([b for b in c["blocks"] if any(x != "0" for x in b["u"])])
    b["u"] = [_q(2 * Fraction(x)) for x in b["u"]]
    return c


def _negative_rho(c: dict, rng: random.Random) -> dict:
    e = rng.choice([e for e in c["dual"]["rho"] if e["values"]])
    k = rng.choice(sorted(e["values"]))
    e["values"][k] = _q(-Fraction(e["values"][k]) - 1)
    return c


def _unbalance(c: dict, rng: random.Random) -> dict:
    W1 = c["network"]["W1"]
    j = rng.choice([j for j, w in enumerate(W1) if any(x != "0" for x in w)])
    W1[j] = [_q(2 * Fraction(x)) for x in W1[j]]
    c["network"]["w2"][j] = _q(Fraction(c["network"]["w2"][j]) / 2)
    return c


def checker_check(inst: CertInstance, families: Sequence[str] | None = None,
                  rng: random.Random | None = None) -> None:
    """The standalone checker rejects every corruption of a produced exact certificate
    (a sample of families, each at a random place)."""
    import copy

    cc = load_checker()
    rng = rng or _rng_of(inst)
    fam = corruption_families(inst.cert)
    for name in (families or list(fam)):
        if name not in fam:
            continue
        bad = fam[name](copy.deepcopy(inst.cert), rng)
        res = cc.check(bad)
        need(res.verdict in ("REJECTED", "MALFORMED"),
             f"corruption '{name}' got {res.verdict}: {res.message[:200]}")


def checker_control(inst: CertInstance) -> None:
    """The checker is not rejecting everything: the produced certificate, and legitimate
    weakenings of it (lower bound lowered, upper bound raised), are VERIFIED."""
    import copy

    cc = load_checker()
    res = cc.check(copy.deepcopy(inst.cert))
    need(res.verdict == "VERIFIED", f"produced certificate: {res.verdict}: {res.message[:200]}")
    weak = copy.deepcopy(inst.cert)
    weak.pop("optimal_set", None)          # an optimal set needs lower == upper (check 6)
    weak["claim"]["lower"] = _bump(weak["claim"]["lower"], -_1)
    weak["claim"]["upper"] = _bump(weak["claim"]["upper"], _1)
    res = cc.check(weak)
    need(res.verdict == "VERIFIED", f"weakened certificate: {res.verdict}: {res.message[:200]}")


# ============================================================ T24: stationary points

EXAMPLE_C_X = ((Fraction(1),), (Fraction(-4),))
EXAMPLE_C_Y = (Fraction(3), Fraction(3, 2))


@dataclass(frozen=True)
class Stationary:
    """Example C (x = (1, -4), y = (3, 3/2)) with ``lam = 6 - 16 q^2`` and the 1-neuron
    network ``(W1, w2) = (-q, q)`` (``t = q^2 = (6 - lam) / 16``: fits point 2 only)."""

    q: Fraction

    @property
    def lam(self) -> Fraction:
        return 6 - 16 * self.q * self.q


def make_stationary(rng: random.Random) -> Stationary:
    while True:                       # 0 < q < sqrt(6)/4 ~ 0.612, so lam > 0
        q = Fraction(rng.randint(1, 60), rng.randint(2, 100))
        if 16 * q * q < 6:
            return Stationary(q)


def nc_gradient(X, y, lam: Fraction, W1, w2) -> tuple[list, list] | None:
    """Exact gradient of NC at a network with no tie (``x_k . W1_j != 0`` for every k, j:
    NC is differentiable there), written out here independently of the library:
    ``dW1_j = sum_k e_k 1[z_kj > 0] w2_j x_k + lam W1_j``, ``dw2_j = sum_k e_k (z_kj)_+ +
    lam w2_j`` with ``e = f - y``.  ``None`` at a tie."""
    Z = [[sum((a * b for a, b in zip(x, w)), Fraction(0)) for w in W1] for x in X]
    if any(z == 0 for row in Z for z in row):
        return None
    f = [sum((max(z, Fraction(0)) * c for z, c in zip(row, w2)), Fraction(0)) for row in Z]
    e = [a - b for a, b in zip(f, y)]
    gW = [[sum((e[k] * w2[j] * X[k][t] for k in range(len(X)) if Z[k][j] > 0), Fraction(0))
           + lam * W1[j][t] for t in range(len(W1[j]))] for j in range(len(W1))]
    gw = [sum((e[k] * max(Z[k][j], Fraction(0)) for k in range(len(X))), Fraction(0))
          + lam * w2[j] for j in range(len(W1))]
    return gW, gw


def t24_check(inst: Stationary) -> None:
    """The network is a stationary point (gradient exactly 0), its NC value is the exact
    optimum of the convex program sub-sampled to its own pattern, and it is global iff
    that program's dual is feasible for all patterns (lam >= 3 here); below lam = 2 it is
    also worse than the other 1-neuron stationary point: a spurious local minimum."""
    from exactrelu.certificate.produce import certify
    from exactrelu.rational_optimum import exact_optimum_at
    from exactrelu.arrangement import enumerate_patterns, network_patterns

    q, lam = inst.q, inst.lam
    data = Dataset.from_arrays(EXAMPLE_C_X, EXAMPLE_C_Y)
    W1, w2 = [(-q,)], [q]
    g = nc_gradient(data.X, data.y, lam, W1, w2)
    need(g is not None and all(a == 0 for row in g[0] for a in row) and all(a == 0 for a in g[1]),
         f"gradient at (-q, q) is not 0: {g}")
    net = Network.from_values([[-q]], [q])
    value = net.nc_objective(data, lam)
    need(value == Fraction(45, 8) - (Fraction(3, 2) - lam / 4) ** 2 / 2, "NC value off the closed form")
    sub, _ = network_patterns(data.X, [[-q]])
    need(sub.bits == ("01",), f"the neuron's pattern is {sub.bits}")
    r = tuple(t - a for t, a in zip(data.y, net.outputs(data.X)))
    eo = exact_optimum_at(ConvexProgram(data, lam, sub), r)
    need(eo is not None and eo.value == value,
         "not the optimum of the program sub-sampled to its pattern")
    full = ConvexProgram(data, lam, enumerate_patterns(data.X, progress=False))
    glob = exact_optimum_at(full, r)
    need((glob is not None) == (lam >= 3), f"global optimality misjudged at lam = {lam}")
    res = certify(data, lam, network=net, progress=False)
    if lam >= 3:
        need(res.lower == res.upper == value, "certify does not prove the global optimum")
    else:
        # the claim's upper bound is the network's value rounded up to a short dyadic
        need(value <= res.upper <= value * (1 + Fraction(1, 2 ** 150)) and res.lower < value,
             f"certify's bounds are wrong: {res.lower} {res.upper} vs {value}")
        need(res.hint is not None and res.hint["pattern"] == "10" and res.hint["sign"] == 1,
             f"certify's hint should name the block of point 1: {res.hint}")
    if lam < 2:                          # the other 1-neuron branch W1 = w2 = sqrt(3 - lam)
        other = Fraction(45, 8) - (3 - lam) ** 2 / 2
        need(other < value, "not worse than the 1-neuron optimum: not spurious")


def t24_control(inst: Stationary) -> None:
    """A perturbed network is not stationary (the gradient check fires), and the sub-sampled
    optimum check rejects a residual that is off by 1/7 on the active point."""
    from exactrelu.rational_optimum import exact_optimum_at
    from exactrelu.arrangement import network_patterns

    q, lam = inst.q, inst.lam
    data = Dataset.from_arrays(EXAMPLE_C_X, EXAMPLE_C_Y)
    g = nc_gradient(data.X, data.y, lam, [(-q - Fraction(1, 7),)], [q])
    need(g is not None and any(a != 0 for a in g[0][0] + g[1]), "perturbed gradient is 0")
    sub, _ = network_patterns(data.X, [[-q]])
    net = Network.from_values([[-q]], [q])
    r = tuple(t - a for t, a in zip(data.y, net.outputs(data.X)))
    bad = (r[0], r[1] + Fraction(1, 7))
    need(exact_optimum_at(ConvexProgram(data, lam, sub), bad) is None,
         "a wrong residual was accepted as optimal")


# ===================================================================== registry

@dataclass(frozen=True)
class Claim:
    key: str
    title: str
    source: str
    kind: str
    check: Callable[[Any], None]
    control: Callable[[Any], None]
    needs: str | None = None        # module that must be importable


CLAIMS: list[Claim] = [
    Claim("T1", "unique optimal fit", "docs/theory.md §2.2 L1, §5.2 T1", "planted", t1_check, t1_control),
    Claim("T2/T3", "blockwise identity <Z_b w_b, r> = lam ||w_b||", "§2.2 L3, §5.2 T2-T3",
          "planted", t3_check, t3_control),
    Claim("T4", "exact KKT certificate at every optimum", "§2.1, §2.3, §5.2 T4", "planted",
          t4_check, t4_control),
    Claim("T5", "polytope = optimal set", "§2.4, §5.2 T5", "planted", t5_check, t5_control),
    Claim("T6", "sum alpha = <yhat, r>/lam^2 on the optimal set", "§2.4, §5.2 T6", "planted",
          t6_check, t6_control),
    Claim("T8", "unique iff the fits of S are independent", "§2.7, §5.2 T8", "planted",
          t8_check, t8_control),
    Claim("T26", "optimal neurons positively collinear with v_b", "§2.3, §5.2 T26", "planted",
          t26_check, t26_control),
    Claim("T9", "vertex <=> independent fits <=> support-minimal", "§2.9, §5.2 T9",
          "planted_nonunique", t9_check, t9_control),
    Claim("T11", "minimal networks have <= n neurons", "§2.9, §5.2 T11", "planted",
          t11_check, t11_control),
    Claim("T12/T13", "Algorithm 1 returns an optimal minimal solution", "§2.10, §5.2 T12-T13",
          "planted", t13_check, t13_control, needs="exactrelu.pruning"),
    Claim("T16", "C -> NC preserves the objective", "§1.6, §5.2 T16", "planted",
          t16_check, t16_control),
    Claim("T17", "NC -> C never increases the objective", "§1.6, §5.2 T17", "network",
          t17_check, t17_control),
    Claim("T20", "lam_max: w = 0 optimal iff lam >= lam_max", "§2.2 L5, §5.2 T20", "dataset",
          t20_check, t20_control),
    Claim("T24", "stationary point = optimum of its sub-sampled program", "§2.6, §5.2 T24",
          "stationary", t24_check, t24_control),
    Claim("T25", "weak and strong duality", "§2.2 L4, §5.2 T25", "planted",
          t25_check, t25_control),
    Claim("conn", "optimal set connected (segments optimal)", "§2.8", "planted_nonunique",
          connected_check, connected_control),
    Claim("T27", "D X u = (X u)_+ on the cone", "§1.3, §5.2 T27", "matrix",
          t27_check, t27_control),
    Claim("regions", "general-position region count", "§1.3; Cover 1965", "matrix",
          regions_check, regions_control),
    Claim("complete", "completeness proof rejects a missing region", "certificate-v1 check 2",
          "matrix", completeness_check, completeness_control),
    Claim("checker", "checker rejects every corruption", "certificate-v1 checks 1-5",
          "certificate", checker_check, checker_control),
]


def claim(key: str) -> Claim:
    return next(c for c in CLAIMS if c.key == key)


# ======================================================================== runner

@dataclass
class Row:
    claim: Claim
    instances: int = 0
    passed: int = 0
    caught: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    skipped: str = ""


def run(n_instances: int, seed: int, only: Sequence[str] | None = None,
        verbose: bool = False) -> list[Row]:
    rows = []
    for c in CLAIMS:
        if only and c.key not in only:
            continue
        row = Row(c)
        rows.append(row)
        if c.needs is not None and importlib.util.find_spec(c.needs) is None:
            row.skipped = f"{c.needs} not available"
            continue
        rng = random.Random(f"{seed}:{c.key}")
        t0 = time.perf_counter()
        for k in range(n_instances):
            inst = MAKERS[c.kind](rng)
            row.instances += 1
            for part, fn in (("check", c.check), ("control", c.control)):
                try:
                    fn(inst)
                except ClaimFailure as e:
                    row.errors.append(f"instance {k} {part}: {e}")
                    continue
                except Exception as e:  # a crash is a failure too
                    row.errors.append(f"instance {k} {part}: {type(e).__name__}: {e}")
                    if verbose:
                        traceback.print_exc()
                    continue
                if part == "check":
                    row.passed += 1
                else:
                    row.caught += 1
        row.seconds = time.perf_counter() - t0
    return rows


def table(rows: Sequence[Row]) -> str:
    out = ["| claim | statement | source | instances | passed | controls caught | seconds |",
           "|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.skipped:
            out.append(f"| {r.claim.key} | {r.claim.title} | {r.claim.source} | 0 | skipped "
                       f"({r.skipped}) | | |")
            continue
        out.append(f"| {r.claim.key} | {r.claim.title} | {r.claim.source} | {r.instances} | "
                   f"{r.passed} | {r.caught} | {r.seconds:.2f} |")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--instances", type=int, default=50, help="instances per claim (50)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the instance generators")
    ap.add_argument("--only", default="", help="comma-separated claim keys (e.g. T5,T9)")
    ap.add_argument("--verbose", action="store_true", help="print tracebacks of crashes")
    args = ap.parse_args(argv)
    if args.instances < 1:
        ap.error("--instances must be >= 1")
    only = [k.strip() for k in args.only.split(",") if k.strip()] or None
    if only:
        unknown = [k for k in only if k not in {c.key for c in CLAIMS}]
        if unknown:
            ap.error(f"unknown claims {unknown}; known: {[c.key for c in CLAIMS]}")
    t0 = time.perf_counter()
    rows = run(args.instances, args.seed, only, args.verbose)
    print(f"# Claims of docs/theory.md §5.2, checked exactly ({args.instances} instances per "
          f"claim, seed {args.seed})\n")
    print(table(rows))
    bad = [r for r in rows if r.errors or (not r.skipped and
                                           (r.passed < r.instances or r.caught < r.instances))]
    print(f"\ntotal {time.perf_counter() - t0:.1f} s; "
          f"{'ALL PASSED' if not bad else f'{len(bad)} claim(s) FAILED'}")
    for r in bad:
        for e in r.errors[:5]:
            print(f"  {r.claim.key}: {e}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
