r"""``lam_max``: the smallest weight decay at which the zero network is optimal.

docs/theory.md §2.2 L5: the zero network is optimal iff ``lam >= lam_max`` with
``lam_max^2 = max_b ||Pi_{K_b}(s X^T D_b y)||^2`` over every block ``b = (i, s)``.  The
cone projections are exact (:func:`exactrelu.cones.project`); blocks are visited by
decreasing ``||X^T D_b y||^2`` (an upper bound of the projection) and skipped when an
exact one-row bound ``||c||^2 - (a.c)^2/||a||^2`` cannot beat the best so far.  The
square root is never taken unless ``lam_max^2`` is a rational square.
"""
from __future__ import annotations

from fractions import Fraction

from ..arrangement import PatternSet, enumerate_patterns
from ..numbers import exact_sqrt, is_square
from ..problem import Block, ConvexProgram, Dataset
from ._shared import _ZERO


def _lam_max(data: Dataset, ps: PatternSet) -> tuple[Fraction, Block | None]:
    from ..certificate.dual_bound import exact_correlation_norms
    from ..cones import cone_matrix, project

    from ..certificate.dual_bound import _int_data

    prog = ConvexProgram(data, Fraction(1), ps)
    C, den = exact_correlation_norms(prog, data.y)        # X^T D_i y = C_i / den
    Z, _ = _int_data(prog)                                 # rows of X up to one scale
    zz = [sum(a * a for a in z) for z in Z]
    den2 = den * den
    sq = [sum(v * v for v in row) for row in C]
    best, arg = _ZERO, None
    for i in sorted(range(len(C)), key=lambda k: -sq[k]):
        if Fraction(sq[i], den2) <= best:
            break                                   # ||Pi_K c|| <= ||c||: nothing larger left
        bits = ps.bits[i]
        for s in (1, -1):
            # exact one-row bound: ||Pi_K c||^2 <= ||c||^2 - (a.c)^2/||a||^2 for a row a of
            # A_i with a.c < 0 (multiplier on that row alone); skip the projection if it
            # cannot beat the best so far
            c = [s * v for v in C[i]]
            ub = Fraction(sq[i], den2)
            for k, z in enumerate(Z):
                if not zz[k]:
                    continue
                ac = sum(a * b for a, b in zip(z, c)) * (1 if bits[k] == "1" else -1)
                if ac < 0:
                    ub = min(ub, Fraction(sq[i] * zz[k] - ac * ac, den2 * zz[k]))
            if ub <= best:
                continue
            q = project(cone_matrix(data.X, bits), [Fraction(v, den) for v in c]).sqnorm
            if q > best:
                best, arg = q, (i, s)
    return best, arg


def lam_max(data: Dataset, patterns: PatternSet | None = None
            ) -> tuple[Fraction, Fraction | None]:
    """``(lam_max^2, lam_max or None)``: the zero network is optimal iff ``lam >= lam_max``.

    ``lam_max^2 = max_b ||Pi_{K_b}(s X^T D_b y)||^2`` over every block (docs/theory.md §2.2 L5), from
    exact cone projections; blocks are visited by decreasing ``||X^T D_b y||^2`` and the
    scan stops once that upper bound falls below the best projection.  The second entry
    is ``lam_max`` itself when ``lam_max^2`` is a rational square, else ``None``
    (compare ``lam^2`` with the first entry)."""
    ps = patterns if patterns is not None else enumerate_patterns(data.X, progress=False)
    sq, _ = _lam_max(data, ps)
    return sq, (exact_sqrt(sq) if is_square(sq) else None)
