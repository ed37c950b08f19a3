r"""Algorithm 1 ("Optimal Pruning") exactly: the step rule and the pruning loop on
integer output columns (used by :mod:`.network` and :mod:`.convex`).

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
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from math import gcd
from typing import Any, NamedTuple, Sequence

import flint

from ..algebraic import PenaltySign as _PenaltySign
from ..errors import ExactReluError
from ..linalg import fq as _fq, fr as _fr
from ..linalg import kernel, null_vector, primitive
from ..numbers import to_q


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
