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
are solved exactly here; the MSE ones by a float QP (Clarabel) followed by an exact repair
(projection onto ``M beta = f`` and a shrink towards ``beta = 1``), so the returned point is
an exact member of ``Q`` -- only its optimality for the MSE objective is approximate.

Sampling: :meth:`ModelPolytope.hit_and_run` -- hit-and-run in exact integer arithmetic
(directions in an integer basis of ``ker M``, steps on a fixed dyadic grid, so every sample
is an exact rational point of ``Q`` with a bounded denominator); and
:meth:`ModelPolytope.vertex_mixture` -- random convex combinations of LP vertices (exact
by convexity, computed as one integer matrix product).
"""
from __future__ import annotations

import random
from fractions import Fraction
from typing import Any, Sequence

import flint
import numpy as np

from ..errors import ExactReluError
from ..numbers import q_vector, sqnorm, sqrt_bounds
from ..linalg import int_rows, lcm_den, least_norm_solution, primitive
from .polytope import MinNorm, Polytope, Samples, mix_vertices

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
    import clarabel
    from scipy import sparse

    p = P.point
    if p is None:
        raise ExactReluError("the polytope is empty")
    if not P.null_basis:
        return p
    Mf = np.array([[float(a) for a in r] for r in P._eq_rows])
    bf = np.array([float(a) for a in P._eq_rhs])
    L = P.L
    V = np.asarray(V, dtype=float)
    t = np.asarray(t, dtype=float)
    sc = max(1.0, float(np.abs(V).max()))
    H = sparse.csc_matrix(2.0 * (V / sc).T @ (V / sc) + 1e-12 * np.eye(L))
    q = -2.0 * (V / sc).T @ (t / sc)
    ms = max(1.0, float(np.abs(Mf).max()))
    A = sparse.vstack([sparse.csc_matrix(Mf / ms), -sparse.identity(L)], format="csc")
    bb = np.concatenate([bf / ms, np.zeros(L)])
    cones = [clarabel.ZeroConeT(Mf.shape[0]), clarabel.NonnegativeConeT(L)]
    st = clarabel.DefaultSettings()
    st.verbose = False
    st.tol_gap_abs = st.tol_gap_rel = st.tol_feas = 1e-10
    sol = clarabel.DefaultSolver(sparse.triu(H, format="csc"), q, A, bb, cones, st).solve()
    x = np.array(sol.x, dtype=float)
    if not np.all(np.isfinite(x)):
        return p
    xq = [Fraction(int(round(max(a, 0.0) * (1 << 40))), 1 << 40) for a in x]
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


# --------------------------------------------------------------------------- hit-and-run

def hit_and_run(P: Polytope, count: int = 10000, *, seed: int = 0, grid_bits: int = 40,
                pool: int = 256, burn_in: int = 0, thin: int = 1,
                start: Sequence[Fraction] | None = None) -> Samples:
    """Hit-and-run on ``P = {alpha >= 0 : M alpha = b}`` in exact integer arithmetic.

    Points are ``alpha = B / Q`` with a fixed ``Q = den(start) 2^(grid_bits + b)``, ``b``
    the bit size of the largest direction entry.  Directions: a pool of ``pool`` random
    integer combinations ``d = N c`` of the integer null basis ``N`` (each basis vector
    weighted to the same magnitude; ``M d = 0`` is verified exactly once for the whole
    pool, so ``M alpha = b`` holds for every sample).  A step picks a direction at random
    and an integer ``m`` uniformly in the chord ``{m : B + m d >= 0}`` (exact floor/ceil),
    ``B <- B + m d``.  Every sample is thus an exact rational point of ``P`` (``B >= 0``
    is re-asserted).  The grid makes the uniform chord law discrete (spacing
    ``2^-grid_bits`` relative to the direction)."""
    start = tuple(P.point if start is None else q_vector(start))
    if not P.contains(start):
        raise ExactReluError("the start point is not in the polytope")
    L = P.L
    den = lcm_den(start)
    N = P.null_basis
    rng = random.Random(seed)
    out: list[list[int]] = []
    if not N or count <= 0:
        Q = den
        B = [int(a * Q) for a in start]
        return Samples([list(B) for _ in range(max(count, 0))], Q)
    k = len(N)
    Nm = flint.fmpz_mat(L, k, [N[j][i] for i in range(L) for j in range(k)])
    # random combinations, each basis vector brought to the same magnitude
    nb = [max(abs(a).bit_length() for a in v) for v in N]
    top = max(nb)
    C = flint.fmpz_mat(k, pool, [rng.randint(-(1 << 8), 1 << 8) << (top - nb[t])
                                 for t in range(k) for _ in range(pool)])
    D = Nm * C                                                  # L x pool
    # exact check: M d = 0 for every pooled direction
    if P._eq_rows and any(x != 0 for x in (int_rows(P._eq_rows) * D).entries()):
        raise ExactReluError("internal: a direction is not in ker M")   # pragma: no cover
    # grid: spacing 2^-grid_bits relative to the largest direction entry
    dbits = max(int(abs(x)).bit_length() for x in D.entries())
    Q = den << (grid_bits + dbits)
    B = [int(a * Q) for a in start]
    dirs = []
    for c in range(pool):
        d = [int(D[i, c]) for i in range(L)]
        if any(d):
            d = np.array(primitive(d), dtype=object)
            pos = np.nonzero(d > 0)[0]
            neg = np.nonzero(d < 0)[0]
            dirs.append((d, pos, d[pos], neg, -d[neg]))
    Bv = np.array(B, dtype=object)
    total = burn_in + count * thin
    for step in range(total):
        d, pos, dpos, neg, dneg = dirs[rng.randrange(len(dirs))]
        if not len(pos) or not len(neg):                        # pragma: no cover
            raise ExactReluError("the polytope is unbounded along a direction")
        lo = int((-(Bv[pos] // dpos)).max())      # ceil(-B_i / d_i) over d_i > 0
        hi = int((Bv[neg] // dneg).min())         # floor(B_i / -d_i) over d_i < 0
        m = rng.randint(lo, hi)
        if m:
            Bv = Bv + m * d
        if step >= burn_in and (step - burn_in) % thin == thin - 1:
            out.append(Bv)
    out = [[int(b) for b in row] for row in out]
    if any(b < 0 for row in out for b in row):                  # pragma: no cover
        raise ExactReluError("internal: a sample left the orthant")
    return Samples(out, Q)
