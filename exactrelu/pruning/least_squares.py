r"""Pruning past minimal (docs/theory.md §2.11), exactly: :func:`prune_ls`.

:func:`prune_ls` removes neurons until ``target_neurons`` remain, choosing the neuron
``j`` by a score (``RULES``).  With the least-squares correction it solves
``beta = argmin ||sum_{i != j} beta_i q_i - q_j||`` exactly (normal equations over Q),
sets ``beta_j = -1`` and applies the same (paper-oriented) step; the fit changes by
exactly ``-t e`` with ``e = sum_i beta_i q_i`` the least-squares residual.  Without
correction neuron ``j`` is just zeroed (the baselines of the paper's plots).
``rule="optimal_ls"`` ("Optimal/LS") takes an exact Algorithm-1 step while the outputs
are dependent, and otherwise the LS-corrected removal of the neuron with the smallest
LS residual.  :func:`exactrelu.approx.pruning.prune_ls_float` is the same in floating
point, for experiments only (it proves nothing).

Every comparison is exact (``fractions.Fraction`` and python-flint); scores are compared
through rational squares, and the objective increase is decided as the exact sign of a
sum of square roots -- the decimal strings are for display only
(:func:`exactrelu.pruning.display.decimal_string`).
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import flint

from ..algebraic import PenaltySign as _PenaltySign, sign_sum_sqrt
from ..errors import ExactReluError
from ..linalg import fq as _fq, fr as _fr, qmat_cols as _qmat_cols
from ..linalg import primitive_scaled as _primitive
from ..networks import Network
from ..numbers import sqnorm
from ..problem import Dataset
from ._common import _ONE, _ZERO, Terms, Vec, _dataset_parts, _fast_outputs, _loss, _Products
from .algorithm1 import _null_basis, _null_vector, step_factors
from .display import decimal_string
from .network import _objective

#: neuron-selection rules of :func:`prune_ls` (``"optimal_ls"`` is the combined method).
RULES = ("optimal_ls", "residual", "magnitude", "activation", "gradient", "random")


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


@dataclass(frozen=True)
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


class _LSState:
    """The state of :func:`prune_ls`, exactly: the original outputs ``q0[p]`` of the
    nonzero neurons (positions ``p`` in ``nz``), their output scales ``s[p]`` (the
    current output is ``s[p] q0[p]``) and which neurons are alive."""

    def __init__(self, net: Network, Xq: Sequence[Vec], yq: Sequence[Fraction],
                 keep_fits: bool) -> None:
        self.Xq, self.yq, self.keep_fits = Xq, yq, keep_fits
        self.n = len(Xq)
        self.nz = nz = net.nonzero_neurons()
        self.W1 = W1 = [net.W1[j] for j in nz]
        self.w2 = w2 = [net.w2[j] for j in nz]
        self.m = m = len(nz)
        prod = _Products(Xq, W1)
        self.q0: list[Vec] = []          # original outputs
        for a, pre, den in zip(w2, prod.pre, prod.den):
            c = a / den
            self.q0.append(tuple(v * c if v > 0 else _ZERO for v in pre))
        self.active_rows = [[v > 0 for v in pre] for pre in prod.pre]
        self.qn = [sqnorm(w) for w in W1]
        self.absw2 = [abs(a) for a in w2]
        self.s = [_ONE] * m
        self.alive = [True] * m
        self.psign = _PenaltySign([(self.absw2[p], self.qn[p]) for p in range(m)])
        self.prims = [_primitive(list(q)) for q in self.q0]

    def fit_now(self) -> list[Fraction]:
        f = [_ZERO] * self.n
        for p in range(self.m):
            if self.alive[p] and self.s[p]:
                for r, v in enumerate(self.q0[p]):
                    if v:
                        f[r] += self.s[p] * v
        return f

    def fits(self) -> Vec | None:
        """The current fit when the path keeps fits, else None."""
        return tuple(self.fit_now()) if self.keep_fits else None

    def count(self) -> int:
        return sum(self.alive)

    def cur(self, p: int) -> list[Fraction]:
        return [self.s[p] * v for v in self.q0[p]]

    def dependent_null(self, act: list[int]) -> list[int] | None:
        prims = self.prims
        zeros = [p for p in act if prims[p] is None]
        if zeros:
            return [1 if p == zeros[0] else 0 for p in act]
        return _null_vector([prims[p][0] for p in act])

    def residuals(self, act: list[int]) -> list[Fraction]:
        """``||e_j||^2`` of ``q_j`` on the other alive outputs; 0 for dependent ones."""
        prims = self.prims
        nulls = [[p for p in act if prims[p] is None]]
        live = [p for p in act if prims[p] is not None]
        basis = _null_basis([prims[p][0] for p in live]) if live else []
        dep = {p for p in nulls[0]}
        for v in basis:
            dep.update(p for p, a in zip(live, v) if a)
        if dep:
            return [_ZERO if p in dep else _ONE for p in act]   # ties -> first dependent
        Q = _qmat_cols([self.cur(p) for p in act], self.n)
        G = Q.transpose() * Q
        Gi = G.inv()
        return [1 / _fr(Gi[i, i]) for i in range(len(act))]

    def scores(self, rule: str, act: list[int]) -> list[Fraction]:
        s, qn, absw2 = self.s, self.qn, self.absw2
        if rule == "magnitude":
            return [s[p] * s[p] * qn[p] * absw2[p] * absw2[p] for p in act]
        if rule == "activation":
            return [s[p] * s[p] * sqnorm(self.q0[p]) for p in act]
        if rule == "gradient":
            return self.gradient_scores(act)
        if rule in ("residual", "optimal_ls"):
            return self.residuals(act)
        raise AssertionError(rule)  # pragma: no cover

    def gradient_scores(self, act: list[int]) -> list[Fraction]:
        """``||u_j * grad_j||^2`` with ``u_j = |w2_j| W1_j`` (scaled) and ``grad_j``
        the loss gradient of the convex block of neuron ``j``."""
        Xq, n, W1, s = self.Xq, self.n, self.W1, self.s
        f = self.fit_now()
        res = [a - b for a, b in zip(f, self.yq)]
        out = []
        for p in act:
            sg = 1 if self.w2[p] > 0 else -1
            g = [sg * sum((res[r] * Xq[r][c] for r in range(n) if self.active_rows[p][r]),
                          _ZERO) for c in range(len(W1[p]))]
            u = [self.absw2[p] * s[p] * a for a in W1[p]]
            out.append(sum(((ua * ga) ** 2 for ua, ga in zip(u, g)), _ZERO))
        return out

    def apply(self, where: Sequence[int], factors: Sequence[Fraction]) -> tuple[int, ...]:
        """Multiply the output scales by the step factors; the removed neurons."""
        rem = []
        for p, c in zip(where, factors):
            self.s[p] *= c
            if c == 0:
                self.alive[p] = False
                rem.append(self.nz[p])
        return tuple(rem)

    def exact_step(self, act: list[int], delta: Sequence[int], fb: Vec | None) -> LSStep:
        """An Algorithm-1 step along the integer null vector ``delta`` (fit unchanged)."""
        prims, s = self.prims, self.s
        where = [p for p, dv in zip(act, delta) if dv]
        if prims[where[0]] is None and len(where) == 1:
            gamma = {where[0]: _ONE}
        else:
            gamma = {p: Fraction(dv) / prims[p][1] for p, dv in zip(act, delta) if dv}
        sgn = self.psign.sign(gamma)
        st = step_factors([gamma[p] / s[p] for p in where], sgn)
        rem = self.apply(where, st.factors)
        return LSStep("exact", None, rem, self.count(), st.t, _ZERO,
                      tuple(_ZERO for _ in range(self.n)) if self.keep_fits else None,
                      fb, self.fits())

    def zero_step(self, j: int, fb: Vec | None) -> LSStep:
        """The uncorrected baseline: neuron ``j`` is zeroed."""
        self.s[j] = _ZERO
        self.alive[j] = False
        return LSStep("zero", self.nz[j], (self.nz[j],), self.count(), None, _ZERO, None, fb,
                      self.fits())

    def ls_step(self, j: int, act: list[int], fb: Vec | None) -> LSStep:
        """The LS-corrected removal of neuron ``j`` (paper-oriented step)."""
        others = [p for p in act if p != j]
        beta_o, e = _ls_exact([self.cur(p) for p in others], self.cur(j))
        beta = {p: b for p, b in zip(others, beta_o)}
        beta[j] = -_ONE
        where = [p for p in act if beta.get(p)]
        st = step_factors([beta[p] for p in where], 0)      # paper orientation
        rem = self.apply(where, st.factors)
        # the oriented beta may be -beta: the fit moves by -t' e' = -t e in both cases
        return LSStep("ls", self.nz[j], rem, self.count(), st.t * (
            1 if st.beta[where.index(j)] == -1 else -1), sqnorm(e),
            tuple(e) if self.keep_fits else None, fb, self.fits())


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
    residual ``e`` in the path (for checks; memory ``O(steps n)``).  Sizes: exact
    rational least squares on ``n x m`` -- meant for small and medium instances; use
    :func:`exactrelu.approx.pruning.prune_ls_float` for experiments.
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
    state = _LSState(net, Xq, yq, keep_fits)
    rng = random.Random(seed)
    f0 = tuple(state.fit_now())
    path: list[LSStep] = []
    while state.count() > target_neurons:
        act = [p for p in range(state.m) if state.alive[p]]
        fb = state.fits()
        if rule == "optimal_ls":
            delta = state.dependent_null(act)
            if delta is not None:
                path.append(state.exact_step(act, delta, fb))
                continue
        if rule == "random":
            j = rng.choice(act)
        else:
            sc = state.scores(rule, act)
            best = min(sc)
            j = act[sc.index(best)]
        if not corrected:
            path.append(state.zero_step(j, fb))
            continue
        path.append(state.ls_step(j, act, fb))
    return _ls_result(net, state, lq, f0, rule, corrected, path, t0)


def _ls_result(net: Network, state: _LSState, lq: Fraction, f0: Vec, rule: str,
               corrected: bool, path: list[LSStep], t0: float) -> LSPruneResult:
    """The pruned network of :func:`prune_ls`, its fit checked against the bookkeeping,
    and the exact objectives before / after with the exact sign of the increase."""
    Xq, yq, m, s, alive, nz = state.Xq, state.yq, state.m, state.s, state.alive, state.nz
    W1, w2, absw2, qn, psign = state.W1, state.w2, state.absw2, state.qn, state.psign
    keep_p = [p for p in range(m) if alive[p] and s[p] != 0]
    kept = tuple(nz[p] for p in keep_p)
    kset = set(kept)
    removed = tuple(j for j in range(net.width) if j not in kset)
    out = Network(tuple(tuple(s[p] * a for a in W1[p]) for p in keep_p),
                  tuple(w2[p] for p in keep_p), net.bias_column, net.dim)
    f_before = _fast_outputs(Xq, net.W1, net.w2)
    f_after = _fast_outputs(Xq, out.W1, out.w2)
    if f_before != f0 or tuple(state.fit_now()) != f_after:
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
