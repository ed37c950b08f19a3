"""Certify gated ReLU training (C-GReLU): gates -> float solve -> exact bounds -> certificate.

Pipeline of :func:`certify_gated` (the program is in :mod:`exactrelu.gated`):

1. the gates: given, the gates of a given :class:`~exactrelu.gated.GatedNetwork`,
   ``sample`` random integer gates, or (default) one witness of every activation region
   with a completeness proof;
2. the numeric solve of the unconstrained group lasso (:mod:`exactrelu.approx.gated`),
   untrusted;
3. exact lower bound: the float residual rounded to a dyadic ``r``, every correlation
   ``X^T D_i r`` computed exactly, and ``r`` scaled by a dyadic ``t <= 1`` with
   ``t^2 max_i ||X^T D_i r||^2 <= lam^2`` (checked by squaring, no square root); then
   ``L = r . y - ||r||^2 / 2`` bounds the gated optimum from below (weak duality);
4. exact upper bound: the rounded blocks with rational norm bounds ``nu_i^2 >= ||v_i||^2``,
   and the gated network they map to (``W1 = v / a``, ``w2 = a``, ``a ~ sqrt(||v||)``
   dyadic), whose NC objective is computed exactly -- or the given network's;
5. the certificate: format v1 with the minor addition 1.3 (``docs/spec/certificate-v1.md``,
   "Minor version 1.3: gated ReLU").  Its v1 part carries the same ``r`` with no cone
   multipliers and the empty ReLU network, so a checker that ignores the ``gated``
   section still verifies a true statement about the ReLU program over these patterns.
"""
from __future__ import annotations

import time
from fractions import Fraction
from typing import Any, Sequence

from .._version import __version__
from ..arrangement import MAX_REGIONS, PatternSet, enumerate_patterns, sample_patterns
from ..errors import ExactReluError
from ..gated import GatedNetwork, GatedProgram
from ..numbers import dot, q_str, sqnorm
from ..problem import Dataset, to_double
from .produce import CertifyResult, _checked_lam, _round_down, _round_up

__all__ = ["certify_gated", "gated_section"]


def _resolve_gates(data: Dataset, gates, network, sample, seed, progress, max_regions
                   ) -> tuple[tuple, PatternSet | None]:
    """The gates of the program, and the complete region list when the gates are one
    witness per region (no gates, network or sample given)."""
    if network is not None:
        return tuple(network.G) + tuple(gates or ()), None
    if gates is not None:
        return tuple(gates), None
    if sample is not None:
        return sample_patterns(data.X, sample, seed=seed).witnesses, None
    ps = enumerate_patterns(data.X, progress=progress, max_regions=max_regions)
    return ps.witnesses, ps


def _exact_dual(program: GatedProgram, residual, bits: int):
    """Step 3: a rational ``r`` with ``||X^T D_i r||^2 <= lam^2`` for every gate pattern."""
    from .dual_bound import dyadic, exact_correlation_norms, feasibility_scale

    r = tuple(dyadic(v, bits) for v in residual)
    C, den = exact_correlation_norms(program.convex, r)  # X^T D_i r = C_i / den
    lam2 = program.lam * program.lam * den * den
    worst = max((Fraction(sum(v * v for v in ci)) / lam2 for ci in C), default=Fraction(0))
    t = feasibility_scale(worst, bits)
    return tuple(t * a for a in r)


def _rounded_blocks(program: GatedProgram, sol, bits: int):
    """The float blocks rounded to dyadics, with and without those the solver calls
    numerically zero (a guess): ``(blocks, U_blk, norm_upper)`` of the candidate with the
    smaller exact bound."""
    from .dual_bound import dyadic

    out = {i: tuple(dyadic(x, bits) for x in sol.V[i]) for i in range(len(program.patterns))}
    full = {i: v for i, v in out.items() if any(v)}
    best = None
    for cand in (full, {i: v for i, v in full.items() if i in sol.active}):
        U, nus = program.upper_blocks(cand, 2 * bits)
        if best is None or U < best[1]:
            best = (cand, U, nus)
    return best


def _network_of(program: GatedProgram, blocks: dict, bits: int) -> GatedNetwork:
    """Neuron ``i`` = ``(gate of pattern i, v_i / a_i, a_i)`` with a dyadic
    ``a_i ~ sqrt(||v_i||)``: the outputs are exactly those of the blocks."""
    from ..conversions import ProductNetwork

    d = program.data.d
    order = sorted(blocks)
    prod = ProductNetwork(tuple((None, 1, blocks[i]) for i in order), d,
                          program.data.bias).to_network_approx(bits)
    G = tuple(program.gates[program.gate_of[i]] for i in order)
    return GatedNetwork(G, prod.W1, prod.w2, program.data.bias, d)


def _witnesses(program: GatedProgram) -> tuple | None:
    """The gate of each pattern, when it is strict on every nonzero row (a v1 witness)."""
    out = []
    for j in program.gate_of:
        g = program.gates[j]
        if any(any(x) and dot(x, g) == 0 for x in program.data.X):
            return None
        out.append(g)
    return tuple(out)


def certify_gated(data: Dataset, lam: Fraction, *, gates: Sequence | None = None,
                  network: GatedNetwork | None = None, sample: int | None = None,
                  seed: int = 0, bits: int = 48, tol: float = 1e-11, exact: bool = True,
                  progress: bool | None = None,
                  max_regions: int | None = MAX_REGIONS) -> CertifyResult:
    """Exact bounds on the optimum of gated ReLU training over the given gates (see the
    module doc); ``network``: certify a given gated network (its gates join ``gates``)."""
    from ..approx.gated import refine_residual, solve_gated

    t0 = time.perf_counter()
    lam = _checked_lam(lam, network, data)
    gates, regions = _resolve_gates(data, gates, network, sample, seed, progress,
                                    max_regions)
    program = GatedProgram(data, lam, tuple(tuple(Fraction(a) for a in g) for g in gates))
    ps = PatternSet(data.n, data.d, program.patterns, ())
    t = time.perf_counter()
    sol = solve_gated(data.X_float(), data.y_float(), to_double(lam, "lam"), ps.as_array(),
                      tol=tol)
    timings = {"solve": time.perf_counter() - t}
    refined = refine_residual(data.X_float(), data.y_float(), to_double(lam, "lam"),
                              ps.as_array(), sol)          # a guess, like the solve
    opt = _exact_optimum(program, refined, sol.residual) if exact else None
    if opt is not None:                   # lower == upper == p*_G, the blocks attain it
        r, lower, listed, os_ = opt
        upper_blk, blocks = lower, {i: v for i, (v, _) in listed.items()}
    else:
        r, os_ = _exact_dual(program, refined, bits), None
        lower = program.convex.dual_objective(r)
        blocks, upper_blk, nus = _rounded_blocks(program, sol, bits)
        listed = {i: (v, nus[i]) for i, v in blocks.items()}
    net = network if network is not None else _network_of(program, blocks, bits)
    upper_net = net.nc_objective(data, lam)
    # listed: a given network only; else the blocks and the network, which an exact
    # optimum (upper = p*_G <= upper_net) lists only when it attains p*_G
    if network is not None:
        listed, upper = None, upper_net
    else:
        upper = upper_blk if opt is not None else max(upper_net, upper_blk)
    show_net = upper_net <= upper
    if lower != upper:
        lower, upper = _round_down(lower), _round_up(upper)
    section = gated_section(program, net if show_net else None, listed, lower, upper)
    cert = _v1_part(program, regions, r, lower, section, sol, timings)
    timings["total"] = time.perf_counter() - t0
    return CertifyResult(cert, lower, upper, lower == upper, regions is not None,
                         len(program.patterns), sum(1 for a in net.w2 if a),
                         time.perf_counter() - t0, timings, net, None, program, os_)


# Rational reconstruction of a float residual (a guess): (relative tolerance, largest
# denominator).  eps * max_den^2 << 1, so a float near an irrational value seldom gives a
# candidate (each candidate costs an exact optimality check); Newton's residual is
# accurate to ~1e-14, the interior-point one to ~1e-6 (measured on the gated tests).
_REFINED_GUESS = (Fraction(1, 10 ** 12), 10 ** 5)
_SOLVER_GUESS = (Fraction(1, 10 ** 5), 100)


def _exact_optimum(program: GatedProgram, refined, residual):
    """The exact optimum when the optimal residual is rational: a rational reconstruction
    of the refined float residual, then of the solver's (guesses), accepted only when
    :func:`exactrelu.optimal_sets.cgl.cgl_optimal_set` proves it optimal exactly.
    ``(r, p*_G, {pattern i: (v_i, ||v_i||)}, optimal set)`` at a point of the optimal
    polytope (``||v_i|| = alpha_i lam`` is rational), or None."""
    from ..optimal_sets.cgl import cgl_optimal_set
    from ..optimal_sets.gated import gated_cgl
    from ..rational_optimum import reconstruct_rational

    index = {p: i for i, p in enumerate(program.patterns)}
    tries = ([(refined, _REFINED_GUESS)] if refined is not residual else []) + \
        [(residual, _SOLVER_GUESS)]                  # nothing refined: one try
    cgl = None
    for res, (eps, max_den) in tries:
        xs = [Fraction(float(x)) for x in res]
        r = tuple(reconstruct_rational(x, eps * max(1, abs(x)), max_den) for x in xs)
        if any(q is None for q in r):
            continue
        cgl = cgl or gated_cgl(program)
        try:
            os_ = cgl_optimal_set(cgl, r, enumerate_vertices=False)
        except ExactReluError:
            continue
        alpha = dict(zip(os_.blocks, os_.polytope.point))
        blocks = {index[b]: (tuple(a * x for x in os_.v[b]), a * program.lam)
                  for b, a in alpha.items() if a}
        return r, os_.value, blocks, os_
    return None


def _v1_part(program: GatedProgram, regions, r, lower, section, sol, timings) -> dict:
    """The v1 certificate around the gated section: the gate patterns, the same ``r``
    with no cone multipliers, the empty ReLU network, ``claim.upper = ||y||^2 / 2``."""
    from .emit import certificate_dict
    from .produce import completeness_fields

    data = program.data
    gp, gordan, bases = completeness_fields(data, regions, regions is not None)
    wit = _witnesses(program)
    ps = PatternSet(data.n, data.d, program.patterns, wit or ())
    cert = certificate_dict(
        data, program.lam, ps, complete=regions is not None, general_position=gp,
        gordan=gordan, gordan_bases=bases, network=((), ()), r=r, rho={}, lower=lower,
        upper=sqnorm(data.y) / 2,
        provenance={"tool": f"exactrelu {__version__}", "model": "gated ReLU",
                    "solver": "clarabel (group lasso)", "solver_status": sol.status,
                    "solver_notes": sol.notes, "float_objective": float(sol.objective),
                    "source": data.source, "seconds": dict(timings)})
    if wit is None:
        del cert["patterns"]["witnesses"]
    prov = cert.pop("provenance")
    cert["gated"] = section
    cert["provenance"] = prov
    return cert


def gated_section(program: GatedProgram, net: GatedNetwork | None, blocks: dict | None,
                  lower: Fraction, upper: Fraction) -> dict[str, Any]:
    """The ``gated`` section (minor version 1.3): the gates, the network (each neuron
    names its gate by index), the blocks ``{pattern i: (v, norm_upper)}`` (each names
    the first gate of its pattern) and the gated claim."""
    from .emit import _v

    index = {g: j for j, g in reversed(list(enumerate(program.gates)))}
    out: dict[str, Any] = {"gates": [_v(g) for g in program.gates]}
    if net is not None:
        G = [tuple(Fraction(a) for a in g) for g in net.G]
        missing = [j for j, g in enumerate(G) if g not in index]
        if missing:
            raise ExactReluError(f"internal: the gate of neuron {missing[0]} is not a gate")
        out["network"] = {"gate": [index[g] for g in G], "W1": [_v(w) for w in net.W1],
                          "w2": _v(net.w2)}
    if blocks:
        out["blocks"] = [{"gate": program.gate_of[i], "v": _v(v), "norm_upper": q_str(nu)}
                         for i, (v, nu) in sorted(blocks.items())]
    out["claim"] = {"lower": q_str(lower), "upper": q_str(upper)}
    return out
