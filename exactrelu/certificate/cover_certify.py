"""The cover route of :func:`exactrelu.certificate.produce.certify`: a global certificate
without listing regions (format minor version 1.1, ``docs/spec/certificate-v1.md``).

``route`` of ``certify``: ``regions`` (every region listed and proved complete; an exact
optimum and the optimal set when it is rational), ``cover`` (this module) or ``auto``:
regions when the general-position region bound (:func:`exactrelu.arrangement.
region_bound`) is at most :data:`AUTO_REGIONS` (:data:`AUTO_REGIONS_LOW_D` in dimension
``d <= 3``), else cover, within the size guard
``max_regions`` (:func:`choose_route`); when the cover search does not close
(:class:`CoverNotProved`), auto falls back to the regions route.

Stages (``timings`` keys):

1. ``solve`` -- column generation (:func:`exactrelu.approx.cover_pricing.solve_by_columns`):
   Clarabel on a working set of patterns extended by priced directions, never an
   enumeration; its residual, rounded to dyadics, is ``r0`` (a float guess);
2. ``search`` / ``exact`` -- :func:`exactrelu.certificate.cover_producer.cover_route`: the
   float tree search for (F) at ``r = t r0`` (``t`` from ``gap``) and the exact leaf checks;
   a refuted search adds the patterns of the witnesses it met (both signs, up to
   ``COLLECT`` each) to the working set and solves again;
3. ``upper`` -- the rational network: the given one, or the float solution rounded
   (C -> NC) whose exact NC objective is ``upper``; the listed patterns are those of its
   neurons (clarification D2), with exact projection multipliers ``rho`` at ``r``
   (they exist because (F) holds: ``||Pi_K(c)|| <= lam`` on every cone);
4. ``emit`` -- the v1 certificate with ``patterns.complete`` false plus the ``cover``
   section; ``claim.lower = L(r)`` rounded down.

``gap``: the lower bound may be looser than the solve's by ``gap * max(1, |L(r0)|)``
(:func:`~exactrelu.certificate.cover_producer.scale_for_gap`); a larger gap leaves more
slack in (F), hence a smaller tree.
"""
from __future__ import annotations

import time
from fractions import Fraction
from typing import Any

from ..errors import ExactReluError, InputError
from ..problem import ConvexProgram, Dataset

__all__ = ["certify_cover", "AUTO_REGIONS", "AUTO_REGIONS_LOW_D", "choose_route",
           "CoverNotProved"]


class CoverNotProved(InputError):
    """The cover search ended without a proof (refuted at the rounded residual, or out of
    its node or time budget): a resource limit like :class:`~exactrelu.errors.
    TooManyRegions`; ``route="auto"`` then falls back to the regions route."""

# auto: regions when the general-position region bound is at most this, else cover.
# Measured (docs/spec/cover-draft.md): the region route wins at 382 regions (3.2 s vs
# 5.0 s, many active neurons), the cover route from ~2000 regions (7.8 s vs 1.5 s).
AUTO_REGIONS = 2000
# ... but in dimension d <= 3 (two features + bias) up to this many.  There the cover
# is a simplex cover (format 1.7), 11-146x smaller than the region list (docs/SCALE.md
# §1d), but the regions route takes about as long and also gives the exact optimum and
# the optimal set; it still finishes and checks within the budget at 14,282 regions
# (random n = 120), not at 33,674 (n = 185, refused as over the checkers' budget).
AUTO_REGIONS_LOW_D = 15_000


def choose_route(data: Dataset, route: str, sample: int | None,
                 max_regions: int | None = None) -> str:
    """``regions`` or ``cover`` for ``route`` in auto / regions / cover.  auto: regions when
    the general-position region bound is at most :data:`AUTO_REGIONS` (in dimension
    ``d <= 3``: :data:`AUTO_REGIONS_LOW_D`); cover when it is
    larger but within ``max_regions`` (``None``: no limit); beyond ``max_regions`` the size
    guard refuses before any work (:class:`~exactrelu.errors.TooManyRegions`, naming
    ``route="cover"``), as the regions route does -- the cover search may not finish on
    such data, so it runs there only when asked for.  ``sample`` means the (sampled)
    regions route."""
    if route not in ("auto", "regions", "cover"):
        raise InputError(f"route must be auto, regions or cover, not {route!r}")
    if route == "cover" and sample is not None:
        raise InputError("sampled patterns (--sample) and the cover route exclude each other")
    if route != "auto" or sample is not None:
        return "regions" if route == "auto" else route
    from ..arrangement import region_bound
    from ..errors import TooManyRegions

    bound, m, d = region_bound(data.X)
    if bound <= (AUTO_REGIONS_LOW_D if data.d <= 3 else AUTO_REGIONS):
        return "regions"
    if max_regions is not None and bound > max_regions:
        raise TooManyRegions(
            f"up to {bound:.3g} activation regions ({m} distinct hyperplanes in dimension "
            f"{d}), over the budget of {max_regions:,}: use --route cover (a cover proof, no "
            "enumeration; it may not finish on data this large), sampled patterns (--sample "
            "N; bounds for that sub-program only) or raise --max-regions")
    return "cover"


def _network(data: Dataset, lam: Fraction, cs, bits: int):
    """The float solution of the last column-generation solve, as a rational network."""
    from ..arrangement import PatternSet
    from ..conversions import convex_to_network
    from ..networks import Network
    from .produce import _rounded_blocks

    bitsets = tuple("".join("1" if v else "0" for v in row) for row in cs.patterns)
    ps = PatternSet(data.n, data.d, bitsets, tuple((0,) * data.d for _ in bitsets))
    qb = _rounded_blocks(ConvexProgram(data, lam, ps), cs.solution, bits)
    if not qb:
        return Network((), (), data.bias, data.d)
    return convex_to_network(qb, patterns=ps, d=data.d).to_network_approx(bits)


def _listed(data: Dataset, lam: Fraction, net, r: tuple):
    """The network's patterns with exact multipliers at ``r`` (check 4 of v1)."""
    from ..arrangement import network_patterns
    from .dual_bound import exact_dual_bound

    ps, _ = network_patterns(data.X, net.W1)
    program = ConvexProgram(data, lam, ps)
    dual = exact_dual_bound(program, r)
    if dual.scale != 1:  # pragma: no cover - (F) at r bounds every cone's projection
        raise ExactReluError("internal: the cover's residual is infeasible on a listed pattern")
    return program, dual


#: provenance ``compacted`` when its time limit stopped the compaction (the cover holds)
PARTLY = "partly (stopped at its time limit)"


def _compacted(stats: Any) -> dict:
    """Provenance: whether the compaction ran, and ran to its end."""
    if stats is None:
        return {"compacted": "no"}
    return {"compacted": "yes" if stats.complete else PARTLY}


def certify_cover(data: Dataset, lam: Fraction, *, network=None, gap: Any = Fraction(1, 10 ** 6),
                  progress: bool | None = None, bits: int = 48, **search: Any):
    """The cover route (module doc); returns a
    :class:`~exactrelu.certificate.produce.CertifyResult` with ``route == "cover"``.
    ``search``: passed to :func:`~exactrelu.certificate.cover_producer.cover_route`
    (``budget``, ``time_limit``, ``rule``, ``max_rounds``)."""
    from .._version import __version__
    from .cover import cover_size
    from .cover_producer import cover_route, uses_quadratic_leaves
    from .emit import certificate_dict
    from .simplex_cover import simplex_size
    from .produce import CertifyResult, _round_down, _round_up, improvement_hint

    from .cover_producer import cover_kind

    cover_kind(search.get("cover", "auto"), data.d)     # bad input: before any work
    t0 = time.perf_counter()
    # the search's bar (open / closed nodes, depth): on unless progress is False (the CLI
    # passes None in text mode, the library False by default)
    cr = cover_route(data, lam, gap=gap, bits=bits, progress=progress is not False, **search)
    cb = cr.bound
    timings = dict(cr.seconds)
    if cb is None or cb.lower is None:
        res = cb.result if cb is not None else None
        raise CoverNotProved(  # a resource limit, like TooManyRegions: exit 2 on the CLI
            "the cover route did not prove a lower bound ("
            + (f"search {res.status} after {sum(res.nodes.values())} nodes" if res else
               "no search") + "): raise the gap (--gap), the time limit (--time-limit) or "
            "the node budget, or use --route regions")
    t = time.perf_counter()
    net = network if network is not None else _network(data, lam, cr.solve, bits)
    program, dual = _listed(data, lam, net, cb.r)
    lower, upper = dual.lower, net.nc_objective(data, lam)
    hint = improvement_hint(program, net) if network is not None and upper > lower else None
    timings["upper"] = time.perf_counter() - t
    t = time.perf_counter()
    if lower != upper:
        lower, upper = _round_down(lower), _round_up(upper)
    cover = cb.result.cover
    cert = certificate_dict(
        data, lam, program.patterns, complete=False, network=(net.W1, net.w2),
        r=cb.r, rho=dual.rho, lower=lower, upper=upper,
        provenance={"tool": f"exactrelu {__version__}", "route": "cover",
                    "solver": "clarabel (column generation)", "gap": str(Fraction(gap)),
                    "scale_t": str(cb.t), "rounds": cr.rounds, "working_set": cr.patterns,
                    "tree_nodes": dict(cb.result.nodes), "seconds": dict(timings),
                    **_compacted(cb.result.stats.get("compact"))})
    prov = cert.pop("provenance")
    # format 1.1, or 1.6 when some leaf is quadratic (a 1.1 checker then ignores the key),
    # or 1.7 for a simplex cover
    if "N" not in cover:
        key = "simplex_cover"
        cert[key] = {"trees": cover["trees"]}
        size = simplex_size(cover, data.d)[0]
    else:
        key = "quadratic_cover" if uses_quadratic_leaves(cover) else "cover"
        cert[key] = {"N": cover["N"], "trees": cover["trees"]}
        size = cover_size(cover)
    cert["provenance"] = prov
    timings["emit"] = time.perf_counter() - t
    return CertifyResult(cert, lower, upper, lower == upper, True, len(program.patterns),
                         cr.active, time.perf_counter() - t0, timings, net, hint, program,
                         None, route="cover", tree_nodes=size)
