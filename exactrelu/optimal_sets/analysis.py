r"""The optimal set of C-ReLU (and of a CGL) from its exact optimal residual.

Mishkin & Pilanci (2023), docs/theory.md §2.2-2.9, §2.12.  Given the exact optimal
residual ``r`` (so the fit ``yhat = y - r`` is known), every optimum of a constrained group
lasso -- C-ReLU is one, with blocks ``b = (i, s)``, ``Z_b = s D_i X`` and cones
``K_b = {u : A_b u >= 0}`` -- is ``w_b = alpha_b v_b``, where ``v_b = Proj_{K_b}(Z_b^T r)``
(projection multipliers ``rho_b``), the blocks with ``||v_b||^2 = lam^2`` form the
*equicorrelation set* ``E`` (all other blocks are zero), and ``alpha`` ranges over the
polytope ``P = {alpha in R^E, alpha >= 0 : sum_b alpha_b Z_b v_b = yhat}`` (docs/theory.md
§2.4).  On ``P`` the objective is constant: ``||w_b|| = alpha_b lam`` and ``sum_b alpha_b =
<yhat, r> / lam^2``.  :func:`optimal_set` re-checks the projections of an
:class:`~exactrelu.rational_optimum.ExactOptimum` and builds :class:`OptimalSet`: the support
``S`` (exact LPs), the uniqueness verdict with a witness (docs/theory.md §2.7), all vertices
(support-minimal models, docs/theory.md §2.9), the min-norm point with its KKT certificate
(docs/theory.md §2.12) and, for networks, uniqueness up to permutation and splitting.
:func:`optimal_set_section` writes the ``optimal_set`` section of a certificate (format v1,
check 6).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Mapping, Sequence

from ..errors import ExactReluError
from ..linalg import independent
from ..numbers import dot, q_str, sqnorm
from .polytope import Polytope

__all__ = ["OptimalSet", "optimal_set", "optimal_set_section"]

Vec = tuple[Fraction, ...]
_ZERO = Fraction(0)


@dataclass
class OptimalSet:
    """The optimal set ``{w_b = alpha_b v_b : alpha in P}`` (module docstring).

    Attributes: ``blocks`` = the equicorrelation set ``E`` (order = the coordinates of
    ``P``), ``v``/``rho`` the canonical correlations and projection multipliers, ``fits`` the
    columns ``Z_b v_b``, ``fit`` = ``yhat``, ``r`` the residual, ``value`` = ``p*``,
    ``support`` = ``S`` (LPs), ``vertices`` (all, when enumerated; dicts keyed by block,
    zeros left out), ``unique`` and its ``witness`` (a null vector of the fits of ``S``,
    keyed by block), ``min_norm`` (dict) with ``min_norm_mu``, ``sum_alpha`` =
    ``<yhat, r>/lam^2``.  ``nc_p_unique``: the ReLU network is unique up to permutation and
    splitting (the fits of ``S`` are independent after merging blocks with the same neuron
    ``(s, v)``); ``prop43``: the poster's sufficient condition (fits of ``S`` independent).
    """

    blocks: tuple[Any, ...]
    v: dict
    rho: dict
    fits: dict
    fit: Vec
    r: Vec
    lam: Fraction
    value: Fraction
    polytope: Polytope
    support: tuple[Any, ...]
    vertices: list[dict] | None
    unique: bool
    witness: dict | None
    min_norm: dict
    min_norm_mu: Vec
    sum_alpha: Fraction
    nc_p_unique: bool | None = None
    neuron_keys: dict = field(default_factory=dict)
    all_vertices: bool = True

    # -- minimality ---------------------------------------------------------------------
    @property
    def min_neurons(self) -> int | None:
        """Cardinality-minimal count (fewest nonzero blocks over all optimal models) = the
        minimum over the vertices; ``None`` if vertices were not (all) enumerated."""
        if self.vertices is None or not self.all_vertices:
            return None
        return min(len(a) for a in self.vertices)

    @property
    def prop43(self) -> bool:
        """Poster Prop. 4.3's condition: the fits of ``S`` are linearly independent."""
        return self.unique

    def cardinality_minimal(self) -> list[dict]:
        """The vertices with the fewest blocks (cardinality-minimal models)."""
        if self.vertices is None:
            raise ExactReluError("vertices were not enumerated")
        m = self.min_neurons
        return [a for a in self.vertices if len(a) == m]

    def alpha_vector(self, alpha: Mapping[Any, Fraction]) -> Vec:
        unknown = set(alpha) - set(self.blocks)
        if unknown:
            raise ExactReluError(f"blocks {sorted(unknown)} are not equicorrelated: "
                                 "they are zero in every optimum")
        return tuple(Fraction(alpha.get(b, 0)) for b in self.blocks)

    def alpha_dict(self, alpha: Sequence[Fraction]) -> dict:
        return {b: a for b, a in zip(self.blocks, alpha) if a}

    def contains(self, alpha: Mapping[Any, Fraction]) -> bool:
        try:
            return self.polytope.contains(self.alpha_vector(alpha))
        except ExactReluError:
            return False

    def is_support_minimal(self, alpha: Mapping[Any, Fraction]) -> bool:
        """Support-minimal = vertex = independent active fits (docs/theory.md §2.9)."""
        return self.polytope.is_vertex(self.alpha_vector(alpha))

    def is_cardinality_minimal(self, alpha: Mapping[Any, Fraction]) -> bool:
        return self.contains(alpha) and \
            len([a for a in alpha.values() if a]) == self.min_neurons

    def weights(self, alpha: Mapping[Any, Fraction]) -> dict:
        """``{b: w_b = alpha_b v_b}`` (nonzero blocks)."""
        return {b: tuple(a * x for x in self.v[b]) for b, a in alpha.items() if a}

    def summary(self) -> dict:
        return {"blocks": len(self.blocks), "support": len(self.support),
                "unique": self.unique,
                "vertices": None if self.vertices is None else len(self.vertices),
                "min_neurons": self.min_neurons, "sum_alpha": q_str(self.sum_alpha),
                "value": q_str(self.value)}


def _analyse(labels: Sequence[Any], v: dict, rho: dict, fits: dict, fit: Vec, r: Vec,
             lam: Fraction, value: Fraction, *, point: Sequence[Fraction] | None,
             enumerate_vertices: bool, vertex_limit: int | None,
             neuron_keys: Mapping[Any, Any] | None = None, vertex_time_limit: object = None,
             partial_vertices: bool = False) -> OptimalSet:
    """The shared core: polytope over ``labels`` (the equicorrelated blocks)."""
    labels = tuple(labels)
    cols = [fits[b] for b in labels]
    P = Polytope(cols, fit, labels=labels, point=point)
    if P.point is None:
        raise ExactReluError("the fit is not a non-negative combination of the "
                             "equicorrelated fits: the residual is not optimal")
    lam2 = lam * lam
    sum_alpha = dot(fit, r) / lam2
    S_idx, beta = P.uniqueness()
    verts = None
    complete = True
    if enumerate_vertices:
        if partial_vertices:
            vv, complete = P.vertices_within(vertex_limit, vertex_time_limit)
        else:
            vv = P.vertices(limit=vertex_limit, time_limit=vertex_time_limit)
        verts = [{labels[j]: a for j, a in enumerate(al) if a} for al in vv]
        # the union of the vertex supports is S (P = conv(vertices)): cross-check
        union = tuple(sorted({j for al in vv for j, a in enumerate(al) if a}))
        if complete and union != S_idx:                        # pragma: no cover
            raise ExactReluError("internal: LP support and vertex supports disagree")
        for al in vv:                                          # energy identity (docs/theory.md §2.4)
            if sum(al, _ZERO) != sum_alpha:                    # pragma: no cover
                raise ExactReluError("internal: sum alpha differs between vertices")
    unique = beta is None
    witness = None if unique else {labels[j]: Fraction(b) for j, b in zip(S_idx, beta) if b}
    mn = P.min_norm()
    # NC uniqueness up to permutation/splitting: merge blocks giving the same neuron
    nc = None
    if neuron_keys is not None:
        groups: dict = {}
        for j in S_idx:
            groups.setdefault(neuron_keys[labels[j]], []).append(j)
        merged = [cols[js[0]] for js in groups.values()]
        for js in groups.values():                              # same neuron -> same fit
            if any(cols[j] != cols[js[0]] for j in js):         # pragma: no cover
                raise ExactReluError("internal: one neuron with two different fits")
        nc = independent(merged, len(fit)) if merged else True
    return OptimalSet(labels, v, rho, fits, fit, r, lam, value, P,
                      tuple(labels[j] for j in S_idx), verts, unique, witness,
                      {labels[j]: a for j, a in enumerate(mn.alpha) if a}, mn.mu, sum_alpha,
                      nc, dict(neuron_keys or {}), complete)


def optimal_set(program, exact_opt, *, enumerate_vertices: bool = True,
                vertex_limit: int | None = None, vertex_time_limit: object = None,
                partial_vertices: bool = False) -> OptimalSet:
    """The optimal set of C-ReLU (``program``: :class:`exactrelu.problem.ConvexProgram`)
    from its proved exact optimum (:class:`exactrelu.rational_optimum.ExactOptimum`).

    ``E`` = ``exact_opt.equicorrelated`` (``||Proj_K c_b||^2 = lam^2``, every other block
    is strictly dual feasible, as ``exact_optimum_at`` proved), ``v_b`` and the projection
    multipliers ``proj_rho`` are taken from ``exact_opt`` and re-checked here:
    ``v_b = s X^T D r + A^T rho``, ``rho >= 0``, ``A v >= 0``, ``rho.(A v) = 0``,
    ``||v_b||^2 = lam^2``.  ``exact_opt.alpha`` is the known feasible point.
    ``vertex_limit`` / ``vertex_time_limit`` (seconds) bound the vertex enumeration
    (:meth:`Polytope.vertices`); beyond them :class:`.vertex_enumeration.PolytopeTooLarge` is raised, or with
    ``partial_vertices`` the vertices found are kept (at least one) and
    ``all_vertices`` is ``False``."""
    from ..cones import cone_matrix

    lam = program.lam
    lam2 = lam * lam
    r = tuple(exact_opt.r)
    E = tuple(sorted(exact_opt.equicorrelated))
    X = program.data.X
    fits, v, rho, keys = {}, {}, {}, {}
    for b in E:
        i, s = b
        vb = tuple(exact_opt.v[b])
        rb = dict(exact_opt.proj_rho.get(b, {}))
        A = cone_matrix(X, program.patterns.bits[i])
        c = program.correlation(b, r)
        q = list(c)
        for k, x in rb.items():
            if x < 0:
                raise ExactReluError(f"block {b}: negative projection multiplier")
            for j in range(len(q)):
                q[j] += x * A[k][j]
        Av = [dot(a, vb) for a in A]
        if tuple(q) != vb or any(a < 0 for a in Av) or \
                any(x * Av[k] for k, x in rb.items()) or sqnorm(vb) != lam2:
            raise ExactReluError(f"block {b}: v is not the projection of its correlation "
                                 "with norm lam")
        v[b], rho[b] = vb, rb
        fits[b] = program.block_fit(b, vb)
        keys[b] = (s, vb)
    fit = tuple(a - t for a, t in zip(program.data.y, r))
    point = tuple(Fraction(exact_opt.alpha.get(b, 0)) for b in E)
    os_ = _analyse(E, v, rho, fits, fit, r, lam, exact_opt.value, point=point,
                   enumerate_vertices=enumerate_vertices, vertex_limit=vertex_limit,
                   neuron_keys=keys, vertex_time_limit=vertex_time_limit,
                   partial_vertices=partial_vertices)
    if sqnorm(r) / 2 + lam2 * os_.sum_alpha != exact_opt.value:  # pragma: no cover
        raise ExactReluError("internal: optimal value differs from 1/2||r||^2 + lam^2 sum alpha")
    return os_


def optimal_set_section(program, exact_opt, *, opt_set: OptimalSet | None = None,
                        vertex_limit: int | None = None) -> dict:
    """The ``optimal_set`` section of a certificate (format v1, check 6):

    ``{"fit": [R]*n, "blocks": [{"pattern", "sign", "v", "rho"}], "vertices":
    [{"alpha": {b: R}}]}`` -- ``blocks`` lists EVERY equicorrelated block (check 6 needs
    every block tight in check 4 listed: with projection multipliers in ``dual.rho`` those
    are exactly ``E``), ``rho`` its projection multipliers (sparse, by data row), and a
    vertex's ``alpha`` is keyed by the index (a decimal string) of the block in that list;
    zero entries are left out."""
    os_ = opt_set if opt_set is not None else optimal_set(program, exact_opt,
                                                          vertex_limit=vertex_limit)
    if os_.vertices is None or not os_.all_vertices:
        raise ExactReluError("the section needs all the vertices")
    index = {b: j for j, b in enumerate(os_.blocks)}
    return {
        "fit": [q_str(a) for a in os_.fit],
        "blocks": [{"pattern": int(b[0]), "sign": int(b[1]), "v": [q_str(a) for a in os_.v[b]],
                    "rho": {str(k): q_str(x) for k, x in sorted(os_.rho[b].items()) if x}}
                   for b in os_.blocks],
        "vertices": [{"alpha": {str(index[b]): q_str(a) for b, a in
                                sorted(al.items(), key=lambda t: index[t[0]]) if a}}
                     for al in os_.vertices],
    }
