"""Algorithm 1 directly on a network (:func:`prune_network`), exactly.

The outputs ``q_j = (X W1_j)_+ w2_j`` of the nonzero neurons are written as
``kappa_j z_j`` (``z_j`` primitive integer) and pruned by the loop of
:mod:`exactrelu.pruning.algorithm1`; the output factor ``c_j`` is applied as
``W1_j <- c_j W1_j``.  The result is then checked from the weights alone: the same
outputs on the data (exactly), factors ``>= 0``, and the exact sign of the
balanced-objective change ``sum_j (c_j - 1) ||W1_j|| |w2_j| <= 0`` (a sign of a sum of
square roots; docs/theory.md §2.9-2.10)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Sequence

from ..algebraic import PenaltySign as _PenaltySign
from ..errors import ExactReluError
from ..linalg import primitive_scaled as _primitive
from ..networks import Network
from ..numbers import sqnorm
from ..problem import Dataset
from ._common import _ONE, _ZERO, Terms, _dataset_parts, _fast_outputs, _loss, _Products
from .algorithm1 import _algorithm1
from .display import decimal_string


@dataclass(frozen=True)
class PruneResult:
    """Result of :func:`prune_network` (everything exact unless labelled).

    ``network``: the pruned network (kept neurons in their original order, ``W1_j``
    multiplied by ``scales[j]``, ``w2`` unchanged; not re-balanced -- the balanced
    objective is what is preserved).  ``kept`` / ``removed``: original indices
    (``removed`` includes neurons that were zero to begin with).  ``steps``: Algorithm-1
    steps.  ``predictions_equal``: outputs on the data identical (always True: a
    difference raises).  ``objective_not_larger``: exact sign of
    ``sum_j (s_j - 1) ||W1_j|| |w2_j| <= 0`` (the loss is unchanged), never decided by
    rounding.  With ``y`` and ``lam``: ``objective_before`` / ``objective_after`` are the
    exact balanced objectives as ``(loss, [(c, q)])`` = ``loss + sum c sqrt(q)`` (the
    terms of the pruned network are written with the ORIGINAL ``q = ||W1_j||^2`` and
    ``c = lam s_j |w2_j|``, which is ``||s_j W1_j|| |w2_j|`` since ``s_j >= 0``), and the
    ``*_str`` fields their 30-significant-digit decimals (display only).  ``complete``
    is False only when ``max_seconds`` stopped the loop (then the outputs need not be
    independent yet).

    With ``y`` and ``lam`` also the network to hand out (:func:`balanced_network`):
    ``balanced_network`` is ``network`` with every neuron rescaled close to balance
    (``||W1_j|| = |w2_j|``), the same function, and an exact NC objective
    ``nc_objective_after`` not larger than the input's ``nc_objective_before`` (exact
    Fractions; ``nc_objective_not_larger`` is decided exactly).
    """

    network: Network
    kept: tuple[int, ...]
    removed: tuple[int, ...]
    scales: dict[int, Fraction]
    steps: int
    neurons_before: int
    neurons_after: int
    predictions_equal: bool
    objective_not_larger: bool
    change_sign: int
    objective_before: tuple[Fraction, Terms] | None = None
    objective_after: tuple[Fraction, Terms] | None = None
    objective_before_str: str | None = None
    objective_after_str: str | None = None
    seconds: float = 0.0
    method: str = "window"
    log: list = field(default_factory=list)
    complete: bool = True
    balanced_network: Network | None = None
    nc_objective_before: Fraction | None = None
    nc_objective_after: Fraction | None = None

    @property
    def nc_objective_not_larger(self) -> bool | None:
        if self.nc_objective_before is None:
            return None
        return self.nc_objective_after <= self.nc_objective_before


def balanced_network(pruned: Network, original: Network, data: Dataset, lam: Fraction
                     ) -> tuple[Network, Fraction, Fraction]:
    """``(network, NC after, NC before)``: the pruned network rebalanced
    (:meth:`~exactrelu.networks.Network.rebalanced`, finer scales until its exact NC
    objective is not larger than the original's).  Algorithm 1 keeps the balanced
    objective ``B`` from increasing and ``B <= NC`` with equality only for a balanced
    network, so a fine enough rational scale gets below the original's NC unless the
    original is balanced and the pruned balance is irrational; then the better of the
    unbalanced pruned network and the original network is returned (never larger)."""
    before = original.nc_objective(data, lam)
    for bits in (64, 128, 256):
        cand = pruned.rebalanced(bits)
        after = cand.nc_objective(data, lam)
        if after <= before:
            return cand, after, before
    after = pruned.nc_objective(data, lam)
    if after <= before:
        return pruned, after, before
    return original, before, before


def _objective(loss: Fraction | None, lam: Fraction | None, abs_w2: Sequence[Fraction],
               scales: Sequence[Fraction], q: Sequence[Fraction]
               ) -> tuple[tuple[Fraction, Terms] | None, str | None]:
    if loss is None or lam is None:
        return None, None
    terms = [(lam * s * a, qq) for a, s, qq in zip(abs_w2, scales, q) if s and a and qq]
    return (loss, terms), decimal_string(loss, terms)


def _output_columns(w2: Sequence[Fraction], prod: _Products
                    ) -> tuple[list[list[int]], list[Fraction], list[int], list[int]]:
    """The outputs ``q_j = kappa_j z_j`` of the neurons (``z_j`` primitive integer,
    ``kappa_j > 0``) with a nonzero output on the data, their positions ``pos``, and the
    positions ``zero_out`` of the neurons whose output is zero."""
    z: list[list[int]] = []
    kappa: list[Fraction] = []
    pos: list[int] = []                  # positions (in nz) of neurons with nonzero output
    zero_out: list[int] = []
    for p, (a, pre, den) in enumerate(zip(w2, prod.pre, prod.den)):
        col = [Fraction(v) if v > 0 else _ZERO for v in pre]
        prim = _primitive(col)
        if prim is None:                 # output 0 on the data: null vector e_j, S = a_j > 0
            zero_out.append(p)
            continue
        zi, k = prim
        if a < 0:
            zi = [-v for v in zi]
        z.append(zi)
        kappa.append(k * abs(a) / den)   # q_j = kappa_j z_j
        pos.append(p)
    return z, kappa, pos, zero_out


def prune_network(net: Network, X: Dataset | Sequence[Sequence[object]],
                  y: Sequence[object] | None = None, lam: object | None = None, *,
                  method: str = "window", record: bool = False,
                  max_seconds: float | None = None) -> PruneResult:
    """Algorithm 1 directly on a network, exactly (:mod:`exactrelu.pruning.algorithm1`, with
    the proof).

    ``X`` is the data matrix or a :class:`~exactrelu.problem.Dataset` (then ``y``
    defaults to its targets).  The result has linearly independent neuron outputs on
    ``X`` (so at most ``rank(X-outputs) <= n`` neurons), the SAME outputs on ``X``
    (checked exactly, else :class:`ExactReluError`), and a balanced objective that is
    not larger (decided exactly; equal for an optimal network).  ``y`` and ``lam`` are
    only needed for the objective values.  ``method="full"`` recomputes the null space
    of all alive outputs every step (the slow baseline); ``record`` keeps a log of the
    steps (indices, oriented beta, t, factors, penalty sign, removed).  ``max_seconds``
    stops the loop early (``complete=False``): the result is then still exact (same
    predictions, objective not larger) but possibly not minimal.
    """
    if net.output_bias:
        return _prune_with_output_bias(net, X, y, lam, method=method, record=record,
                                       max_seconds=max_seconds)
    t0 = time.perf_counter()
    Xq, yq, lq = _dataset_parts(net, X, y, lam)
    nz = net.nonzero_neurons()
    W1 = [net.W1[j] for j in nz]
    w2 = [net.w2[j] for j in nz]
    z, kappa, pos, zero_out = _output_columns(w2, _Products(Xq, W1))
    qn = [sqnorm(w) for w in W1]
    absw2 = [abs(a) for a in w2]
    psign_sub = _PenaltySign([(absw2[p], qn[p]) for p in pos], kappa)
    s_sub, steps, log, complete = _algorithm1(
        z, kappa, psign_sub, method=method, record=record,
        deadline=None if max_seconds is None else t0 + max_seconds)
    steps += len(zero_out)
    scales_nz = [_ZERO] * len(nz)
    for p, sv in zip(pos, s_sub):
        scales_nz[p] = sv
    if record:  # translate log indices to original neuron indices
        for rec in log:
            rec.indices = tuple(nz[pos[i]] for i in rec.indices)
            rec.removed = tuple(nz[pos[i]] for i in rec.removed)
    keep_p = [p for p in range(len(nz)) if scales_nz[p] != 0]
    kept = tuple(nz[p] for p in keep_p)
    kset = set(kept)
    removed = tuple(j for j in range(net.width) if j not in kset)
    newW1 = tuple(tuple(scales_nz[p] * a for a in W1[p]) for p in keep_p)
    neww2 = tuple(w2[p] for p in keep_p)
    out = Network(newW1, neww2, net.bias_column, net.dim)
    # ---- exact checks, from the weights (independent of the z / kappa bookkeeping)
    f_before = _fast_outputs(Xq, net.W1, net.w2)
    f_after = _fast_outputs(Xq, out.W1, out.w2)
    if f_before != f_after:
        raise ExactReluError("internal: pruning changed the outputs on the data")
    if any(sv < 0 for sv in scales_nz):
        raise ExactReluError("internal: negative output factor")
    psign_all = _PenaltySign([(absw2[p], qn[p]) for p in range(len(nz))])
    change = psign_all.sign({p: scales_nz[p] - 1 for p in range(len(nz))})
    loss = _loss(f_before, yq) if yq is not None else None
    ob, obs = _objective(loss, lq, absw2, [_ONE] * len(nz), qn)
    oa, oas = _objective(loss, lq, absw2, scales_nz, qn)
    bal = nc_after = nc_before = None
    if yq is not None and lq is not None:
        data = Dataset(tuple(Xq), tuple(yq), net.bias_column)
        bal, nc_after, nc_before = balanced_network(out, net, data, lq)
    return PruneResult(
        network=out, kept=kept, removed=removed,
        scales={nz[p]: scales_nz[p] for p in keep_p}, steps=steps,
        neurons_before=net.width, neurons_after=out.width, predictions_equal=True,
        objective_not_larger=change <= 0, change_sign=change,
        objective_before=ob, objective_after=oa, objective_before_str=obs,
        objective_after_str=oas, seconds=time.perf_counter() - t0, method=method,
        log=log, complete=complete, balanced_network=bal, nc_objective_before=nc_before,
        nc_objective_after=nc_after)


def _prune_with_output_bias(net: Network, X, y, lam, **kw) -> PruneResult:
    """An output bias ``c`` stays as it is: Algorithm 1 on the network without ``c``
    against the targets ``y - c`` (the same residuals, hence the same objectives), and
    ``c`` put back on the networks of the result."""
    c = net.output_bias
    Xq, yq, _ = _dataset_parts(net, X, y, None)
    shifted = None if yq is None else tuple(v - c for v in yq)
    data = replace(X, y=shifted) if isinstance(X, Dataset) and shifted is not None else Xq
    res = prune_network(replace(net, output_bias=_ZERO), data, shifted, lam, **kw)
    bal = res.balanced_network
    return replace(res, network=replace(res.network, output_bias=c),
                   balanced_network=None if bal is None else replace(bal, output_bias=c))
