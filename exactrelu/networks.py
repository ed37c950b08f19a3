"""Two-layer ReLU networks, exactly, and the solution mappings to and from C-ReLU.

A network of width ``m`` on inputs of dimension ``d`` has first-layer rows ``W1_j`` and
output weights ``w2_j``; its output on data ``X`` (n x d) is
``f = sum_j (X W1_j)_+ w2_j``.  Its training objective (the scaling of the project, see
the certificate spec) is::

    NC(W1, w2) = 1/2 ||f - y||^2 + lam/2 sum_j (||W1_j||^2 + w2_j^2)

and its *balanced* objective (NC after the best rescaling ``(c W1_j, w2_j / c)`` of every
neuron, by AM-GM) is::

    B(W1, w2)  = 1/2 ||f - y||^2 + lam sum_j ||W1_j|| |w2_j|            (B <= NC)

Solution mappings (Pilanci & Ergen 2020; Mishkin & Pilanci 2023, docs/theory.md §1.6):

* **C -> NC** (:func:`convex_to_network`).  A nonzero convex block ``u`` with sign ``s``
  becomes the neuron ``W1 = u / sqrt(||u||)``, ``w2 = s sqrt(||u||)``.  The scale
  ``sqrt(||u||) = (||u||^2)^(1/4)`` is rational only when ``||u||^2`` is the fourth power
  of a rational, so the result is kept exactly in *product form*
  (:class:`ProductNetwork`: the blocks themselves, which fix the network up to that
  scale).  The identities ``W1 |w2| = u`` and ``w2^2 = ||W1||^2 = ||u||`` make its NC
  objective equal the convex objective.
* **NC -> C** (:func:`network_to_convex`).  A neuron with ``W1_j != 0 != w2_j`` gives
  ``u_j = |w2_j| W1_j`` in the cone of a pattern of ``W1_j`` (ties broken by
  :func:`exactrelu.arrangement.neuron_region`), with sign ``sign(w2_j)``; neurons sharing
  (pattern, sign) are merged by summing.  The fit is preserved and the objective does not
  increase (triangle inequality, then AM-GM): ``C <= B <= NC``
  (:func:`compare_convex_nc` decides the sign of ``C - NC`` exactly).

Everything is exact (:class:`fractions.Fraction`).  Norms ``||v||`` are irrational in
general and never approximated in a decision: they appear as terms ``c * sqrt(q)``
decided by :mod:`exactrelu.algebraic`, or as proved rational enclosures
(:func:`exactrelu.numbers.sqrt_bounds`).
"""
from __future__ import annotations

import math

from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Sequence

from .errors import DomainError, NotExactError, ShapeError
from .numbers import dot, exact_sqrt, is_square, q_matrix, q_vector, sqnorm, to_q
from .problem import Dataset

__all__ = ["Network", "fourth_root", "in_cone"]

Vec = tuple[Fraction, ...]
Mat = tuple[Vec, ...]
Terms = list[tuple[Fraction, Fraction]]   # [(c, q)] meaning sum c * sqrt(q)

_ZERO = Fraction(0)


# ----------------------------------------------------------------------------- helpers

def _rows_of(X: Dataset | Sequence[Sequence[object]]) -> Mat:
    if isinstance(X, Dataset):
        return X.X
    return q_matrix(X, allow_float=True)        # the public rule: floats at their IEEE value


def _relu_fit(X: Mat, w: Sequence[Fraction], c: Fraction) -> list[Fraction]:
    """``(X w)_+ * c`` as a list."""
    out = []
    for x in X:
        v = dot(x, w)
        out.append(v * c if v > 0 else _ZERO)
    return out


def _check_width(X: Mat, d: int | None, what: str) -> None:
    if d is None:
        return
    for k, x in enumerate(X):
        if len(x) != d:
            raise ShapeError(f"row {k} of X has {len(x)} entries but the {what} has "
                             f"{d} inputs")


def _loss(f: Sequence[Fraction], y: Sequence[Fraction]) -> Fraction:
    if len(f) != len(y):
        raise ShapeError(f"{len(f)} outputs but {len(y)} targets")
    return sqnorm([a - b for a, b in zip(f, y)]) / 2


def _lam(lam: object) -> Fraction:
    lq = to_q(lam, allow_float=True)
    if lq <= 0:
        raise ValueError(f"lam must be positive, got {lq}")
    return lq


def _check_bias(bias_column: bool, data: Dataset) -> None:
    if bias_column and not data.bias:
        raise ShapeError("the network's last input is a bias column (it came from a "
                         "first-layer bias): read the data with --bias")


def _scalar(v: object) -> Fraction:
    """One exact number from a scalar or a one-entry array (an output bias)."""
    from .api import exact_number

    if hasattr(v, "tolist"):
        v = v.tolist()
    while isinstance(v, (list, tuple)):
        if len(v) != 1:
            raise ShapeError(f"the output bias has {len(v)} entries; one output is supported")
        v = v[0]
    return exact_number(v)


def fourth_root(q: Fraction) -> Fraction:
    """The exact ``q^(1/4)`` of a rational ``q >= 0`` that is a fourth power, else
    :class:`DomainError`."""
    return exact_sqrt(exact_sqrt(to_q(q)))


def in_cone(X: Sequence[Sequence[Fraction]], bits: str, u: Sequence[Fraction]) -> int | None:
    """First row ``k`` with ``(2 D_kk - 1) x_k . u < 0`` (``u`` outside the cone of
    pattern ``bits``), or ``None`` if ``u`` is in the cone, i.e. ``D X u = (X u)_+``."""
    for k, (x, b) in enumerate(zip(X, bits)):
        v = dot(x, u)
        if (v < 0 and b == "1") or (v > 0 and b == "0"):
            return k
    return None


# ----------------------------------------------------------------------------- Network

@dataclass(frozen=True)
class Network:
    """A two-layer ReLU network with exact rational weights.

    ``W1`` is ``m x d`` (row ``j`` = first-layer weights of neuron ``j``), ``w2`` has ``m``
    entries.  ``bias_column`` says that the last input is a bias (a first-layer bias read
    from a PyTorch model became the last column of ``W1``), so the data must carry the
    column of ones (``--bias``).  ``dim`` is ``d``; it is only needed (and only stored)
    for a network of width 0.

    >>> from exactrelu import Network
    >>> net = Network.from_numpy([[1, -1], [0.5, 2]], [3, "-1/2"])
    >>> net.width, net.outputs([[2, 1]])      # (2-1)_+ * 3 + (1+2)_+ * (-1/2)
    (2, (Fraction(3, 2),))
    >>> from exactrelu import Dataset     # 1/2 (3/2 - 1)^2 + 1/10 * 1/2 (11 + 9/2)
    >>> net.nc_objective(Dataset.from_arrays([[2, 1]], [1]), "1/10")
    Fraction(9, 10)
    """

    W1: Mat
    w2: Vec
    bias_column: bool = False
    dim: int | None = None
    output_bias: Fraction = _ZERO

    def __post_init__(self) -> None:
        if not isinstance(self.output_bias, Fraction):
            raise NotExactError("the output bias must be a Fraction; use Network.from_values")
        object.__setattr__(self, "W1", tuple(tuple(r) for r in self.W1))
        object.__setattr__(self, "w2", tuple(self.w2))
        if len(self.W1) != len(self.w2):
            raise ShapeError(f"W1 has {len(self.W1)} rows but w2 has {len(self.w2)} entries")
        if self.W1:
            d = len(self.W1[0])
            if d == 0:
                raise ShapeError("W1 has no columns")
            for j, row in enumerate(self.W1):
                if len(row) != d:
                    raise ShapeError(f"row {j} of W1 has {len(row)} entries, row 0 has {d}")
            if self.dim is not None and self.dim != d:
                raise ShapeError(f"dim={self.dim} but W1 has {d} columns")
            object.__setattr__(self, "dim", d)
        for row in self.W1:
            for a in row:
                if not isinstance(a, Fraction):
                    raise NotExactError("Network entries must be Fractions; use "
                                        "Network.from_values")
        for a in self.w2:
            if not isinstance(a, Fraction):
                raise NotExactError("Network entries must be Fractions; use Network.from_values")

    @staticmethod
    def from_values(W1: Iterable[Iterable[object]], w2: Iterable[object],
                    allow_float: bool = True, *, bias_column: bool = False,
                    dim: int | None = None) -> "Network":
        """Build from exact values (int, Fraction, rational strings, ...); floats at their
        exact IEEE value (the public rule, :func:`exactrelu.exact_number`), or refused with
        :class:`~exactrelu.errors.NotExactError` when ``allow_float=False``.  Shapes are validated (:class:`ShapeError`)."""
        return Network(q_matrix(W1, allow_float=allow_float),
                       q_vector(w2, allow_float=allow_float), bias_column, dim)

    @staticmethod
    def from_numpy(W1: object, w2: object, b1: object = None, b2: object = None
                   ) -> "Network":
        """A network from arrays (NumPy, nested lists; ``W1`` is ``m x d``, ``w2`` has
        ``m`` entries).  Every value is taken exactly, floats at their exact IEEE value
        (the rule of :func:`exactrelu.exact_number`).  A first-layer bias ``b1`` becomes
        the last column of ``W1`` (``bias_column``: the data then needs ``bias=True``); an
        output bias ``b2`` (a scalar or one entry) becomes :attr:`output_bias`.

        >>> from exactrelu import Network
        >>> net = Network.from_numpy([[1.0, -0.5]], [2], b1=[0.25])
        >>> net.W1, net.bias_column
        (((Fraction(1, 1), Fraction(-1, 2), Fraction(1, 4)),), True)
        >>> net.predict([[1, 0]])          # (1 + 0.25)_+ * 2, bias column added
        array([2.5])
        """
        from .api import _rows, exact_matrix, exact_number

        rows = exact_matrix(W1, "W1")
        out = _rows(w2, "w2")
        if out and isinstance(out[0], (list, tuple)):       # (m, 1) or (1, m)
            out = [a for r in out for a in r]
        w2q = [exact_number(a) for a in out]
        c = _ZERO if b2 is None else _scalar(b2)
        if b1 is None:
            return Network(tuple(map(tuple, rows)), tuple(w2q), output_bias=c)
        bq = [exact_number(a) for a in _rows(b1, "b1")]
        if len(bq) != len(rows):
            raise ShapeError(f"b1 has {len(bq)} entries but W1 has {len(rows)} rows")
        return Network(tuple(tuple(r) + (b,) for r, b in zip(rows, bq)), tuple(w2q), True,
                       output_bias=c)

    @staticmethod
    def from_torch(model: object) -> "Network":
        """A network from a PyTorch ``Linear-ReLU-Linear`` model (``nn.Sequential``) or
        its ``state_dict``, at the exact float values of the weights (a first-layer bias
        becomes the last column of ``W1``; the output bias becomes :attr:`output_bias`,
        certified with ``output_bias=True``)."""
        from .io.networks import network_from_state_dict

        sd = model.state_dict() if hasattr(model, "state_dict") else model
        if not hasattr(sd, "items"):
            raise ShapeError(f"expected a torch module or a state_dict, got "
                             f"{type(model).__name__}")
        return network_from_state_dict(list(sd.items()), name="<torch model>")

    @staticmethod
    def from_safetensors(path: object) -> "Network":
        """A network from a ``.safetensors`` file (no pickle, no torch needed): ``W1``/``w2``
        or a ``Linear-ReLU-Linear`` state dict saved with
        ``safetensors.torch.save_file(model.state_dict(), path)``, at the exact float values
        of the weights (a first-layer bias becomes the last column of ``W1``, the output
        bias :attr:`output_bias`).  Bad files raise
        :class:`~exactrelu.errors.InputError` naming the file."""
        from .io.networks import read_safetensors

        return read_safetensors(path)  # type: ignore[arg-type]

    def to_numpy(self):
        """``(W1, w2)`` as float64 NumPy arrays (rounded: for display and fast float use;
        the exact weights stay in :attr:`W1` and :attr:`w2`)."""
        import numpy as np

        d = self.dim or 0
        W1 = np.array([[float(a) for a in r] for r in self.W1], dtype=float).reshape(-1, d)
        return W1, np.array([float(a) for a in self.w2], dtype=float)

    def predict(self, X: object):
        """Predictions ``sum_j (x . W1_j)_+ w2_j + output_bias`` for the rows of ``X`` as
        float64: the
        exact outputs (:meth:`outputs`), each rounded once.  With a ``bias_column`` the
        column of ones is appended when ``X`` has one column fewer than the network."""
        import numpy as np

        from .api import exact_matrix

        rows = exact_matrix(X, "X")
        if self.bias_column and rows and self.dim is not None and len(rows[0]) == self.dim - 1:
            rows = [r + [Fraction(1)] for r in rows]
        if not self.W1:
            return np.full(len(rows), float(self.output_bias))
        return np.array([float(v) for v in self.outputs(rows)], dtype=float)

    # -- shape -------------------------------------------------------------------------
    @property
    def width(self) -> int:
        return len(self.w2)

    @property
    def d(self) -> int | None:
        return self.dim

    def nonzero_neurons(self) -> list[int]:
        """Indices ``j`` with ``W1_j != 0`` and ``w2_j != 0`` (the neurons that can change
        the output; the others only add weight decay)."""
        return [j for j, (w, a) in enumerate(zip(self.W1, self.w2)) if a and any(w)]

    def without_zero_neurons(self) -> "Network":
        """The network restricted to :meth:`nonzero_neurons`: the same function, and an
        objective that is not larger (equal iff every dropped neuron is entirely zero)."""
        keep = self.nonzero_neurons()
        return self._with(tuple(self.W1[j] for j in keep), tuple(self.w2[j] for j in keep))

    def _with(self, W1, w2) -> "Network":
        """The same kind of network (bias column, dim, output bias) with other weights."""
        return Network(tuple(W1), tuple(w2), self.bias_column, self.dim, self.output_bias)

    # -- function ------------------------------------------------------------------------
    def outputs(self, X: Dataset | Sequence[Sequence[object]]) -> Vec:
        """``sum_j (X W1_j)_+ w2_j + output_bias`` exactly (``X`` a matrix or a
        :class:`Dataset`)."""
        Xq = _rows_of(X)
        _check_width(Xq, self.dim, "network")
        out = [self.output_bias] * len(Xq)
        for w, a in zip(self.W1, self.w2):
            if not a:
                continue
            for k, v in enumerate(_relu_fit(Xq, w, a)):
                out[k] += v
        return tuple(out)

    def neuron_outputs(self, X: Dataset | Sequence[Sequence[object]], j: int) -> Vec:
        """``(X W1_j)_+ w2_j``."""
        Xq = _rows_of(X)
        _check_width(Xq, self.dim, "network")
        return tuple(_relu_fit(Xq, self.W1[j], self.w2[j]))

    def loss(self, data: Dataset) -> Fraction:
        """``1/2 ||f - y||^2``."""
        _check_bias(self.bias_column, data)
        return _loss(self.outputs(data.X), data.y)

    # -- objectives ----------------------------------------------------------------------
    def weight_decay(self) -> Fraction:
        """``1/2 sum_j (||W1_j||^2 + w2_j^2)`` (multiply by ``lam``)."""
        return sum((sqnorm(w) + a * a for w, a in zip(self.W1, self.w2)), _ZERO) / 2

    def nc_objective(self, data: Dataset, lam: object) -> Fraction:
        """``NC = 1/2 ||f - y||^2 + lam/2 sum_j (||W1_j||^2 + w2_j^2)``, exactly."""
        return self.loss(data) + _lam(lam) * self.weight_decay()

    def penalty_balanced_terms(self, lam: object = 1) -> Terms:
        """``[(lam |w2_j|, ||W1_j||^2)]``: the terms ``c * sqrt(q)`` whose sum is the
        balanced penalty ``lam sum_j ||W1_j|| |w2_j|`` (zero terms left out)."""
        lq = _lam(lam)
        out: Terms = []
        for w, a in zip(self.W1, self.w2):
            q = sqnorm(w)
            if a and q:
                out.append((lq * abs(a), q))
        return out

    def balanced_objective_terms(self, data: Dataset, lam: object) -> tuple[Fraction, Terms]:
        """``(loss, terms)`` with ``B = loss + sum c * sqrt(q)`` over ``terms``."""
        return self.loss(data), self.penalty_balanced_terms(lam)

    def balanced_objective_bounds(self, data: Dataset, lam: object, bits: int = 64
                                  ) -> tuple[Fraction, Fraction]:
        """Rationals ``lo <= B <= hi`` (exact, ``lo == hi``, when every ``||W1_j||^2`` is
        a rational square); each norm is enclosed by integer square roots."""
        from .algebraic import enclose_sum_sqrt

        return enclose_sum_sqrt(*self.balanced_objective_terms(data, lam), bits)

    def is_balanced(self) -> bool:
        """``||W1_j||^2 == w2_j^2`` for every neuron (exact).  Then ``B == NC``."""
        return all(sqnorm(w) == a * a for w, a in zip(self.W1, self.w2))

    # -- symmetries ----------------------------------------------------------------------
    def split_neuron(self, j: int, gammas: Sequence[object]) -> "Network":
        """Replace neuron ``j`` by the neurons ``(sqrt(g_k) W1_j, sqrt(g_k) w2_j)``.

        With ``g_k >= 0`` and ``sum g_k = 1`` this is a symmetry of NC (same function,
        same penalty).  Each ``g_k`` must be a rational square (``DomainError``
        otherwise), e.g. ``(9/25, 16/25)``.
        """
        gs = [to_q(g) for g in gammas]
        if any(g < 0 for g in gs) or sum(gs) != 1:
            raise DomainError(f"split factors must be >= 0 and sum to 1, got {gs}")
        roots = [exact_sqrt(g) for g in gs]
        W1 = list(self.W1[:j])
        w2 = list(self.w2[:j])
        for r in roots:
            W1.append(tuple(r * a for a in self.W1[j]))
            w2.append(r * self.w2[j])
        W1 += self.W1[j + 1:]
        w2 += self.w2[j + 1:]
        return self._with(W1, w2)

    def rescale_neuron(self, j: int, c: object) -> "Network":
        """``(c W1_j, w2_j / c)`` for a rational ``c > 0``: same function, different NC."""
        cq = to_q(c)
        if cq <= 0:
            raise DomainError(f"rescaling factor must be positive, got {cq}")
        W1 = list(self.W1)
        w2 = list(self.w2)
        W1[j] = tuple(cq * a for a in W1[j])
        w2[j] = w2[j] / cq
        return self._with(W1, w2)

    def rebalanced(self, bits: int = 64) -> "Network":
        """Every neuron rescaled to ``(c_j W1_j, w2_j / c_j)`` with a rational ``c_j > 0``
        as close as ``bits`` allow to the balancing scale ``(w2_j^2/||W1_j||^2)^(1/4)``
        (exactly it when that is rational).  The function is unchanged; the NC term
        ``1/2 (c^2 ||W1||^2 + w2^2 / c^2)`` of a neuron never increases: a scale that
        would not lower it exactly is not applied.  Zero neurons are kept as they are.

        >>> from exactrelu import Network
        >>> net = Network.from_numpy([[4, 0]], [1]).rebalanced()
        >>> net.W1, net.w2, net.is_balanced()        # c = 1/2: ||W1|| = |w2| = 2
        (((Fraction(2, 1), Fraction(0, 1)),), (Fraction(2, 1),), True)
        """
        W1, w2 = list(self.W1), list(self.w2)
        for j, (w, a) in enumerate(zip(self.W1, self.w2)):
            q = sqnorm(w)
            if not a or not q or q == a * a:
                continue
            c = _balancing_scale(a * a / q, bits)
            if c * c * q + a * a / (c * c) < q + a * a:       # the term decreases, exactly
                W1[j] = tuple(c * x for x in w)
                w2[j] = a / c
        return self._with(W1, w2)


def _balancing_scale(ratio: Fraction, bits: int) -> Fraction:
    """A rational ``c > 0`` with ``c^4`` close to ``ratio`` (exactly ``ratio^(1/4)`` when
    that is rational): ``floor(ratio^(1/4) 2^bits) / 2^bits`` by integer roots."""
    if is_square(ratio) and is_square(exact_sqrt(ratio)):
        return exact_sqrt(exact_sqrt(ratio))
    scale = 1 << bits
    num = ratio.numerator * scale ** 4 // ratio.denominator
    c = Fraction(math.isqrt(math.isqrt(num)), scale)
    return c if c > 0 else Fraction(1, scale)
