"""Algorithm 1 in convex form (:func:`prune_convex`), exactly.

A solution of the convex (CGL) program is a family of blocks ``u_b`` with fits
``Z_b u_b`` (for C-ReLU ``s D X u_b``, :func:`crelu_fits`) and penalty ``sum_b ||u_b||``.
The same steps as on a network (:mod:`exactrelu.pruning.algorithm1`) run on the fits,
with ``a_b = ||u_b||``: a null vector ``beta`` of the fits, oriented by the exact sign
of ``sum_b beta_b ||u_b||``, scales every block by ``c_b = 1 - t beta_b >= 0``, so the
fit is unchanged and the penalty does not increase (docs/theory.md §5.1 Example B / T12)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..algebraic import PenaltySign as _PenaltySign
from ..errors import ExactReluError, ShapeError
from ..linalg import primitive_scaled as _primitive
from ..numbers import q_vector, sqnorm
from ..problem import Dataset
from ._common import _ONE, _ZERO, Vec, _as_rows
from .algorithm1 import _algorithm1


@dataclass(frozen=True)
class ConvexPruneResult:
    """Result of :func:`prune_convex`: ``blocks`` (kept blocks, scaled, same container
    type/keys as the input), ``scales`` (factor of every kept block), ``removed`` keys,
    ``steps``, ``fit_equal`` (exact) and ``penalty_sign`` = exact sign of
    ``sum ||u'_b|| - sum ||u_b||`` (``<= 0``; ``0`` for an optimal solution)."""

    blocks: Any
    scales: dict
    removed: tuple
    steps: int
    fit_equal: bool
    penalty_sign: int
    log: list = field(default_factory=list)


def crelu_fits(X: Dataset | Sequence[Sequence[object]], blocks: Mapping[tuple[str, int], Sequence[object]]
               ) -> dict[tuple[str, int], Vec]:
    """``{(bits, s): s D X u}`` for C-ReLU blocks keyed by (pattern bit string, sign)."""
    Xq = _as_rows(X)
    out = {}
    for (bits, sg), u in blocks.items():
        uq = q_vector(u)
        out[(bits, sg)] = tuple(
            (sg * sum((a * b for a, b in zip(x, uq)), _ZERO)) if bit == "1" else _ZERO
            for x, bit in zip(Xq, bits))
    return out


def prune_convex(blocks: Mapping[Any, Sequence[object]] | Sequence[Sequence[object]],
                 fits: Mapping[Any, Sequence[object]] | Sequence[Sequence[object]] | None = None,
                 *, X: Dataset | Sequence[Sequence[object]] | None = None,
                 method: str = "window", record: bool = False) -> ConvexPruneResult:
    """Algorithm 1 on a convex (CGL) solution: blocks ``u_b`` with fits ``Z_b u_b``
    (for C-ReLU ``s D X u_b``; with ``X`` and keys ``(bits, s)`` they are computed by
    :func:`crelu_fits`) and penalty ``sum_b ||u_b||``.  Blocks are scaled by the step
    factors (``u_b <- c_b u_b``), so the fit is unchanged and the penalty does not
    increase (same orientation rule and proof as :func:`prune_network`).  docs/theory.md §5.2 T12:
    Example B from ``(4/3, 4/3, 4/3)`` gives ``(2, 2, 0)`` in one step."""
    if isinstance(blocks, Mapping):
        keys = list(blocks)
        U = [q_vector(blocks[k]) for k in keys]
        if fits is None:
            if X is None:
                raise ValueError("prune_convex: give fits, or X with (bits, sign) keys")
            fm = crelu_fits(X, {k: U[i] for i, k in enumerate(keys)})
            F = [fm[k] for k in keys]
        elif isinstance(fits, Mapping):
            F = [q_vector(fits[k]) for k in keys]
        else:
            F = [q_vector(f) for f in fits]
    else:
        keys = list(range(len(blocks)))
        U = [q_vector(b) for b in blocks]
        if fits is None:
            raise ValueError("prune_convex: fits are required for a list of blocks")
        F = [q_vector(f) for f in (fits.values() if isinstance(fits, Mapping) else fits)]
    if len(F) != len(U):
        raise ShapeError(f"{len(U)} blocks but {len(F)} fits")
    n = len(F[0]) if F else 0
    if any(len(f) != n for f in F):
        raise ShapeError("fits have different lengths")
    nzb = [i for i, u in enumerate(U) if any(u)]
    z, kappa, pos, zero_out = [], [], [], []
    for i in nzb:
        prim = _primitive(F[i])
        if prim is None:
            zero_out.append(i)
            continue
        z.append(prim[0])
        kappa.append(prim[1])
        pos.append(i)
    qn = [sqnorm(u) for u in U]
    s_sub, steps, log, _ = _algorithm1(z, kappa, _PenaltySign([(_ONE, qn[i]) for i in pos], kappa),
                                    method=method, record=record)
    steps += len(zero_out)
    scale = [_ZERO] * len(U)
    for i, sv in zip(pos, s_sub):
        scale[i] = sv
    if record:
        for rec in log:
            rec.indices = tuple(keys[pos[i]] for i in rec.indices)
            rec.removed = tuple(keys[pos[i]] for i in rec.removed)
    kept = [i for i in range(len(U)) if scale[i] != 0]
    fit0 = [sum((f[r] for f in F), _ZERO) for r in range(n)]
    fit1 = [sum((scale[i] * F[i][r] for i in kept), _ZERO) for r in range(n)]
    if fit0 != fit1:
        raise ExactReluError("internal: pruning changed the fit")
    psign = _PenaltySign([(_ONE, q) for q in qn])
    change = psign.sign({i: scale[i] - 1 for i in nzb})
    if change > 0:
        raise ExactReluError("internal: pruning increased the penalty")
    newU = {keys[i]: tuple(scale[i] * a for a in U[i]) for i in kept}
    out_blocks: Any = newU if isinstance(blocks, Mapping) else [newU[i] for i in kept]
    return ConvexPruneResult(out_blocks, {keys[i]: scale[i] for i in kept},
                             tuple(keys[i] for i in range(len(U)) if scale[i] == 0),
                             steps, True, change, log)
