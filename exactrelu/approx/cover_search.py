r"""Float branch-and-bound search for cover proofs of (F) -- an untrusted guesser.

(F) of ``docs/theory.md`` §7: for a residual ``r`` and ``lam > 0``,

    s * g_r(u) <= lam * ||u||   for all u in R^d and s in {+1, -1},
    g_r(u) = sum_k r_k (x_k . u)_+ .

This module only *guesses* a proof (a tree of sign splits and, per leaf, relaxation
choices and multipliers); :mod:`exactrelu.certificate.cover` turns the guess into
rationals and checks every leaf exactly.  Nothing decided here is trusted.

Nodes
=====
A node is a set ``S`` of sign constraints ``(k, sigma)``; its cone is
``K_S = {u : sigma x_k . u >= 0}``.  Splitting on a free ``k`` gives the children
``S + (k, +1)`` and ``S + (k, -1)``.  One tree per sign ``s`` (a shared tree would have to
refine both trees, whose worst directions differ; two trees are never larger).

The relaxation of one node (sign ``s``, ``A`` the rows ``sigma x_j`` of ``S``)
==========================================================================
* fixed rows ``(k, sigma) in S``: ``s r_k x_k . u`` if ``sigma = +1``, else 0;
* free rows with ``s r_k < 0``: ``(z)_+ >= mu_k z``, ``mu_k in [0, 1]``;
* free rows with ``s r_k > 0``: the chord of ``(z)_+`` over ``[-lo_k, hi_k]``, where
  ``x_k . u <= hi_k ||u||`` and ``-x_k . u <= lo_k ||u||`` on ``K_S``:
  ``(z)_+ <= a_k z + b_k ||u||`` with ``a = hi / (hi + lo)``, ``b = hi lo / (hi + lo)``
  (``a = b = 0`` if ``hi = 0``; ``a = 1, b = 0`` if ``lo = 0``).  The bounds are either the
  global ``N_k >= ||x_k||`` (then ``a = 1/2``, ``b = N_k / 2``) or proved on the node:
  ``hi_k = ||x_k + A^T nu||`` for some ``nu >= 0`` (NNLS; the least such value is
  ``||Pi_{K_S}(x_k)||`` by Moreau), inherited by the children (a parent's proof holds on a
  child's smaller cone).

A node is first tried *lean* (:func:`expand`): with the inherited bounds only, no NNLS
per row; if that closes it, the leaf declares no bound of its own (measured: the cover
of diabetes n = 50, d = 5 + bias shrinks from 1.63 MB to 0.91 MB, same 828 nodes, same
CPU time); otherwise the full relaxation decides, so the tree's shape does not change.

Summing: ``s g_r(u) <= c(mu) . u + beta ||u||`` on ``K_S``.  With ``nu >= 0`` on the rows of
``S``, ``w = c(mu) + A^T nu`` gives ``c . u <= w . u <= ||w|| ||u||``; the node closes if
``||w|| + beta <= lam``.  ``mu`` and ``nu`` are chosen together by one bounded least-squares
problem (``scipy.optimize.lsq_linear``, method ``bvls``): ``min ||c(mu) + A^T nu||``,
``0 <= mu <= 1``, ``nu >= 0`` -- the dual of maximising the relaxation over
``K_S`` and the unit ball, whose maximiser is ``u* = w / ||w||`` (the node's worst
direction, used by the split rules and to look for a counterexample).

Split rules (see :data:`RULES`; chosen by measurement, ``bench/bench_cover.py --rules``)
========================================================================================
* ``"gap"``: the free row whose relaxation is loosest at ``u*``
  (``|r_k| * (a_k z + b_k - (z)_+)`` or ``|r_k| * ((z)_+ - mu_k z)``, ``z = x_k . u*``),
  the BaBSR idea (split the neuron whose relaxation costs most at the worst point);
* ``"intercept"``: largest ``|r_k| b_k`` (chord intercept; ``|r_k| N_k min(mu, 1 - mu)``
  for the lower relaxations), i.e. "largest ``|r_k| ||x_k||``" refined by the node's
  bounds, independent of ``u*``;
* ``"nearest"``: among rows loose at ``u*``, the one whose hyperplane is nearest to ``u*``
  (smallest ``|x_k . u*| / N_k``);
* ``"hybrid"`` (the default): ``gap / max(gap) + intercept / max(intercept)``.

Measured (tree nodes, both signs, gap 1e-4; ``bench/bench_cover.py --only rules``):
diabetes n = 50, d = 3 + bias: hybrid 216, gap 224, intercept 362, nearest 424;
d = 5 + bias: gap 910, intercept 1576, nearest 2996; random n = 20, d = 2 + bias,
lam = 1/2 (region route's residual): hybrid 894, intercept 4130, gap 9526.  ``gap``
alone follows the worst point and loses where many directions are nearly tight;
``intercept`` alone ignores where the bound is lost; the sum was best or tied.

Everything here is a pure function of picklable values (:class:`CoverProblem`,
:class:`Node`), so a process pool or Dask can expand nodes independently.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from scipy.optimize import lsq_linear, nnls

__all__ = ["CoverProblem", "Node", "Relaxation", "SearchResult", "RULES", "make_problem",
           "relax", "choose_split", "expand", "search", "g_value"]

RULES = ("gap", "intercept", "nearest", "hybrid")

#: a node bound below ``TIGHT * N_k`` counts as "row sign known on the cone": the bound
#: is not recomputed in the children.
TIGHT = 1e-12

#: relative slack below which a lean leaf (no bound of its own) is not tried
LEAN_MARGIN = 1e-6

#: relative slack a quadratic leaf (format 1.6, :mod:`.cover_sdp`) must leave in floats:
#: the exact side spends a quarter of it on the rounding of ``eta``
QUAD_MARGIN = 1e-7


@dataclass(frozen=True)
class CoverProblem:
    """Float data of one (F) instance: rows ``X`` (n x d), residual ``r``, ``lam`` and
    norm bounds ``N`` (``N_k >= ||x_k||``; the exact side passes its rational ones)."""

    X: np.ndarray
    r: np.ndarray
    lam: float
    N: np.ndarray

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]


def make_problem(X: Any, r: Any, lam: float, N: Any | None = None) -> CoverProblem:
    Xf = np.asarray(X, dtype=float)
    rf = np.asarray(r, dtype=float)
    if Xf.ndim != 2 or rf.shape != (Xf.shape[0],):
        raise ValueError(f"X must be n x d and r of length n; got {Xf.shape}, {rf.shape}")
    Nf = np.linalg.norm(Xf, axis=1) if N is None else np.asarray(N, dtype=float)
    return CoverProblem(Xf, rf, float(lam), Nf)


# (hi, hi_nu, lo, lo_nu): hi/lo floats or None (= the global N_k); *_nu: {row j: value}
# (multipliers on the constraints of the node where the bound was proved)
Bound = tuple


@dataclass(frozen=True)
class Node:
    """Sign constraints ``S`` (tuple of ``(k, sigma)``, in split order) and the node
    bounds proved so far (``{k: Bound}``, inherited from the parent)."""

    S: tuple = ()
    bounds: tuple = ()          # sorted ((k, Bound), ...) -- hashable and picklable

    @property
    def depth(self) -> int:
        return len(self.S)

    def child(self, k: int, sigma: int, bounds: dict) -> "Node":
        keep = tuple(sorted((j, b) for j, b in bounds.items() if j != k))
        return Node(self.S + ((k, sigma),), keep)


@dataclass
class Relaxation:
    """The relaxation of one node for one sign (floats; see the module doc)."""

    value: float                 # ||w|| + beta (the node's upper bound on s g_r / ||u||)
    w: np.ndarray
    beta: float
    u: np.ndarray | None         # worst direction w / ||w|| (None if w = 0)
    nu: dict                     # {row j in S: multiplier}
    mu: dict                     # {free row with s r_k < 0: mu_k}
    bounds: dict                 # {free row with s r_k > 0: Bound} (node-proved only)
    a: np.ndarray                # chord slopes (free positive rows), else 0
    b: np.ndarray                # chord intercepts (free positive rows), else 0
    mu_vec: np.ndarray           # mu on free negative rows, else 0
    free: np.ndarray             # bool mask of free rows with r_k != 0
    new: set = field(default_factory=set)     # rows whose bound was proved on this node
    slopes: dict = field(default_factory=dict)  # {pinned row: slope a in [0, 1]}
    true_value: float = float("nan")   # s g_r(u*) (u* unit), a lower bound on the max
    quad: Any = None             # a QuadGuess when the node closes as a quadratic leaf


def g_value(P: CoverProblem, s: int, U: np.ndarray) -> np.ndarray:
    """``s g_r(u) / ||u||`` for each row ``u`` of ``U`` (m x d)."""
    U = np.atleast_2d(U)
    Z = P.X @ U.T
    return s * (P.r @ np.maximum(Z, 0.0)) / np.maximum(np.linalg.norm(U, axis=1), 1e-300)


def _node_bound(A: np.ndarray, v: np.ndarray) -> tuple[float, dict, np.ndarray]:
    """``min_{nu >= 0} ||v + A^T nu||`` by NNLS, with the multiplier (sparse)."""
    nu, res = nnls(A.T, -v)
    return float(res), nu


# long: one node relaxation in one piece, to be read against the module doc
def relax(P: CoverProblem, node: Node, s: int, *, chord: bool = True,
          improve: float = 0.05, prove: bool = True) -> Relaxation:
    """The node relaxation for sign ``s`` (see the module doc).  A bound proved on an
    ancestor is replaced only when the node's own bound is smaller by the factor
    ``1 - improve`` (fewer, shorter proofs; measured in ``bench/bench_cover.py``);
    ``prove=False`` proves no new bound (only the inherited ones are used)."""
    n, d = P.n, P.d
    sr = s * P.r
    Sk = np.array([k for k, _ in node.S], dtype=int)
    sig = np.array([g for _, g in node.S], dtype=float)
    inS = np.zeros(n, dtype=bool)
    inS[Sk] = True
    free = (~inS) & (sr != 0)
    pos = free & (sr > 0)
    neg = free & (sr < 0)
    A = sig[:, None] * P.X[Sk] if len(Sk) else np.zeros((0, d))
    # fixed rows
    c = P.X[Sk[sig > 0]].T @ sr[Sk[sig > 0]] if len(Sk) else np.zeros(d)
    # chord bounds of the free positive rows
    a = np.zeros(n)
    b = np.zeros(n)
    inherited = dict(node.bounds)
    proved: dict = {}
    new: set = set()
    pinned: list = []
    for k in np.flatnonzero(pos):
        k = int(k)
        Nk = P.N[k]
        hi, hi_nu, lo, lo_nu = inherited.get(k, (None, None, None, None))
        if chord and prove and len(Sk):
            hiv = Nk if hi is None else hi
            lov = Nk if lo is None else lo
            if hiv > TIGHT * Nk and lov > TIGHT * Nk:
                h2, nu_h = _node_bound(A, P.X[k])
                l2, nu_l = _node_bound(A, -P.X[k])
                if h2 < hiv * (1 - improve) or h2 <= TIGHT * Nk:
                    hi, hi_nu = h2, {int(Sk[j]): float(v) for j, v in enumerate(nu_h) if v > 0}
                    new.add(k)
                if l2 < lov * (1 - improve) or l2 <= TIGHT * Nk:
                    lo, lo_nu = l2, {int(Sk[j]): float(v) for j, v in enumerate(nu_l) if v > 0}
                    new.add(k)
        if hi is not None or lo is not None:
            proved[k] = (hi, hi_nu, lo, lo_nu)
        hv = Nk if hi is None else hi
        lv = Nk if lo is None else lo
        if k in proved and hv <= TIGHT * Nk and lv <= TIGHT * Nk:
            pinned.append(k)        # x_k . u ~ 0 on the cone: slope free in [0, 1]
            b[k] = max(hv, lv)
        elif hv <= 0:
            a[k], b[k] = 0.0, 0.0
        elif lv <= 0:
            a[k], b[k] = 1.0, 0.0
        else:
            a[k], b[k] = hv / (hv + lv), hv * lv / (hv + lv)
    c = c + P.X.T @ (sr * a)
    beta = float(sr[pos] @ b[pos])
    # lower relaxations (mu) and pinned slopes share the box [0, 1]
    negk = np.concatenate([np.flatnonzero(neg), np.array(pinned, dtype=int)]).astype(int)
    cols = []
    if len(negk):
        cols.append((sr[negk][:, None] * P.X[negk]).T)
    if len(Sk):
        cols.append(A.T)
    mu_vec = np.zeros(n)
    nu: dict = {}
    mu: dict = {}
    slopes: dict = {}
    if cols:
        M = np.hstack(cols)
        lb = np.zeros(M.shape[1])
        ub = np.concatenate([np.ones(len(negk)), np.full(len(Sk), np.inf)])
        sol = lsq_linear(M, -c, bounds=(lb, ub), method="bvls", tol=1e-12)
        z = np.clip(sol.x, lb, ub)
        w = c + M @ z
        mu_vec[negk] = z[:len(negk)]
        mu = {int(k): float(v) for k, v in zip(negk, z[:len(negk)]) if v > 0}
        for k in pinned:
            a[k] = mu_vec[k]
            mu_vec[k] = 0.0
            mu.pop(k, None)
            slopes[k] = float(a[k])
        nu = {int(Sk[j]): float(v) for j, v in enumerate(z[len(negk):]) if v > 0}
    else:
        w = c
    nw = float(np.linalg.norm(w))
    u = w / nw if nw > 0 else None
    rel = Relaxation(nw + beta, w, beta, u, nu, mu, proved, a, b, mu_vec, free, new, slopes)
    if u is not None:
        rel.true_value = float(g_value(P, s, u)[0])
    return rel


def choose_split(P: CoverProblem, rel: Relaxation, s: int, rule: str = "hybrid"
                 ) -> int | None:
    """The free row to split on (None if no free row is loose)."""
    sr = s * P.r
    free = rel.free
    if not free.any():
        return None
    absr = np.abs(P.r)
    pos = free & (sr > 0)
    neg = free & (sr < 0)
    # u*-independent score: chord intercept / lower-relaxation width
    inter = np.where(pos, absr * rel.b, 0.0) + \
        np.where(neg, absr * P.N * np.minimum(rel.mu_vec, 1 - rel.mu_vec), 0.0)
    if rel.u is None or rule == "intercept":
        score = inter
    else:
        z = P.X @ rel.u
        loose = np.where(pos, absr * (rel.a * z + rel.b - np.maximum(z, 0.0)), 0.0) + \
            np.where(neg, absr * (np.maximum(z, 0.0) - rel.mu_vec * z), 0.0)
        loose = np.maximum(loose, 0.0)
        if rule == "gap":
            score = loose
        elif rule == "hybrid":
            top_l, top_i = float(loose.max(initial=0.0)), float(inter.max(initial=0.0))
            score = loose / max(top_l, 1e-300) + inter / max(top_i, 1e-300)
        elif rule == "nearest":
            near = np.abs(z) / np.maximum(P.N, 1e-300)
            ok = loose > 1e-12 * max(1.0, float(loose.max(initial=0.0)))
            score = np.where(ok & free, 1.0 / (near + 1e-12), 0.0)
        else:
            raise ValueError(f"unknown split rule {rule!r}; choose from {RULES}")
        if not (score > 0).any():
            score = inter
    score = np.where(free, score, -1.0)
    k = int(np.argmax(score))
    if score[k] <= 0:
        # nothing loose: split on any free row with the largest |r_k| N_k
        alt = np.where(free, absr * P.N, -1.0)
        k = int(np.argmax(alt))
        if alt[k] <= 0:
            return None
    return k


@dataclass
class SearchResult:
    """Outcome of :func:`search` for one sign.

    ``status``: ``"proved"`` (every leaf closed in floating point -- still to be checked
    exactly), ``"refuted"`` (``witness`` is a unit ``u`` with ``s g_r(u) > lam`` in floats),
    ``"budget"`` (node budget or ``time_limit`` seconds exhausted) or ``"stuck"`` (a node
    that cannot close has no loose free row; (F) fails up to rounding).  ``tree``:
    pre-order list of ``("split", k, Relaxation, Node)`` / ``("leaf", Relaxation, Node)``;
    complete only if proved.  ``open``: the nodes not yet processed (the depth-first
    stack, next node last; empty if proved) -- a ``"budget"`` search can be resumed, also
    elsewhere, from each of them (:mod:`exactrelu.certificate.cover_parallel`).
    ``witnesses``: ``(u, value)`` of every refuted or stuck node met (the first is
    ``witness``; more than one only with ``collect > 1``)."""

    status: str
    sign: int
    tree: list
    nodes: int
    leaves: int
    max_depth: int
    seconds: float
    witness: np.ndarray | None = None
    witness_value: float | None = None
    stats: dict = field(default_factory=dict)
    open: list = field(default_factory=list)
    witnesses: list = field(default_factory=list)


def _quadratic_leaf(P: CoverProblem, node: Node, s: int, rel: Relaxation,
                    accept: Callable | None) -> tuple | None:
    """Try to close a node the chords leave open as a quadratic leaf (format 1.6):
    ``("leaf", rel)`` with ``rel.quad`` set, ``("refuted", u, value)`` when the quadratic
    program's worst direction breaks (F), else None (``rel`` unchanged)."""
    from .cover_sdp import quad_relax

    g = quad_relax(P, node, s, rel)
    if g is None:
        return None
    if g.u is not None:
        tv = float(g_value(P, s, g.u)[0])
        if tv > P.lam * (1 + 1e-9):
            return ("refuted", g.u, tv)
    if g.value <= P.lam * (1 - QUAD_MARGIN):
        rel.quad = g
        if accept is None or accept(node, rel, s):
            return ("leaf", rel)
        rel.quad = None
    return None


def expand(P: CoverProblem, node: Node, s: int, *, rule: str = "hybrid",
           margin: float = 1e-9,
           chord: bool = True, improve: float = 0.05, accept: Callable | None = None,
           lean: bool = True, quad: bool = True) -> tuple:
    """Process one node: ``("leaf", rel)``, ``("split", k, (child+, child-))``,
    ``("refuted", u, value)`` or ``("stuck", rel)``; a split also carries ``rel`` (the
    bounds it proved are inherited by the subtree).  Pure (picklable arguments) apart
    from ``accept``, an optional check of a float-closed leaf (the exact check): a leaf it
    rejects is split instead.  ``lean``: first try to close the node with the inherited
    bounds only (a leaf that declares no bound: smaller proofs, and no NNLS per row);
    the full relaxation decides otherwise, so the tree's shape does not change.
    ``quad``: a node the chords leave open is tried as a quadratic leaf (format 1.6,
    :mod:`.cover_sdp`) before it is split."""
    if lean and node.S:
        rel = relax(P, node, s, chord=chord, improve=improve, prove=False)
        if rel.value <= P.lam * (1 - LEAN_MARGIN) and (accept is None or accept(node, rel, s)):
            return ("leaf", rel)
    rel = relax(P, node, s, chord=chord, improve=improve)
    if rel.value <= P.lam * (1 - margin) and (accept is None or accept(node, rel, s)):
        return ("leaf", rel)
    if rel.true_value > P.lam * (1 + 1e-9):
        return ("refuted", rel.u, rel.true_value)
    if quad and chord:
        out = _quadratic_leaf(P, node, s, rel, accept)
        if out is not None:
            return out
    k = choose_split(P, rel, s, rule)
    if k is None:
        # every row is fixed: the node is (a subset of) one region, where the relaxation
        # is exact; a tight region (value = lam) can still close with exact multipliers
        if accept is not None and rel.value <= P.lam * (1 + 1e-6) and accept(node, rel, s):
            return ("leaf", rel)
        return ("stuck", rel)
    bounds = dict(rel.bounds)
    return ("split", k, (node.child(k, 1, bounds), node.child(k, -1, bounds)), rel)


#: nodes a refuted search may spend hunting for more witnesses after its first one (in
#: floats only), and a search of the other sign after a failure, instead of running on
#: to the node budget: 1-2 minutes at d = 3, n = 120, some 7 minutes at d = 11, n = 50
#: (about 20 ms a node there); ``time_limit`` still bounds it
HUNT = 20_000


def search(P: CoverProblem, s: int, *, rule: str = "hybrid", margin: float = 1e-9,
           budget: int = 100_000, chord: bool = True, improve: float = 0.05,
           progress: bool = False,
           accept: Callable | None = None, on_split: Callable | None = None,
           root: Node | None = None, time_limit: float | None = None,
           lean: bool = True, quad: bool = True, collect: int = 1) -> SearchResult:
    """Depth-first branch and bound for sign ``s`` (see the module doc).  The pre-order
    of the processed nodes is the certificate's pre-order (children ``+`` then ``-``).

    ``collect``: how many witnesses (refuted or stuck nodes) to gather before stopping.
    After the first one the tree can no longer be a proof, so the search goes on in
    floats only (no ``accept`` / ``on_split``, no tree) and does not split a refuted
    node: it is then the exhaustive pricer of column generation, and every violating
    region it meets is a column (:func:`exactrelu.approx.cover_pricing.witness_patterns`).
    Measured (random targets, 2 features + bias, n = 120, lam = 1/2): one witness per
    re-solve left the route's solve 4.5e-4 above the optimum after its 8 rounds.
    That hunt adds at most :data:`HUNT` nodes after the first witness, so that a refuted
    search does not run on to ``budget``."""
    t0 = time.perf_counter()
    stack = [root or Node()]
    tree: list = []
    nodes = leaves = max_depth = 0
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(desc=f"cover s={s:+d}", unit="node", leave=False)
    status, found = "proved", []
    stop_at = budget
    try:
        while stack:
            if nodes >= stop_at or (time_limit is not None and
                                   time.perf_counter() - t0 > time_limit):
                status = "budget" if status == "proved" else status
                break
            node = stack.pop()
            nodes += 1
            max_depth = max(max_depth, node.depth)
            out = expand(P, node, s, rule=rule, margin=margin, chord=chord, improve=improve,
                         accept=accept, lean=lean, quad=quad)
            if out[0] in ("refuted", "stuck"):
                u, value = out[1:] if out[0] == "refuted" else (out[1].u, out[1].true_value)
                status = out[0] if status == "proved" else status
                found.append((u, value))
                if len(found) >= collect or u is None:
                    break
                if len(found) == 1:
                    stop_at = min(budget, nodes + HUNT)
                accept = on_split = None    # no proof any more: floats look for witnesses
                tree = []
                continue
            if status == "proved":
                tree.append(("leaf", out[1], node) if out[0] == "leaf"
                            else ("split", out[1], out[3], node))
            if out[0] == "leaf":
                leaves += 1
            else:
                if on_split is not None:
                    on_split(node, out[3], s)
                plus, minus = out[2]
                stack.append(minus)
                stack.append(plus)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(open=len(stack), closed=leaves, depth=node.depth, refresh=False)
    finally:
        if bar is not None:
            bar.close()
    witness, wval = found[0] if found else (None, None)
    return SearchResult(status, s, tree, nodes, leaves, max_depth, time.perf_counter() - t0,
                        witness, wval, open=stack if status == "budget" else [],
                        witnesses=found)
