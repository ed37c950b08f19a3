r"""The certified regularization path with a free, unregularised output bias.

For every ``lam`` of the grid, proved bounds ``lower <= p*(lam) <= upper`` on the optimum
of training ``sum_j (x W1_j)_+ w2_j + c`` with ``c`` free (docs/spec/certificate-v1.md,
"Minor version 1.2": a dual vector with ``sum r = 0`` bounds the problem for every ``c``),
with ONE pattern enumeration and ONE completeness proof for the whole grid; each point is
:func:`exactrelu.certificate.output_bias.free_bias_bounds` (the float guess of the best
``c``, the exact dual bound projected onto ``sum r = 0``, the rounded network with its
exact best ``c``).  No exact optimum is searched and no warm start is used.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable

from ..arrangement import PatternSet, enumerate_patterns
from ..errors import ExactReluError
from ..problem import Dataset
from ._shared import PathBlock, _blocks_of, _check_lams, _round_out

__all__ = ["OutputBiasPoint", "output_bias_path"]


@dataclass(frozen=True)
class OutputBiasPoint:
    """One ``lam`` of :func:`output_bias_path`: ``lower <= p*(lam) <= upper`` (proved),
    the output bias ``c`` of the network behind ``upper`` and its neurons (``blocks``,
    ``u = |w2| W1``)."""

    lam: Fraction
    lower: Fraction
    upper: Fraction
    output_bias: Fraction
    neurons: int
    blocks: tuple[PathBlock, ...]

    @property
    def gap(self) -> Fraction:
        return self.upper - self.lower


def output_bias_path(data: Dataset, lams: Iterable[object], *,
                     patterns: PatternSet | None = None, prove_complete: bool = True,
                     bits: int = 48, tol: float = 1e-11) -> list[OutputBiasPoint]:
    """The points in the order of ``lams`` (see the module doc).  With every pattern
    (the default) and ``prove_complete``, each point bounds the global optimum over every
    width and every output bias."""
    from ..certificate.output_bias import free_bias_bounds
    from ..conversions import network_to_convex

    lq = _check_lams(lams)
    ps = patterns if patterns is not None else enumerate_patterns(data.X, progress=False)
    if ps.n != data.n or ps.d != data.d:
        raise ExactReluError("patterns were computed for different data")
    if ps.complete and prove_complete:
        from ..certificate.completeness import completeness_proof

        completeness_proof(data.X, ps)       # raises unless the list is proved complete
    out = []
    for lam in lq:
        fb = free_bias_bounds(data, lam, ps, bits=bits, tol=tol)
        pats, blocks = network_to_convex(fb.net, data)
        lower, upper = fb.dual.lower, fb.upper
        if lower != upper:
            lower, upper = _round_out(lower, False), _round_out(upper, True)
        out.append(OutputBiasPoint(lam, lower, upper, fb.net.output_bias,
                                   len(fb.net.nonzero_neurons()), _blocks_of(pats, blocks)))
    return out
