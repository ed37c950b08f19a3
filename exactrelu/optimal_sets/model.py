r"""The model-relative polytope of a (near-optimal) rational model, and optimisation and
sampling over it (docs/theory.md §3, Table 1 and the "10,000 samples" experiment).

On real data the optimum is usually irrational, so the exact optimal set
(:mod:`exactrelu.optimal_sets`) is out of reach.  What *is* exact is the set of models that
rescale the neurons of a given rational model ``(W1, w2)`` without changing its
predictions on the training data::

    Q = {beta >= 0 : sum_j beta_j q_j = f},    q_j = (X W1_j)_+ w2_j,   f = sum_j q_j

(``beta = 1`` is the model itself).  A point ``beta`` is the network with neurons
``(beta_j W1_j, w2_j)`` (ReLU is positively homogeneous), with exactly the same training
predictions, hence exactly the same loss.  Its balanced penalty (the NC penalty after the
best rescaling of each neuron) is ``lam sum_j beta_j a_j`` with ``a_j = ||W1_j|| |w2_j|``
irrational in general: it is enclosed with rational square-root bounds
(:func:`exactrelu.numbers.sqrt_bounds`), so every point carries an exact interval for its
objective.  For an exact optimum, ``Q`` in ``alpha`` coordinates is the optimal polytope and
the penalty is constant on it (energy identity); for a near-optimal model it is not:
``keep_penalty=True`` adds the linear equation ``sum_j beta_j a~_j = sum_j a~_j``
(``a~_j`` a rational value inside the enclosure), so every point then has the model's
objective up to the enclosure width.

The paper's tuning (``tuning.py::tune_by_optimization``): over ``Q``, minimise
``||beta||_2`` ("Min L2"), maximise ``sum beta`` ("EP", an extreme point: an exact LP),
minimise the validation MSE ("V-MSE") or the test MSE ("T-MSE", an oracle).  The first two
are solved exactly here; the MSE ones by a float QP (Clarabel,
:func:`._float_guess.mse_qp_guess`) followed by an exact repair (projection onto ``M beta =
f`` and a shrink towards ``beta = 1``), so the returned point is an exact member of ``Q`` --
only its optimality for the MSE objective is approximate.

Sampling: :meth:`ModelPolytope.hit_and_run` -- hit-and-run in exact integer arithmetic
(directions in an integer basis of ``ker M``, steps on a fixed dyadic grid, so every sample
is an exact rational point of ``Q`` with a bounded denominator); and
:meth:`ModelPolytope.vertex_mixture` -- random convex combinations of LP vertices (exact
by convexity, computed as one integer matrix product); both from :mod:`.sampling`.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from ..errors import ExactReluError
from ..linalg import least_norm_solution
from ..numbers import q_vector, sqnorm, sqrt_bounds
from ._float_guess import mse_qp_guess
from .min_norm_point import MinNorm
from .polytope import Polytope
from .sampling import Samples, hit_and_run, mix_vertices

__all__ = ["ModelPolytope", "model_polytope", "model_polytope_from_columns",
           "relu_columns", "float_qp_point", "hit_and_run", "Samples"]

Vec = tuple[Fraction, ...]
_ZERO = Fraction(0)
_ONE = Fraction(1)


def relu_columns(X: Sequence[Sequence[Fraction]], W1: Sequence[Sequence[Fraction]],
                 w2: Sequence[Fraction]) -> list[Vec]:
    """Exact neuron outputs ``(X W1_j)_+ w2_j`` (one column per neuron)."""
    cols = []
    for w, a in zip(W1, w2):
        cols.append(tuple(max(sum((x * c for x, c in zip(row, w) if c), _ZERO), _ZERO) * a
                          for row in X))
    return cols


class ModelPolytope:
    """``Q = {beta >= 0 : sum_j beta_j q_j = f}`` of a rational model (module docstring).

    ``cols``: neuron outputs ``q_j`` on the training data; ``a_lo``/``a_hi``: rational
    enclosures of the neurons' balanced penalties ``a_j``; ``y``, ``lam``: the training
    targets and weight decay.  ``keep_penalty`` adds the penalty equation."""

    def __init__(self, cols: Sequence[Vec], a_lo: Sequence[Fraction], a_hi: Sequence[Fraction],
                 y: Sequence[Fraction], lam: Fraction, *, keep_penalty: bool = False,
                 labels: Sequence[Any] | None = None) -> None:
        self.cols = [tuple(c) for c in cols]
        self.L = len(self.cols)
        self.n = len(y)
        self.y = q_vector(y)
        self.lam = Fraction(lam)
        self.a_lo = list(a_lo)
        self.a_hi = list(a_hi)
        self.keep_penalty = keep_penalty
        self.fit = tuple(sum((c[k] for c in self.cols), _ZERO) for k in range(self.n))
        self.loss = sqnorm([a - b for a, b in zip(self.fit, self.y)]) / 2
        cols_p = self.cols
        b = self.fit
        if keep_penalty:
            mid = [(lo + hi) / 2 for lo, hi in zip(self.a_lo, self.a_hi)]
            cols_p = [c + (m,) for c, m in zip(self.cols, mid)]
            b = self.fit + (sum(mid, _ZERO),)
        self.polytope = Polytope(cols_p, b, labels=labels, point=(_ONE,) * self.L)

    # -- exact facts -----------------------------------------------------------------------
    @property
    def dim(self) -> int:
        """``dim ker M`` = the dimension of ``Q`` (``beta = 1 > 0`` is a relative-interior
        point, so no coordinate is forced to 0)."""
        return len(self.polytope.null_basis)

    @property
    def unique(self) -> bool:
        """``Q`` is a single point: the neuron outputs are linearly independent."""
        return self.polytope.uniqueness()[1] is None

    def objective_bounds(self, beta: Sequence[Fraction]) -> tuple[Fraction, Fraction]:
        """Exact ``lo <= B(beta) <= hi`` for the balanced objective of the rescaled model
        (loss is the same for every point; the penalty is enclosed)."""
        if not self.polytope.contains(tuple(beta)):
            raise ExactReluError("beta is not in the model polytope")
        lo = self.loss + self.lam * sum((b * a for b, a in zip(beta, self.a_lo)), _ZERO)
        hi = self.loss + self.lam * sum((b * a for b, a in zip(beta, self.a_hi)), _ZERO)
        return lo, hi

    # -- the paper's tunings -------------------------------------------------------------------
    def min_l2(self) -> MinNorm:
        """``argmin ||beta||_2`` over ``Q``, exact with KKT certificate ("Min L2")."""
        return self.polytope.min_norm()

    def max_l1(self) -> tuple[Fraction, Vec]:
        """``argmax sum beta`` over ``Q``: an exact LP; the answer is a vertex ("EP")."""
        return self.polytope.lp([_ONE] * self.L, maximize=True)

    def min_mse(self, V: np.ndarray, t: np.ndarray) -> Vec:
        """Approximately ``argmin ||V beta - t||^2`` over ``Q`` (``V``: neuron outputs on
        held-out data, float): a float QP, then an exact repair into ``Q`` (see
        :func:`float_qp_point`).  Exactly in ``Q``; optimal only up to float accuracy."""
        return float_qp_point(self.polytope, V, t)

    # -- sampling ----------------------------------------------------------------------------
    def hit_and_run(self, count: int = 10000, *, seed: int = 0, grid_bits: int = 40,
                    pool: int = 256,
                    burn_in: int = 0, thin: int = 1) -> Samples:
        """``count`` exact samples by hit-and-run (see :func:`hit_and_run`)."""
        return hit_and_run(self.polytope, count, seed=seed, grid_bits=grid_bits, pool=pool,
                           burn_in=burn_in, thin=thin)

    def vertex_mixture(self, count: int = 10000, *, vertices: int = 32, seed: int = 0,
                       grid: int = 1 << 16) -> tuple[list[Vec], Samples]:
        """``count`` exact samples that are random convex combinations of up to
        ``vertices`` vertices of ``Q`` (exact LP optima for random objectives,
        :meth:`Polytope.lp_vertices`).  Unlike hit-and-run this reaches far into the long,
        thin directions of ``Q`` at once.  Returns ``(vertices, samples)``."""
        V = self.polytope.lp_vertices(vertices, seed=seed)
        return V, mix_vertices(V, count, seed=seed, grid=grid)


def model_polytope_from_columns(cols: Sequence[Vec], norms_sq: Sequence[Fraction],
                                y: Sequence[Fraction], lam: Fraction, *, bits: int = 64,
                                keep_penalty: bool = False,
                                labels: Sequence[Any] | None = None) -> ModelPolytope:
    """From neuron outputs and the squares ``a_j^2`` of their balanced penalties."""
    lo, hi = zip(*(sqrt_bounds(q, bits) for q in norms_sq)) if norms_sq else ((), ())
    return ModelPolytope(cols, list(lo), list(hi), y, lam, keep_penalty=keep_penalty,
                         labels=labels)


def model_polytope(net, data, lam, *, bits: int = 64, keep_penalty: bool = False
                   ) -> tuple[ModelPolytope, list[int]]:
    """The model polytope of a :class:`exactrelu.networks.Network` on ``data``: neurons with
    a nonzero output only.  Returns ``(polytope, neuron indices)``; ``beta_j`` rescales
    neuron ``neuron_indices[j]`` as ``(beta_j W1_j, w2_j)``."""
    keep, cols, nsq = [], [], []
    for j in net.nonzero_neurons():
        c = net.neuron_outputs(data.X, j)
        if any(c):
            keep.append(j)
            cols.append(tuple(c))
            nsq.append(sqnorm(net.W1[j]) * net.w2[j] ** 2)
    return model_polytope_from_columns(cols, nsq, data.y, Fraction(lam), bits=bits,
                                       keep_penalty=keep_penalty, labels=keep), keep


# ----------------------------------------------------------------------- float QP + repair

def float_qp_point(P: Polytope, V: np.ndarray, t: np.ndarray) -> Vec:
    """An exact point of ``P`` near ``argmin ||V alpha - t||^2`` (float QP, Clarabel, on the
    float equations), repaired exactly: the dyadic float answer is projected onto
    ``M alpha = b`` (exact least-norm correction), then moved towards the known feasible
    point ``p`` just enough to be non-negative (largest ``s`` in [0, 1] with
    ``p + s (alpha - p) >= 0``, exact)."""
    p = P.point
    if p is None:
        raise ExactReluError("the polytope is empty")
    if not P.null_basis:
        return p
    L = P.L
    xq = mse_qp_guess(P, V, t)
    if xq is None:
        return p
    # exact projection onto M alpha = b
    res = [t_ - sum((r[j] * xq[j] for j in range(L) if xq[j] and r[j]), _ZERO)
           for r, t_ in zip(P._eq_rows, P._eq_rhs)]
    corr = least_norm_solution(P._eq_rows, res, L)
    if corr is None:                                           # pragma: no cover
        return p
    a = [u + c for u, c in zip(xq, corr)]
    # shrink towards p (p + s (a - p) >= 0)
    s = _ONE
    for ai, pi in zip(a, p):
        if ai < 0:
            s = min(s, pi / (pi - ai))
    out = tuple(pi + s * (ai - pi) for ai, pi in zip(a, p))
    if not P.contains(out):                                    # pragma: no cover
        raise ExactReluError("internal: repaired point outside the polytope")
    return out
