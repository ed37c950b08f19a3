"""Shared exact bookkeeping of the pruning loops: the vector types, the data read into
rationals (:func:`_dataset_parts`), the pre-activations ``X W1_j`` of many neurons as one
python-flint integer product (:class:`_Products`), the network outputs
``f = sum_j (X W1_j)_+ w2_j`` and the loss ``1/2 ||f - y||^2``, all exactly."""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import flint

from ..errors import ShapeError
from ..linalg import lcm_den as _lcm_den
from ..numbers import q_matrix, q_vector, to_q
from ..problem import Dataset

Vec = tuple[Fraction, ...]
Terms = list[tuple[Fraction, Fraction]]        # [(c, q)] meaning sum c * sqrt(q)

_ZERO = Fraction(0)
_ONE = Fraction(1)


def _as_rows(X: Dataset | Sequence[Sequence[object]]) -> tuple[Vec, ...]:
    if isinstance(X, Dataset):
        return X.X
    return q_matrix(X, allow_float=True)        # the public rule: floats at their IEEE value


def _dataset_parts(net: Network, X, y, lam):
    if isinstance(X, Dataset):
        if net.bias_column and not X.bias:
            raise ShapeError("the network's last input is a bias column: read the data "
                             "with bias=True (--bias)")
        if y is None:
            y = X.y
    Xq = _as_rows(X)
    if net.dim is not None:
        for k, r in enumerate(Xq):
            if len(r) != net.dim:
                raise ShapeError(f"row {k} of X has {len(r)} entries but the network has "
                                 f"{net.dim} inputs")
    yq = q_vector(y, allow_float=True) if y is not None else None
    if yq is not None and len(yq) != len(Xq):
        raise ShapeError(f"{len(Xq)} data rows but {len(yq)} targets")
    lq = None
    if lam is not None:
        lq = to_q(lam, allow_float=True)
        if lq <= 0:
            raise ValueError(f"lam must be positive, got {lq}")
    return Xq, yq, lq


class _Products:
    """Exact ``X W1_j`` for many neurons at once: one flint integer matrix product.

    ``pre[j][k] / den[j] = x_k . W1_j`` with integers ``pre``."""

    def __init__(self, X: Sequence[Vec], W1: Sequence[Vec]) -> None:
        self.n = len(X)
        Lx = _lcm_den(a for r in X for a in r)
        Xi = flint.fmpz_mat([[int(a * Lx) for a in r] for r in X]) if X else None
        self.den: list[int] = []
        rows = []
        for w in W1:
            L = _lcm_den(w)
            self.den.append(L * Lx)
            rows.append([int(a * L) for a in w])
        if W1 and X:
            P = Xi * flint.fmpz_mat(rows).transpose()
            self.pre = [[int(P[k, j]) for k in range(self.n)] for j in range(len(W1))]
        else:
            self.pre = [[0] * self.n for _ in W1]


def _fast_outputs(X: Sequence[Vec], W1: Sequence[Vec], w2: Sequence[Fraction]) -> Vec:
    """``sum_j (X W1_j)_+ w2_j`` exactly (flint integer product, then rationals)."""
    if not W1:
        return tuple(_ZERO for _ in X)
    P = _Products(X, W1)
    out = [_ZERO] * len(X)
    for j, a in enumerate(w2):
        if not a:
            continue
        c = a / P.den[j]
        for k, v in enumerate(P.pre[j]):
            if v > 0:
                out[k] += v * c
    return tuple(out)


def _loss(f: Sequence[Fraction], y: Sequence[Fraction]) -> Fraction:
    return sum(((a - b) ** 2 for a, b in zip(f, y)), _ZERO) / 2
