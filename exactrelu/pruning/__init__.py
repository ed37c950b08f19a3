r"""Pruning two-layer ReLU networks: Algorithm 1 ("Optimal Pruning") exactly, and the
least-squares heuristic that prunes past a minimal network.

Mishkin & Pilanci (2023), docs/theory.md §2.9-2.11.  Notation: a network ``(W1, w2)``
of width ``m`` on data ``X`` (n x d) has neuron outputs ``q_j = (X W1_j)_+ w2_j`` and
output ``f = sum_j q_j``; its *balanced* objective is

    B = 1/2 ||f - y||^2 + lam sum_j a_j,        a_j = ||W1_j|| |w2_j|,

the NC objective after the best rescaling ``(c W1_j, w2_j / c)`` of every neuron (AM-GM).
``B`` is invariant under those rescalings, so everything here works with it.

Algorithm 1 (exact)
===================
While the outputs of the alive neurons are linearly dependent, take a nonzero null
vector ``beta`` (``sum_j beta_j q_j = 0``), orient it (below), put
``t = 1 / max{beta_j : beta_j > 0}`` and multiply the OUTPUT of neuron ``j`` by
``c_j = 1 - t beta_j >= 0``.  The weights stay rational: the factor is applied as
``W1_j <- c_j W1_j`` (ReLU is positively homogeneous, ``(X c W)_+ w = c (X W)_+ w`` for
``c >= 0``), ``w2`` is left alone.  The neuron with the largest positive ``beta_j`` gets
``c_j = 0`` and is removed.

**Orientation (the sign convention).**  The poster's text ``t = 1/|beta_{i*}|`` read
literally gives the pruned neuron the factor ``1 - beta_{i*}/|beta_{i*}|``, which is
``2`` (nothing pruned) when ``beta_{i*} < 0``; the authors' code uses the signed
``beta_{i*}`` (docs/theory.md §2.10).  Here, with ``S = sum_j beta_j a_j`` (the rate at which the
penalty *decreases* along the step), decided EXACTLY as the sign of a sum of square roots:

* ``S < 0``: replace ``beta`` by ``-beta``;
* ``S = 0``: orient so that the entry of largest ``|beta_j|`` is positive (the paper's
  rule; then every ``c_j`` lies in ``[0, 2]``);
* ``S > 0``: keep ``beta``.

For an *optimal* network ``S = 0`` always (energy identity ``<q_j, r> = lam a_j`` at the
optimal residual ``r``, docs/theory.md §2.2 L3, so ``S = <sum beta_j q_j, r>/lam = 0``): then this is
exactly Algorithm 1 and the objective is unchanged.  For a general network this is the
"general-network variant": the objective never increases.

*Proof.*  Let ``a_j > 0`` (alive neurons), ``sum beta_j q_j = 0``, ``beta != 0`` oriented so
that ``S >= 0``.  (1) Some ``beta_j > 0``: otherwise ``beta <= 0``, ``beta != 0`` and
``a > 0`` give ``S < 0``.  So ``t > 0`` is well defined.  (2) ``c_j >= 0``: if
``beta_j <= 0`` then ``c_j >= 1``; if ``beta_j > 0`` then ``t beta_j <= 1``.  The maximiser
gets ``c_{i*} = 0``.  (3) Outputs: ``f' = sum c_j q_j = f - t sum beta_j q_j = f``, exactly.
(4) Penalty: ``a'_j = ||c_j W1_j|| |w2_j| = c_j a_j``, so
``sum a'_j = sum a_j - t S <= sum a_j``; with ``S = 0`` and the paper's orientation,
``|beta_j| <= beta_{i*}`` gives ``c_j in [0, 2]``.  (5) Termination: every step removes at
least one neuron and revives none, so there are at most ``m - 1`` steps, and at the end
the alive outputs are linearly independent, hence at most ``rank <= n`` neurons remain
(a support-minimal network when the input was optimal, docs/theory.md §2.9).  QED.

**O(n^3) per step (the ``window`` method).**  Neurons are visited in order while a
*window* ``W`` of alive neurons with linearly independent outputs is kept (so
``|W| <= rank <= n``).  For the next neuron ``j`` the null space of the ``n x (|W|+1)``
matrix ``[q_W, q_j]`` is computed (python-flint, exact); it has dimension <= 1.  If it
is ``{0}``, ``j`` joins ``W``; otherwise one step is taken on ``W + [j]``.  After the step
the survivors are again independent: any null vector of the survivors would be a null
vector of ``W + [j]``, i.e. a multiple of ``beta``, but ``beta`` is nonzero at a removed
neuron.  Outputs are never recomputed: each column is stored once as a primitive
integer vector ``z_j`` with ``q_j = kappa_j z_j`` and only the scale of each neuron
changes, so the null vectors are computed on small integers and the scales (ratios of
minors of the original data, as in the simplex method) stay polynomially sized.
``method="full"`` is the naive variant (null space of all alive outputs every step),
kept as the benchmark baseline.

Convex form: :func:`prune_convex` runs the same steps on convex blocks ``u_b`` with fits
``Z_b u_b`` (e.g. ``s D X u_b``) and penalty ``sum ||u_b||`` (docs/theory.md §5.1 Example B / T12).

Past minimal (heuristics, section 2.11)
=======================================
:func:`prune_ls` removes neurons until ``target_neurons`` remain, choosing the neuron
``j`` by a score (``RULES``).  With the least-squares correction it solves
``beta = argmin ||sum_{i != j} beta_i q_i - q_j||`` exactly (normal equations over Q),
sets ``beta_j = -1`` and applies the same (paper-oriented) step; the fit changes by
exactly ``-t e`` with ``e = sum_i beta_i q_i`` the least-squares residual.  Without
correction neuron ``j`` is just zeroed (the baselines of the paper's plots).
``rule="optimal_ls"`` ("Optimal/LS") takes an exact Algorithm-1 step while the outputs
are dependent, and otherwise the LS-corrected removal of the neuron with the smallest
LS residual.  :func:`prune_ls_float` is the same in floating point, for experiments
only (labelled as such; it proves nothing).

Everything except :func:`prune_ls_float` is exact (``fractions.Fraction`` and
python-flint); square roots are never rounded in a decision -- the decimal strings are
for display only (:func:`decimal_string`).
"""
from __future__ import annotations

import decimal
import random
import time
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

import flint

from ..algebraic import PenaltySign as _PenaltySign, sign_sum_sqrt
from ..errors import ExactReluError, ShapeError
from ..networks import Network
from ..numbers import q_matrix, q_vector, sqnorm, sqrt_bounds, to_q
from ..problem import Dataset
from ..linalg import fq as _fq, fr as _fr, lcm_den as _lcm_den, qmat_cols as _qmat_cols
from ..linalg import kernel, null_vector, primitive, primitive_scaled as _primitive

__all__ = ["Step", "step_factors", "PruneResult", "ConvexPruneResult", "LSPruneResult",
           "LSStep", "prune_network", "prune_convex", "prune_ls", "prune_ls_float",
           "crelu_fits", "decimal_string", "RULES"]

Vec = tuple[Fraction, ...]
Terms = list[tuple[Fraction, Fraction]]        # [(c, q)] meaning sum c * sqrt(q)

_ZERO = Fraction(0)
_ONE = Fraction(1)

#: neuron-selection rules of :func:`prune_ls` (``"optimal_ls"`` is the combined method).
RULES = ("optimal_ls", "residual", "magnitude", "activation", "gradient", "random")


# =============================================================================== display

def _enclosure(rational: Fraction, terms: Sequence[tuple[Fraction, Fraction]], bits: int
               ) -> tuple[Fraction, Fraction]:
    lo = hi = rational
    for c, q in terms:
        if not c or not q:
            continue
        a, b = sqrt_bounds(q, bits)
        if c > 0:
            lo += c * a
            hi += c * b
        else:
            lo += c * b
            hi += c * a
    return lo, hi


def _format_decimal(x: Fraction, digits: int) -> str:
    if x == 0:
        return "0." + "0" * (digits - 1)
    ctx = decimal.Context(prec=digits, rounding=decimal.ROUND_HALF_EVEN,
                          Emax=10 ** 9, Emin=-10 ** 9)
    dv = ctx.divide(decimal.Decimal(x.numerator), decimal.Decimal(x.denominator))
    dv = dv.quantize(decimal.Decimal(1).scaleb(dv.adjusted() - (digits - 1)), context=ctx)
    if -25 <= dv.adjusted() < 40:
        return format(dv, "f")
    return format(dv, "e")


def decimal_string(rational: object = 0, terms: Iterable[tuple[object, object]] = (),
                   digits: int = 30) -> str:
    """``rational + sum c sqrt(q)`` as a decimal string with ``digits`` significant digits
    (``"5.00000000000000000000000000000"``).  DISPLAY ONLY: the value is enclosed by
    proved rational bounds (integer square roots) that are tightened until they are
    ``10^-(digits+5)`` apart relative to the value; the midpoint is rounded half-even.
    Exactly zero (decided by :func:`exactrelu.algebraic.sign_sum_sqrt`) prints as zero."""
    r = to_q(rational)
    ts = [(to_q(c), to_q(q)) for c, q in terms]
    if sign_sum_sqrt([(r, _ONE)] + ts) == 0:
        return _format_decimal(_ZERO, digits)
    bits = 128
    tol = Fraction(1, 10 ** (digits + 5))
    while True:
        lo, hi = _enclosure(r, ts, bits)
        if (lo > 0 or hi < 0) and hi - lo <= tol * min(abs(lo), abs(hi)):
            return _format_decimal((lo + hi) / 2, digits)
        bits *= 2


# ============================================================================ step rule

class Step(NamedTuple):
    """One pruning step: the oriented ``beta``, ``t`` and the factors ``1 - t beta_j``."""

    beta: tuple[Fraction, ...]
    t: Fraction
    factors: tuple[Fraction, ...]
    pivot: int


def _step(beta: Sequence[Any], penalty_sign: int = 0) -> Step:
    """:func:`step_factors` without the conversion to Fractions (works for any exact
    ordered field type: Fraction, flint ``fmpq``); used by every pruning loop."""
    b = list(beta)
    if not any(b):
        raise ExactReluError("step_factors: beta is zero")
    if penalty_sign < 0:
        b = [-x for x in b]
    elif penalty_sign == 0:
        big = max(range(len(b)), key=lambda i: abs(b[i]))   # first maximiser
        if b[big] < 0:
            b = [-x for x in b]
    pos = [x for x in b if x > 0]
    if not pos:   # impossible when penalty_sign is the true sign of sum beta_j a_j, a > 0
        raise ExactReluError("step_factors: no positive entry after orientation "
                             "(penalty_sign inconsistent with beta)")
    t = 1 / max(pos)
    factors = tuple(1 - t * x for x in b)
    pivot = next(i for i, c in enumerate(factors) if c == 0)
    return Step(tuple(b), t, factors, pivot)


def step_factors(beta: Sequence[object], penalty_sign: int = 0) -> Step:
    """Orient a null vector ``beta`` and return the step (module docstring).

    ``penalty_sign`` is the exact sign of ``sum_j beta_j a_j`` (``a_j`` the current
    balanced terms ``||W1_j|| |w2_j|``, or ``||u_j||`` in convex form).  ``-1`` flips
    ``beta``; ``0`` orients it so that its entry of largest ``|beta_j|`` (first one on
    ties) is positive (the paper's convention); ``+1`` keeps it.  Then
    ``t = 1 / max{beta_j > 0}`` and ``factors[j] = 1 - t beta_j >= 0``; ``pivot`` is the
    first index with factor 0.  docs/theory.md §5.2 T12: ``beta = (1, 1, -2)`` gives ``t = 1/2`` and
    factors ``(3/2, 3/2, 0)``, whatever the sign of the input vector.
    """
    return _step([to_q(x) for x in beta], penalty_sign)


# ======================================================================= exact helpers

def _null_vector(cols: Sequence[Sequence[int]]) -> list[int] | None:
    """A nonzero primitive integer null vector of the matrix with integer columns
    ``cols``, first nonzero entry positive (deterministic orientation), or ``None``."""
    v = null_vector(cols) if cols else None
    return None if v is None else list(v)


def _square_null(cols: Sequence[Sequence[int]], b: Sequence[int]) -> list[int]:
    """``(x, -1)`` scaled to a primitive integer vector with first nonzero entry
    positive, where ``[cols] x = b`` and ``[cols]`` is square and invertible."""
    A = flint.fmpz_mat([list(c) for c in cols]).transpose()
    X, den = _solve_int(A, b)
    return list(primitive(X + [-den], orient=True))


def _solve_int(A: "flint.fmpz_mat", b: Sequence[int]) -> tuple[list[int], int]:
    Q = A.solve(flint.fmpz_mat([[v] for v in b]))           # exact, fmpq_mat
    vals = [Q[i, 0] for i in range(Q.nrows())]
    den = 1
    for v in vals:
        qd = int(v.q)
        den = den * qd // gcd(den, qd)
    return [int(v.p) * (den // int(v.q)) for v in vals], den


def _null_basis(cols: Sequence[Sequence[int]]) -> list[tuple[int, ...]]:
    return kernel(list(zip(*cols)), len(cols)) if cols else []


@dataclass
class _StepRecord:
    indices: tuple[int, ...]
    beta: tuple[Fraction, ...]
    t: Fraction
    factors: tuple[Fraction, ...]
    penalty_sign: int
    removed: tuple[int, ...]


def _algorithm1(z: Sequence[list[int]], kappa: Sequence[Fraction], psign: _PenaltySign,
                *, method: str = "window", record: bool = False,
                deadline: float | None = None
                ) -> tuple[list[Fraction], int, list[_StepRecord], bool]:
    """Algorithm 1 on the columns ``q_i = kappa_i z_i`` (``z_i`` primitive integer,
    ``kappa_i > 0``); ``psign`` holds the terms ``a_i`` scaled by ``kappa_i``.

    Internally the current output of column ``i`` is ``sigma_i z_i`` (``sigma`` in
    python-flint ``fmpq``, exact), so a null vector ``delta`` of the integer columns
    gives ``beta_i = delta_i / sigma_i`` (null vector of the current outputs) and
    ``sum beta_i (current a_i) = sum delta_i a_i / kappa_i``.  Returns the final output
    scales ``s_i = sigma_i / kappa_i`` as Fractions (0 = removed), the number of steps,
    with ``record`` one record per step, and ``complete`` (False when ``deadline``, a
    ``time.perf_counter()`` value, stopped the loop early: the scales are then a valid
    but possibly non-minimal intermediate state)."""
    m = len(z)
    sigma = [_fq(k) for k in kappa]
    ok = [True] * m
    log: list[_StepRecord] = []
    steps = 0
    complete = True

    def do_step(idx: Sequence[int], delta: Sequence[int]) -> None:
        nonlocal steps
        where = [i for i, dv in zip(idx, delta) if dv]
        dl = {i: dv for i, dv in zip(idx, delta) if dv}
        sgn = psign.sign_int(dl)            # sign of sum beta_i (current a_i)
        st = _step([flint.fmpq(dl[i]) / sigma[i] for i in where], sgn)
        if any(c < 0 for c in st.factors) or not any(c == 0 for c in st.factors):
            raise ExactReluError("internal: pruning step with a negative factor or "
                                 "without a removed neuron")
        removed = []
        for i, c in zip(where, st.factors):
            sigma[i] *= c
            if c == 0:
                ok[i] = False
                removed.append(i)
        steps += 1
        if record:
            log.append(_StepRecord(tuple(where), tuple(_as_frac(x) for x in st.beta),
                                   _as_frac(st.t), tuple(_as_frac(c) for c in st.factors),
                                   sgn, tuple(removed)))

    if method == "window":
        W: list[int] = []
        n = len(z[0]) if z else 0
        for j in range(m):
            if not ok[j]:
                continue
            if deadline is not None and time.perf_counter() > deadline:
                complete = False
                break
            cols = W + [j]
            if len(W) == n:                 # square and invertible: one exact solve
                delta = _square_null([z[i] for i in W], z[j])
            else:
                delta = _null_vector([z[i] for i in cols])
            if delta is None:
                W.append(j)
                continue
            do_step(cols, delta)
            W = [i for i in cols if ok[i]]
    elif method == "full":
        while True:
            if deadline is not None and time.perf_counter() > deadline:
                complete = False
                break
            act = [i for i in range(m) if ok[i]]
            delta = _null_vector([z[i] for i in act])
            if delta is None:
                break
            do_step(act, delta)
    else:
        raise ValueError(f"method must be 'window' or 'full', got {method!r}")
    scales = [_fr(sg) / k for sg, k in zip(sigma, kappa)]
    return scales, steps, log, complete


def _as_frac(x: Any) -> Fraction:
    return x if isinstance(x, Fraction) else (_fr(x) if hasattr(x, "q") else Fraction(x))


# ================================================================ network bookkeeping

def _as_rows(X: Dataset | Sequence[Sequence[object]]) -> tuple[Vec, ...]:
    if isinstance(X, Dataset):
        return X.X
    return q_matrix(X, allow_float=True)        # the public rule: floats at their IEEE value


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


# ======================================================================== PruneResult

@dataclass
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


def _objective(loss: Fraction | None, lam: Fraction | None, abs_w2: Sequence[Fraction],
               scales: Sequence[Fraction], q: Sequence[Fraction]
               ) -> tuple[tuple[Fraction, Terms] | None, str | None]:
    if loss is None or lam is None:
        return None, None
    terms = [(lam * s * a, qq) for a, s, qq in zip(abs_w2, scales, q) if s and a and qq]
    return (loss, terms), decimal_string(loss, terms)


def prune_network(net: Network, X: Dataset | Sequence[Sequence[object]],
                  y: Sequence[object] | None = None, lam: object | None = None, *,
                  method: str = "window", record: bool = False,
                  max_seconds: float | None = None) -> PruneResult:
    """Algorithm 1 directly on a network, exactly (module docstring, with proof).

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
    t0 = time.perf_counter()
    Xq, yq, lq = _dataset_parts(net, X, y, lam)
    nz = net.nonzero_neurons()
    W1 = [net.W1[j] for j in nz]
    w2 = [net.w2[j] for j in nz]
    prod = _Products(Xq, W1)
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
    return PruneResult(
        network=out, kept=kept, removed=removed,
        scales={nz[p]: scales_nz[p] for p in keep_p}, steps=steps,
        neurons_before=net.width, neurons_after=out.width, predictions_equal=True,
        objective_not_larger=change <= 0, change_sign=change,
        objective_before=ob, objective_after=oa, objective_before_str=obs,
        objective_after_str=oas, seconds=time.perf_counter() - t0, method=method,
        log=log, complete=complete)


# ========================================================================= convex form

@dataclass
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


# ================================================================ LS heuristic (exact)

@dataclass
class LSStep:
    """One step of :func:`prune_ls`: ``kind`` is ``"exact"`` (Algorithm-1 step, fit
    unchanged), ``"ls"`` (LS-corrected; the fit changed by ``-t e`` with
    ``e_sqnorm = ||e||^2``) or ``"zero"`` (neuron zeroed, no correction).  ``chosen`` is
    the neuron picked by the rule, ``removed`` the neurons whose factor became 0
    (original indices; for an LS step the neuron with the largest ``|beta_i|``, which
    need not be ``chosen``); ``neurons`` the count after the step.  For ``"ls"``, ``t``
    is signed so that ``fit_after = fit_before - t e`` with ``e = sum_{i != j} beta_i q_i
    - q_j`` the least-squares residual (``e``/fits are kept only with ``keep_fits``)."""

    kind: str
    chosen: int | None
    removed: tuple[int, ...]
    neurons: int
    t: Fraction | None = None
    e_sqnorm: Fraction = _ZERO
    e: Vec | None = None
    fit_before: Vec | None = None
    fit_after: Vec | None = None


@dataclass
class LSPruneResult:
    """Result of :func:`prune_ls`.  ``increase_sign`` is the exact sign of
    ``B_after - B_before`` (balanced objectives), ``increase_str`` its decimal (30
    significant digits, display only); ``objective_*`` are ``(loss, terms)`` exactly."""

    network: Network
    rule: str
    corrected: bool
    kept: tuple[int, ...]
    removed: tuple[int, ...]
    path: list[LSStep]
    neurons_before: int
    neurons_after: int
    predictions_equal: bool
    objective_before: tuple[Fraction, Terms]
    objective_after: tuple[Fraction, Terms]
    objective_before_str: str
    objective_after_str: str
    increase_sign: int
    increase_str: str
    seconds: float = 0.0

    @property
    def objective_not_larger(self) -> bool:
        return self.increase_sign <= 0


def _ls_exact(cols: Sequence[Sequence[Fraction]], target: Sequence[Fraction]
              ) -> tuple[list[Fraction], list[Fraction]]:
    """A least-squares solution ``beta`` of ``min ||sum beta_i cols_i - target||`` (basic:
    zero off a maximal independent set of columns, chosen by the exact RREF) and the
    residual ``e = sum beta_i cols_i - target``, exactly (normal equations over Q)."""
    n = len(target)
    k = len(cols)
    if k == 0:
        return [], [-a for a in target]
    Q = _qmat_cols(cols, n)
    R, rank = Q.rref()
    piv = []
    for i in range(rank):
        for j in range(k):
            if R[i, j] != 0:
                piv.append(j)
                break
    beta = [_ZERO] * k
    if piv:
        Qp = _qmat_cols([cols[j] for j in piv], n)
        G = Qp.transpose() * Qp
        b = Qp.transpose() * flint.fmpq_mat(n, 1, [_fq(a) for a in target])
        x = G.solve(b)
        for t, j in enumerate(piv):
            beta[j] = _fr(x[t, 0])
    e = [sum((beta[j] * cols[j][r] for j in range(k) if beta[j]), _ZERO) - target[r]
         for r in range(n)]
    return beta, e


def prune_ls(net: Network, X: Dataset | Sequence[Sequence[object]],
             y: Sequence[object] | None = None, lam: object = None, target_neurons: int = 0,
             *, rule: str = "optimal_ls", corrected: bool = True, seed: int = 0,
             keep_fits: bool = False) -> LSPruneResult:
    """Prune past minimal (docs/theory.md §2.11), exactly: remove neurons until at most
    ``target_neurons`` nonzero neurons are left.

    ``rule`` picks the neuron ``j`` to remove among the alive ones (smallest score, first
    index on ties): ``"magnitude"`` ``||W1_j|| |w2_j|``; ``"activation"`` ``||q_j||``;
    ``"gradient"`` ``||u_j * grad_j||`` with ``u_j = |w2_j| W1_j`` and ``grad_j =
    sign(w2_j) X^T D_j (f - y)`` the loss gradient of the convex block; ``"random"``
    (``random.Random(seed)``); ``"residual"`` the smallest least-squares residual of
    ``q_j`` on the other outputs; ``"optimal_ls"`` an exact Algorithm-1 step (general
    variant, objective not larger) while the outputs are dependent, else ``"residual"``
    with the LS correction.  ``corrected=True`` applies the LS correction (``beta_j =
    -1``, paper-oriented step, fit changes by exactly ``-t e``); ``False`` zeroes ``j``
    (the uncorrected baselines).  Every comparison is exact (scores are compared through
    rational squares).  The exact objective increase ``B_after - B_before`` is returned
    with its exact sign.  ``keep_fits`` stores the fit before/after every step and the
    residual ``e`` in the path (for checks; memory ``O(steps n)``).  Sizes: exact rational least squares on ``n x m`` -- meant for
    small and medium instances; use :func:`prune_ls_float` for experiments.
    """
    t0 = time.perf_counter()
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    if rule == "optimal_ls" and not corrected:
        raise ValueError("rule 'optimal_ls' always uses the LS correction")
    if target_neurons < 0:
        raise ValueError("target_neurons must be >= 0")
    Xq, yq, lq = _dataset_parts(net, X, y, lam)
    if yq is None or lq is None:
        raise ValueError("prune_ls needs y and lam")
    n = len(Xq)
    nz = net.nonzero_neurons()
    W1 = [net.W1[j] for j in nz]
    w2 = [net.w2[j] for j in nz]
    m = len(nz)
    prod = _Products(Xq, W1)
    q0: list[Vec] = []          # original outputs
    for a, pre, den in zip(w2, prod.pre, prod.den):
        c = a / den
        q0.append(tuple(v * c if v > 0 else _ZERO for v in pre))
    active_rows = [[v > 0 for v in pre] for pre in prod.pre]
    qn = [sqnorm(w) for w in W1]
    absw2 = [abs(a) for a in w2]
    s = [_ONE] * m
    alive = [True] * m
    rng = random.Random(seed)
    psign = _PenaltySign([(absw2[p], qn[p]) for p in range(m)])
    prims = [_primitive(list(q)) for q in q0]

    def fit_now() -> list[Fraction]:
        f = [_ZERO] * n
        for p in range(m):
            if alive[p] and s[p]:
                for r, v in enumerate(q0[p]):
                    if v:
                        f[r] += s[p] * v
        return f

    f0 = tuple(fit_now())
    path: list[LSStep] = []

    def count() -> int:
        return sum(alive)

    def cur(p: int) -> list[Fraction]:
        return [s[p] * v for v in q0[p]]

    def dependent_null(act: list[int]) -> list[int] | None:
        zeros = [p for p in act if prims[p] is None]
        if zeros:
            return [1 if p == zeros[0] else 0 for p in act]
        return _null_vector([prims[p][0] for p in act])

    def residuals(act: list[int]) -> list[Fraction]:
        # ||e_j||^2 of q_j on the other alive outputs; 0 for dependent ones
        nulls = [[p for p in act if prims[p] is None]]
        live = [p for p in act if prims[p] is not None]
        basis = _null_basis([prims[p][0] for p in live]) if live else []
        dep = {p for p in nulls[0]}
        for v in basis:
            dep.update(p for p, a in zip(live, v) if a)
        if dep:
            return [_ZERO if p in dep else _ONE for p in act]   # ties -> first dependent
        Q = _qmat_cols([cur(p) for p in act], n)
        G = Q.transpose() * Q
        Gi = G.inv()
        return [1 / _fr(Gi[i, i]) for i in range(len(act))]

    def scores(act: list[int]) -> list[Fraction]:
        if rule == "magnitude":
            return [s[p] * s[p] * qn[p] * absw2[p] * absw2[p] for p in act]
        if rule == "activation":
            return [s[p] * s[p] * sqnorm(q0[p]) for p in act]
        if rule == "gradient":
            f = fit_now()
            res = [a - b for a, b in zip(f, yq)]
            out = []
            for p in act:
                sg = 1 if w2[p] > 0 else -1
                g = [sg * sum((res[r] * Xq[r][c] for r in range(n) if active_rows[p][r]),
                              _ZERO) for c in range(len(W1[p]))]
                u = [absw2[p] * s[p] * a for a in W1[p]]
                out.append(sum(((ua * ga) ** 2 for ua, ga in zip(u, g)), _ZERO))
            return out
        if rule in ("residual", "optimal_ls"):
            return residuals(act)
        raise AssertionError(rule)  # pragma: no cover

    while count() > target_neurons:
        act = [p for p in range(m) if alive[p]]
        fb = tuple(fit_now()) if keep_fits else None
        if rule == "optimal_ls":
            delta = dependent_null(act)
            if delta is not None:
                where = [p for p, dv in zip(act, delta) if dv]
                if prims[where[0]] is None and len(where) == 1:
                    gamma = {where[0]: _ONE}
                else:
                    gamma = {p: Fraction(dv) / prims[p][1] for p, dv in zip(act, delta) if dv}
                sgn = psign.sign(gamma)
                st = step_factors([gamma[p] / s[p] for p in where], sgn)
                rem = []
                for p, c in zip(where, st.factors):
                    s[p] *= c
                    if c == 0:
                        alive[p] = False
                        rem.append(nz[p])
                path.append(LSStep("exact", None, tuple(rem), count(), st.t, _ZERO,
                                   tuple(_ZERO for _ in range(n)) if keep_fits else None,
                                   fb, tuple(fit_now()) if keep_fits else None))
                continue
        if rule == "random":
            j = rng.choice(act)
        else:
            sc = scores(act)
            best = min(sc)
            j = act[sc.index(best)]
        if not corrected:
            s[j] = _ZERO
            alive[j] = False
            path.append(LSStep("zero", nz[j], (nz[j],), count(), None, _ZERO, None, fb,
                               tuple(fit_now()) if keep_fits else None))
            continue
        others = [p for p in act if p != j]
        beta_o, e = _ls_exact([cur(p) for p in others], cur(j))
        beta = {p: b for p, b in zip(others, beta_o)}
        beta[j] = -_ONE
        where = [p for p in act if beta.get(p)]
        st = step_factors([beta[p] for p in where], 0)      # paper orientation
        rem = []
        for p, c in zip(where, st.factors):
            s[p] *= c
            if c == 0:
                alive[p] = False
                rem.append(nz[p])
        # the oriented beta may be -beta: the fit moves by -t' e' = -t e in both cases
        path.append(LSStep("ls", nz[j], tuple(rem), count(), st.t * (
            1 if st.beta[where.index(j)] == -1 else -1), sqnorm(e),
            tuple(e) if keep_fits else None, fb, tuple(fit_now()) if keep_fits else None))
    keep_p = [p for p in range(m) if alive[p] and s[p] != 0]
    kept = tuple(nz[p] for p in keep_p)
    kset = set(kept)
    removed = tuple(j for j in range(net.width) if j not in kset)
    out = Network(tuple(tuple(s[p] * a for a in W1[p]) for p in keep_p),
                  tuple(w2[p] for p in keep_p), net.bias_column, net.dim)
    f_before = _fast_outputs(Xq, net.W1, net.w2)
    f_after = _fast_outputs(Xq, out.W1, out.w2)
    if f_before != f0 or tuple(fit_now()) != f_after:
        raise ExactReluError("internal: LS pruning lost track of the fit")
    L0, L1 = _loss(f_before, yq), _loss(f_after, yq)
    ob, obs = _objective(L0, lq, absw2, [_ONE] * m, qn)
    scl = [s[p] if alive[p] else _ZERO for p in range(m)]
    oa, oas = _objective(L1, lq, absw2, scl, qn)
    inc_terms = [(lq * absw2[p] * (scl[p] - 1), qn[p]) for p in range(m)]
    inc_sign = (psign.sign({p: lq * (scl[p] - 1) for p in range(m)})
                if L1 == L0 else sign_sum_sqrt([(L1 - L0, _ONE)] + inc_terms))
    inc_str = decimal_string(L1 - L0, inc_terms)
    return LSPruneResult(out, rule, corrected, kept, removed, path, net.width, out.width,
                         f_before == f_after, ob, oa, obs, oas, inc_sign, inc_str,
                         time.perf_counter() - t0)


# ============================================================ LS heuristic (floats)

def prune_ls_float(W1: Any, w2: Any, X: Any, y: Any, *, rule: str = "optimal_ls",
                   corrected: bool = True, seed: int = 0, target_neurons: int = 0,
                   dep_tol: float = 1e-9) -> list[tuple[Any, Any]]:
    """FLOATING-POINT version of :func:`prune_ls` for experiments (proves nothing).

    Same rules, tie-breaks and updates as the exact version, in numpy.  Dependence of
    the outputs (``"optimal_ls"``) is decided numerically: smallest singular value of
    the column-normalised output matrix below ``dep_tol``.  Returns the pruning path:
    ``[(W1, w2), ...]`` after every step, starting with the input (neurons with a zero
    factor are dropped)."""
    import numpy as np

    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    W1 = np.array(W1, dtype=float)
    w2 = np.array(w2, dtype=float)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    keep = (np.abs(w2) > 0) & (np.abs(W1).sum(axis=1) > 0)
    W1, w2 = W1[keep], w2[keep]
    pre = X @ W1.T
    A = pre > 0
    q0 = np.where(A, pre, 0.0) * w2            # (n, m) original outputs
    m = len(w2)
    s = np.ones(m)
    alive = np.ones(m, dtype=bool)
    rng = random.Random(seed)
    path = [(W1.copy(), w2.copy())]
    a0 = np.linalg.norm(W1, axis=1) * np.abs(w2)

    def snapshot():
        idx = np.flatnonzero(alive)
        path.append((W1[idx] * s[idx, None], w2[idx].copy()))

    def apply(idx, beta, penalty_sign):
        b = np.array(beta, dtype=float)
        if penalty_sign < 0:
            b = -b
        elif penalty_sign == 0:
            if b[int(np.argmax(np.abs(b)))] < 0:
                b = -b
        t = 1.0 / b.max()
        fac = 1.0 - t * b
        piv = int(np.argmax(b))
        fac[piv] = 0.0
        fac = np.maximum(fac, 0.0)
        s[idx] *= fac
        alive[idx[fac == 0.0]] = False

    while alive.sum() > target_neurons:
        act = np.flatnonzero(alive)
        Q = q0[:, act] * s[act]
        norms = np.linalg.norm(Q, axis=0)
        if rule == "optimal_ls":
            dead = np.flatnonzero(norms == 0)
            if len(dead):
                alive[act[dead[0]]] = False
                snapshot()
                continue
            _, sv, Vt = np.linalg.svd(Q / norms, full_matrices=False)
            if len(act) > Q.shape[0] or sv[-1] <= dep_tol * sv[0]:
                v = Vt[-1] / norms                       # null vector of Q
                beta = v
                gamma_a = beta * (a0[act] * s[act])
                S = float(gamma_a.sum())
                scale = float(np.abs(gamma_a).sum()) or 1.0
                apply(act, beta, 0 if abs(S) <= 1e-12 * scale else (1 if S > 0 else -1))
                snapshot()
                continue
        if rule == "random":
            jpos = act.tolist().index(rng.choice(act.tolist()))
        else:
            if rule == "magnitude":
                sc = (a0[act] * s[act]) ** 2
            elif rule == "activation":
                sc = norms ** 2
            elif rule == "gradient":
                res = Q.sum(axis=1) - y
                sg = np.sign(w2[act])
                G = (X.T @ (A[:, act] * res[:, None])) * sg          # (d, k)
                U = (W1[act] * (np.abs(w2[act]) * s[act])[:, None]).T
                sc = ((U * G) ** 2).sum(axis=0)
            else:   # residual / optimal_ls (independent case)
                k = len(act)
                if k == 1:
                    sc = norms ** 2
                else:
                    sc = np.empty(k)
                    for i in range(k):
                        o = np.delete(np.arange(k), i)
                        bb, *_ = np.linalg.lstsq(Q[:, o], Q[:, i], rcond=None)
                        sc[i] = np.sum((Q[:, o] @ bb - Q[:, i]) ** 2)
            jpos = int(np.argmin(sc))
        j = act[jpos]
        if not corrected:
            alive[j] = False
            s[j] = 0.0
            snapshot()
            continue
        o = np.delete(np.arange(len(act)), jpos)
        beta = np.zeros(len(act))
        if len(o):
            bb, *_ = np.linalg.lstsq(Q[:, o], Q[:, jpos], rcond=None)
            beta[o] = bb
        beta[jpos] = -1.0
        apply(act, beta, 0)
        snapshot()
    return path
