"""Gated ReLU networks (C-GReLU), exactly: the network, its convex program, and gates.

A gated network of width ``m`` has a fixed *gate* ``g_j`` per neuron besides its weights:

    f(x) = sum_j 1[x . g_j >= 0] (x . W1_j) w2_j,
    NC(G, W1, w2) = 1/2 ||f(X) - y||^2 + lam/2 sum_j (||W1_j||^2 + w2_j^2).

With ``D_j = diag(1[X g_j >= 0])`` (the *gate pattern*; a zero row is active, as in the
certificate format) the output ``D_j X W1_j w2_j`` depends on the neuron only through
``v_j = W1_j w2_j``, and ``lam/2 (||W1_j||^2 + w2_j^2) >= lam ||v_j||`` with equality when
balanced (AM-GM).  Gates with the same pattern give the same block, so the training
problem over networks whose gates have patterns in ``P`` is the unconstrained group lasso

    C-GReLU(v) = 1/2 || sum_{i in P} D_i X v_i - y ||^2 + lam sum_i ||v_i||

(docs/theory.md §1.5; neurons sharing a pattern merge by the triangle inequality), with
the dual ``max r . y - ||r||^2 / 2`` s.t. ``||X^T D_i r|| <= lam`` for every ``i in P``.
No cones: the block ``v_i`` is free.  Everything here is exact (:class:`Fraction`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterable, Mapping, Sequence

from .arrangement import PatternSet
from .errors import ShapeError
from .networks import Network, _check_bias, _lam, _loss
from .numbers import dot, q_matrix, q_vector, sqnorm, sqrt_bounds, to_q
from .problem import ConvexProgram, Dataset

__all__ = ["GatedNetwork", "GatedProgram", "gate_pattern"]

Vec = tuple[Fraction, ...]
_ZERO = Fraction(0)


def gate_pattern(X: Sequence[Sequence[Fraction]], g: Sequence[Fraction]) -> str:
    """``1[X g >= 0]`` as a pattern string (``'1'`` = active; zero rows are active)."""
    return "".join("1" if dot(x, g) >= 0 else "0" for x in X)


def _gated_fit(X, G, W1, w2) -> list[Fraction]:
    out = [_ZERO] * len(X)
    for g, w, a in zip(G, W1, w2):
        if not a:
            continue
        for k, x in enumerate(X):
            if dot(x, g) >= 0:
                out[k] += dot(x, w) * a
    return out


@dataclass(frozen=True)
class GatedNetwork:
    """A gated ReLU network with exact weights: neuron ``j`` has gate ``G[j]``,
    first-layer row ``W1[j]`` and output weight ``w2[j]``.

    >>> net = GatedNetwork.from_values([[1, 0]], [[2, 1]], ["1/2"])
    >>> net.outputs([[1, 1], [-1, 3]])        # gate open on row 0 only: (2 + 1) / 2
    (Fraction(3, 2), Fraction(0, 1))
    """

    G: tuple[Vec, ...]
    W1: tuple[Vec, ...]
    w2: Vec
    bias_column: bool = False
    dim: int | None = None

    def __post_init__(self) -> None:
        G = tuple(tuple(to_q(a) for a in g) for g in self.G)
        W1 = tuple(tuple(to_q(a) for a in w) for w in self.W1)
        object.__setattr__(self, "G", G)
        object.__setattr__(self, "W1", W1)
        object.__setattr__(self, "w2", tuple(to_q(a) for a in self.w2))
        if not len(G) == len(W1) == len(self.w2):
            raise ShapeError(f"{len(G)} gates, {len(W1)} rows of W1 and {len(self.w2)} "
                             "output weights: one of each per neuron")
        widths = {len(r) for r in G + W1} | ({self.dim} if self.dim is not None else set())
        if len(widths) > 1 or 0 in widths:
            raise ShapeError(f"gates and W1 rows must all have the same number of inputs, "
                             f"got {sorted(widths)}")
        if widths:
            object.__setattr__(self, "dim", widths.pop())

    @staticmethod
    def from_values(G: Iterable[Iterable[object]], W1: Iterable[Iterable[object]],
                    w2: Iterable[object], *, bias_column: bool = False,
                    dim: int | None = None) -> "GatedNetwork":
        """From exact values; floats at their exact IEEE value (the public rule)."""
        return GatedNetwork(q_matrix(G, allow_float=True), q_matrix(W1, allow_float=True),
                            q_vector(w2, allow_float=True), bias_column, dim)

    width = property(lambda self: len(self.w2), doc="the number of neurons")
    d = property(lambda self: self.dim, doc="the number of inputs")

    def outputs(self, X: Dataset | Sequence[Sequence[object]]) -> Vec:
        """``sum_j 1[X g_j >= 0] (X W1_j) w2_j`` exactly."""
        Xq = X.X if isinstance(X, Dataset) else q_matrix(X, allow_float=True)
        if self.dim is not None and any(len(x) != self.dim for x in Xq):
            raise ShapeError(f"the data rows must have {self.dim} entries (the gated network's "
                             "inputs)")
        return tuple(_gated_fit(Xq, self.G, self.W1, self.w2))

    def rebalanced(self, bits: int = 64) -> "GatedNetwork":
        """Every neuron rescaled to ``(c W1_j, w2_j / c)`` close to balance: the same
        function (the gates stay), an NC term that never increases
        (:meth:`exactrelu.networks.Network.rebalanced`, which uses weights only)."""
        net = Network(self.W1, self.w2, self.bias_column, self.dim).rebalanced(bits)
        return GatedNetwork(self.G, net.W1, net.w2, self.bias_column, self.dim)

    def nc_objective(self, data: Dataset, lam: object) -> Fraction:
        """``1/2 ||f - y||^2 + lam/2 sum_j (||W1_j||^2 + w2_j^2)``, exactly (the loss and
        weight decay of :class:`~exactrelu.networks.Network`, with the gated outputs)."""
        _check_bias(self.bias_column, data)
        weights = Network(self.W1, self.w2, self.bias_column, self.dim)
        return _loss(self.outputs(data), data.y) + _lam(lam) * weights.weight_decay()


@dataclass(frozen=True)
class GatedProgram:
    """C-GReLU over the patterns of ``gates``: ``patterns`` are the distinct gate
    patterns (first occurrence order), ``gate_of[i]`` the first gate with pattern ``i``.
    ``convex`` is the C-ReLU program over these patterns: its block ``(i, 1)`` has the
    fit ``D_i X v`` and correlation ``X^T D_i r`` of pattern ``i`` (C-GReLU has no cones,
    which only :meth:`~exactrelu.problem.ConvexProgram.cone_violation` would use)."""

    data: Dataset
    lam: Fraction
    gates: tuple[Vec, ...]
    patterns: tuple[str, ...] = field(init=False)
    gate_of: tuple[int, ...] = field(init=False)
    convex: ConvexProgram = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lam", to_q(self.lam))
        if self.lam <= 0:
            raise ValueError(f"lam must be positive, got {self.lam}")
        if not self.gates:
            raise ShapeError("a gated model needs at least one gate")
        pats: dict[str, int] = {}
        for j, g in enumerate(self.gates):
            if len(g) != self.data.d:
                raise ShapeError(f"gate {j} has {len(g)} entries but the data has "
                                 f"{self.data.d} columns")
            pats.setdefault(gate_pattern(self.data.X, g), j)
        object.__setattr__(self, "patterns", tuple(pats))
        object.__setattr__(self, "gate_of", tuple(pats.values()))
        object.__setattr__(self, "convex", ConvexProgram(   # block (i, 1) = pattern i
            self.data, self.lam, PatternSet(self.data.n, self.data.d, self.patterns, ())))

    def loss(self, blocks: Mapping[int, Sequence[Fraction]]) -> Fraction:
        """``1/2 ||sum_i D_i X v_i - y||^2`` for ``{pattern i: v_i}``."""
        return self.convex.loss({(i, 1): v for i, v in blocks.items()})

    def upper_blocks(self, blocks: Mapping[int, Sequence[Fraction]], bits: int
                     ) -> tuple[Fraction, dict[int, Fraction]]:
        """``(U, norm_upper)``: rational ``norm_upper_i >= ||v_i||`` (checked by squaring in
        :func:`exactrelu.numbers.sqrt_bounds`) and ``U = loss + lam sum norm_upper_i``,
        an upper bound on C-GReLU at ``v`` and hence on its optimum."""
        nus = {i: sqrt_bounds(sqnorm(v), bits)[1] for i, v in blocks.items()}
        return self.loss(blocks) + self.lam * sum(nus.values(), _ZERO), nus
