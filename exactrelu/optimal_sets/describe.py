"""The optimal set a certificate describes, as a typed :class:`~exactrelu.results.OptimalSet`.

Used by :func:`exactrelu.optimal_set` and by ``exactrelu optimal-set`` (which only formats
the result).  Nothing in the certificate is trusted:

* if the claim is exact (``lower == upper``), the exact optimum at the certificate's
  residual ``dual.r`` is re-proved (:func:`exactrelu.rational_optimum.exact_optimum_at`) -- or
  taken from :func:`exactrelu.certificate.produce`, which proved it moments ago -- and the optimal
  set computed (:func:`exactrelu.optimal_sets.optimal_set`): support ``S``, uniqueness
  with a witness, all vertices (support-minimal networks), the fewest neurons;
* otherwise the optimum is not known exactly, and the *model-relative polytope* of the
  certificate's network (or blocks) is described: all rescalings of its neurons with
  exactly the same training predictions (:mod:`exactrelu.optimal_sets.model`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from ..results import Certificate, OptimalSet

__all__ = ["describe_optimal_set", "SamplingContext"]


@dataclass(frozen=True)
class SamplingContext:
    """What sampling an optimal set needs: the polytope (coordinates ``j``), its vertices
    if all are known, for each coordinate the neuron output ``x -> sign_j (x . dir_j)_+``
    per unit of the coordinate, and the key of the coordinate in the vertices."""

    polytope: Any
    vertices: list | None
    dirs: list
    signs: list
    keys: list


def _parsed(cert: Certificate) -> dict:
    from ..certificate.read import read_certificate

    return read_certificate(cert.source or "<certificate>", text=cert.text)


def _exact(cert: Certificate, max_vertices: int, time_limit: object) -> OptimalSet:
    from .analysis import optimal_set

    solved = cert._solved
    if solved is not None and solved[1] is not None:
        program, eo = solved
    else:
        from ..rational_optimum import exact_optimum_at
        from ..problem import ConvexProgram

        c = _parsed(cert)
        program = ConvexProgram(c["data"], c["lam"], c["patterns"])
        eo = exact_optimum_at(program, c["r"])
        if eo is None or eo.value != c["lower"]:
            raise InputError("the certificate claims an exact optimum, but its residual "
                             "dual.r is not optimal for its program (run `exactrelu check`)",
                             file=cert.source)
    # beyond the limits: the vertices found (verified), else one LP extreme point
    os_ = optimal_set(program, eo, vertex_limit=max_vertices, vertex_time_limit=time_limit,
                      partial_vertices=True)
    all_vertices = os_.all_vertices
    bits = program.patterns.bits
    S = list(os_.support)
    sidx = {b: j for j, b in enumerate(S)}
    verts = sorted(os_.vertices, key=lambda a: (len(a), sorted(sidx[b] for b in a)))
    # sampling coordinates = the equicorrelated blocks (zero outside S on the polytope);
    # the neuron of block b at alpha_b is (alpha_b v_b, s_b), its output s_b alpha_b (x.v_b)_+
    ctx = SamplingContext(
        os_.polytope, [os_.alpha_vector(a) for a in os_.vertices] if all_vertices else None,
        [os_.v[b] for b in os_.blocks], [b[1] for b in os_.blocks],
        [str(sidx[b]) if b in sidx else None for b in os_.blocks])
    return OptimalSet(
        exact=True, unique=os_.unique,
        support=tuple((bits[b[0]], b[1]) for b in S),
        vertices=tuple({sidx[b]: x for b, x in a.items()} for a in verts),
        all_vertices=all_vertices,
        min_neurons=os_.min_neurons if all_vertices else None,
        value=eo.value,
        witness=None if os_.witness is None else {sidx[b]: x for b, x in os_.witness.items()},
        min_norm={sidx[b]: x for b, x in os_.min_norm.items()},
        min_norm_mu=tuple(os_.min_norm_mu), sum_alpha=os_.sum_alpha,
        network_unique=os_.nc_p_unique,
        equicorrelated=tuple((bits[b[0]], b[1]) for b in os_.blocks),
        lower=cert.lower, upper=cert.upper, _internal=(ctx, program.data))


#: beyond this many neurons the model-relative polytope is not built (see _model)
MAX_MODEL_NEURONS = 64


def _model(cert: Certificate, max_vertices: int, time_limit: object,
           progress: bool = False) -> OptimalSet:
    from ..numbers import sqnorm
    from .model import model_polytope, model_polytope_from_columns
    from ..arrangement import neuron_region
    from ..problem import ConvexProgram

    c = _parsed(cert)
    data, lam = c["data"], c["lam"]
    enclosure = (_enclosure(cert, c, max_vertices, time_limit, progress)
                 if c.get("output_bias") is None else None)
    size = (len(c["network"].nonzero_neurons()) if c["network"] is not None
            else sum(1 for _, u in c["blocks"] or () if any(u)))
    if size > MAX_MODEL_NEURONS:
        # the model-relative polytope's exact null space grows too fast (216 neurons with
        # 390-bit weights: > 15 min measured); the enclosure is what describes the optimum
        net = c["network"]
        support = ([(neuron_region(data.X, net.W1[j])[0], 1 if net.w2[j] > 0 else -1)
                    for j in net.nonzero_neurons()] if net is not None else
                   [(c["patterns"].bits[b[0]], b[1]) for b, u in c["blocks"] if any(u)])
        return OptimalSet(
            exact=False, unique=None if enclosure is None else enclosure["unique"],
            support=tuple(support), vertices=(),
            all_vertices=False, min_neurons=None,
            relative_to=f"skipped ({size} neurons > {MAX_MODEL_NEURONS})", dimension=None,
            vertex_objective_upper=(), lower=c["lower"], upper=c["upper"],
            enclosure=enclosure, _internal=(None, data))
    if c["network"] is not None:
        net = c["network"]
        mp, keep = model_polytope(net, data, lam)
        support = [(neuron_region(data.X, net.W1[j])[0], 1 if net.w2[j] > 0 else -1)
                   for j in keep]
        rel = "network"
        dirs = [net.W1[j] for j in keep]
        signs = [net.w2[j] for j in keep]
    elif c["blocks"]:
        program = ConvexProgram(data, lam, c["patterns"])
        keys, cols, nsq = [], [], []
        for b, u in c["blocks"]:
            f = program.block_fit(b, u)
            if any(f):
                keys.append(b)
                cols.append(f)
                nsq.append(sqnorm(u))
        mp = model_polytope_from_columns(cols, nsq, data.y, lam)
        support = [(c["patterns"].bits[b[0]], b[1]) for b in keys]
        rel = "blocks"
        bu = dict(c["blocks"])
        dirs = [bu[k] for k in keys]
        signs = [k[1] for k in keys]
    else:
        raise InputError("the certificate has neither a network nor blocks")
    P = mp.polytope
    vv, complete = P.vertices_within(max_vertices, time_limit)
    ctx = SamplingContext(P, vv if complete else None, dirs, signs,
                          [str(j) for j in range(P.L)])
    verts = sorted(vv, key=lambda a: (sum(1 for x in a if x), a))
    counts = [sum(1 for x in a if x) for a in verts]
    return OptimalSet(
        exact=False, unique=None if enclosure is None else enclosure["unique"],
        model_unique=mp.unique, support=tuple(support),
        vertices=tuple({j: x for j, x in enumerate(a) if x} for a in verts),
        all_vertices=complete,
        min_neurons=min(counts) if complete and counts else None,
        relative_to=rel, dimension=mp.dim,
        vertex_objective_upper=tuple(mp.objective_bounds(a)[1] for a in verts),
        lower=c["lower"], upper=c["upper"], enclosure=enclosure, _internal=(ctx, data))


def _enclosure(cert: Certificate, c: dict, max_vertices: int,
               time_limit: object = None, progress: bool = False) -> dict | None:
    """The proved facts of format 1.5 (:mod:`exactrelu.optimal_sets.enclosure`) for an
    inexact certificate: its ``optimal_set_enclosure`` section, or one computed now (a
    fresh float solve and KKT refinement) -- in both cases verified by the library
    checker (check 11) before anything is reported."""
    from ..approx.solver import solve_crelu
    from ..problem import ConvexProgram, to_double
    from ..rational_optimum import optimum_or_refinement
    from .enclosure import enclosure_report, optimal_set_enclosure

    doc = cert.document()
    computed = "optimal_set_enclosure" not in doc
    if computed:
        data, lam, ps = c["data"], c["lam"], c["patterns"]
        program = ConvexProgram(data, lam, ps)
        sol = solve_crelu(data.X_float(), data.y_float(), to_double(lam, "lam"),
                          ps.as_array(), strict=False)
        _, ref = optimum_or_refinement(program, sol)
        enc = optimal_set_enclosure(program, ref, c["r"], c["rho"], c["upper"])
        doc["optimal_set_enclosure"] = enc.section
    out = {"verified": True, "computed_now": computed, "complete": bool(c["complete"])}
    try:
        out.update(enclosure_report(doc, max_vertices=min(max_vertices, 1000),
                                    time_limit=time_limit, progress=progress))
    except ValueError as exc:                 # not VERIFIED: bad input, as in _exact
        what = ("the certificate" if computed else
                "the certificate's optimal_set_enclosure section")
        raise InputError(f"{what} is not verified ({exc}); run `exactrelu check`",
                         file=cert.source) from None
    return out


def describe_optimal_set(cert: Certificate, *, max_vertices: int = 10000,
                         time_limit: object = None, progress: bool = False) -> OptimalSet:
    """The optimal set of the certificate's convex program (module doc).  The vertex
    enumeration stops beyond ``max_vertices`` vertices or ``time_limit`` seconds (then
    ``all_vertices`` is ``False`` and ``vertices`` holds those found, at least one);
    ``progress`` shows bars on stderr for the long vertex searches."""
    if max_vertices < 1:
        raise ValueError("max_vertices must be a positive integer")
    if time_limit is not None and not time_limit > 0:
        raise ValueError("time_limit must be positive (seconds)")
    if cert.lower == cert.upper:
        return _exact(cert, max_vertices, time_limit)
    return _model(cert, max_vertices, time_limit, progress)
