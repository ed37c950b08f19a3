"""Certify ReLU training with a free, unregularised output bias (format minor version 1.2).

The model is ``f(x) = sum_j (x . W1_j)_+ w2_j + c``.  For a fixed ``c`` the problem is the
ordinary one with targets ``y - c 1``; a dual vector ``r`` with ``sum_k r_k = 0`` gives
``r.(y - c 1) - ||r||^2/2 = r.y - ||r||^2/2`` for EVERY ``c``, hence a lower bound for the
problem with ``c`` free (and the free problem's optimal ``r`` has ``sum r = 0``: stationarity
in ``c``).  Pipeline of :func:`certify_output_bias`:

1. the patterns (as :func:`exactrelu.certificate.produce.certify`);
2. a float guess of the best ``c`` (:func:`exactrelu.approx.output_bias.best_output_bias`,
   untrusted) and the float solve at it;
3. the residual rounded to dyadics and projected exactly onto ``sum r = 0`` (subtract its
   mean), then the exact dual bound of :mod:`.dual_bound` (multipliers, and a dyadic scale
   ``t <= 1`` proved by squaring: ``t r`` keeps ``sum = 0``);
4. the upper bound: the given network with its own ``c``, or the rounded solve mapped to a
   rational network whose ``c`` is the best one for its weights
   (``mean(y - sum_j (X W1_j)_+ w2_j)``, rounded to a multiple of ``2^-2bits``: the
   objective grows by at most ``n 4^-2bits / 2``); its exact NC objective;
5. the certificate: ``problem.y = y - c 1`` (a v1 checker verifies the fixed-``c`` claim)
   and ``"output_bias": {"y", "c"}`` (check 8: ``problem.y == y - c 1``, ``sum r == 0``).

With ``exact`` (the default) the exact optimum is tried first (:func:`_exact_free`): when
the best ``c`` and the optimum are rational, ``lower == upper`` and the certificate lists
the exact blocks and the optimal set (of the program with output bias ``c``).  Otherwise
the bounds are within the float solve's accuracy.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from ..arrangement import MAX_REGIONS
from ..problem import ConvexProgram, Dataset, to_double
from .produce import (CertifyResult, _Bounds, _certificate, _checked_lam, _pattern_set,
                      _round_down, _round_up, _rounded_blocks, completeness_fields,
                      improvement_hint)

__all__ = ["certify_output_bias", "free_bias_bounds", "FreeBiasBounds", "shifted"]


def shifted(data: Dataset, c: Fraction) -> Dataset:
    """The data set with targets ``y - c 1`` (the problem with output bias fixed at c)."""
    return replace(data, y=tuple(v - c for v in data.y))


def _centred_dual(program: ConvexProgram, sol, bits: int):
    """Step 3: the exact dual bound from the float residual projected onto sum r = 0."""
    from .dual_bound import dyadic, exact_dual_bound

    r = [dyadic(v, bits) for v in sol.residual]
    mean = sum(r, Fraction(0)) / len(r)
    return exact_dual_bound(program, [v - mean for v in r], sol.rho, bits=bits)


def _solved_network(program: ConvexProgram, sol, c: Fraction, bits: int):
    """Step 4 without a given network: the rounded solve as a rational network, with the
    exact best output bias for its weights."""
    from ..conversions import convex_to_network
    from ..networks import Network

    data = program.data
    qb = _rounded_blocks(program, sol, bits)
    if qb:
        net = convex_to_network(qb, patterns=program.patterns, d=data.d).to_network_approx(bits)
    else:
        net = Network((), (), data.bias, data.d)
    f = net.outputs(data.X)
    best = c + sum((a - b for a, b in zip(data.y, f)), Fraction(0)) / data.n
    one = 1 << (2 * bits)        # a short c: NC grows by n (best - c)^2 / 2 <= n 4^-2bits
    return replace(net, output_bias=Fraction(round(best * one), one))


@dataclass
class FreeBiasBounds:
    """Steps 2-4 at one ``lam``: the float guess ``c_float`` and the solve ``sol`` at it,
    the exact dual bound ``dual`` (``sum r == 0``, ``lower = dual.lower``), the network
    ``net`` (with its ``output_bias``) and its exact objective ``upper``, and ``program``,
    the program with the output bias fixed at the network's ``c``."""

    c_float: float
    sol: Any
    dual: Any
    net: Any
    upper: Fraction
    program: ConvexProgram
    exact_opt: Any = None        # the exact optimum at the exact best c, when found


def _exact_free(data: Dataset, lam: Fraction, ps, sol, c_float: float, network, bits: int):
    """The exact optimum with a free output bias when it is rational: ``c`` is
    reconstructed from its float guess (a convergent with denominator <= 10^6 within
    1e-9), the program with output bias ``c`` is solved exactly
    (:func:`exactrelu.rational_optimum.exact_optimum`), and ``c`` was the optimal one iff
    the exact optimal residual has ``sum r == 0`` (stationarity in ``c``), checked
    exactly.  ``None`` otherwise."""
    from ..conversions import convex_to_network
    from ..rational_optimum import exact_optimum, reconstruct_rational
    from .dual_bound import DualBound

    c = reconstruct_rational(Fraction(c_float), Fraction(1, 10 ** 9), 10 ** 6)
    if c is None:
        return None
    program = ConvexProgram(shifted(data, c), lam, ps)
    eo = exact_optimum(program, sol)
    if eo is None or sum(eo.r) != 0:
        return None
    dual = DualBound(eo.r, eo.rho, eo.value, Fraction(1), Fraction(1))
    net = network
    if net is None:
        prod = convex_to_network(eo.blocks, patterns=ps, d=data.d, output_bias=c)
        net = prod.to_network() if prod.is_exact() else prod.to_network_approx(bits)
    else:
        program = ConvexProgram(shifted(data, net.output_bias), lam, ps)
    return FreeBiasBounds(c_float, sol, dual, net, net.nc_objective(data, lam), program, eo)


def free_bias_bounds(data: Dataset, lam: Fraction, ps, *, network=None, bits: int = 48,
                     tol: float = 1e-11, exact: bool = False) -> FreeBiasBounds:
    """Steps 2-4 of the module doc over the pattern set ``ps``; with ``exact``, first the
    exact optimum when it is rational (:func:`_exact_free`)."""
    from ..approx.output_bias import best_output_bias
    from .dual_bound import dyadic

    c_float, sol = best_output_bias(data.X_float(), data.y_float(), to_double(lam, "lam"),
                                    ps.as_array(), tol=tol)
    found = _exact_free(data, lam, ps, sol, c_float, network, bits) if exact else None
    if found is not None:
        return found
    guess = ConvexProgram(shifted(data, dyadic(c_float, bits)), lam, ps)
    dual = _centred_dual(guess, sol, bits)
    net = network if network is not None else _solved_network(
        guess, sol, dyadic(c_float, bits), bits)
    program = ConvexProgram(shifted(data, net.output_bias), lam, ps)
    return FreeBiasBounds(c_float, sol, dual, net, net.nc_objective(data, lam), program)


def certify_output_bias(data: Dataset, lam: Fraction, *, network=None,
                        sample: int | None = None, seed: int = 0,
                        progress: bool | None = None, bits: int = 48, tol: float = 1e-11,
                        max_regions: int | None = MAX_REGIONS, exact: bool = True,
                        vertex_limit: int = 10000) -> CertifyResult:
    """Bounds on the optimum of training with a free output bias (see the module doc).
    ``data`` holds the original targets; ``network`` (optional) carries its own
    :attr:`~exactrelu.networks.Network.output_bias`.  Other parameters as
    :func:`exactrelu.certificate.produce.certify`."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    lam = _checked_lam(lam, network, data)
    t = time.perf_counter()
    ps, complete = _pattern_set(data, network, sample, seed, progress, max_regions)
    timings["patterns"] = time.perf_counter() - t
    t = time.perf_counter()
    fb = free_bias_bounds(data, lam, ps, network=network, bits=bits, tol=tol, exact=exact)
    net, c = fb.net, fb.net.output_bias
    lower, upper = fb.dual.lower, fb.upper
    eo = fb.exact_opt if network is None else None
    blocks = None
    if eo is not None:      # the exact blocks attain lower; the network only if it does
        blocks = {b: (u, eo.norms[b]) for b, u in eo.blocks.items()}
        upper = eo.value
    hint = None
    if network is not None and upper > lower:
        hint = improvement_hint(ConvexProgram(data, lam, ps), net)
    timings["bounds"] = time.perf_counter() - t
    t = time.perf_counter()
    gp, gordan, bases = completeness_fields(data, ps, complete)
    timings["completeness"] = time.perf_counter() - t
    if lower != upper:
        lower, upper = _round_down(lower), _round_up(upper)
    plain = replace(net, output_bias=Fraction(0))   # the network of the fixed-c problem
    if blocks and fb.upper != upper:
        plain = None
    notes = [f"output bias: float guess {fb.c_float!r}"]
    optimal_set = None
    if eo is not None and lower == upper:
        from .produce import _optimal_set

        optimal_set = _optimal_set(fb.program, eo, vertex_limit, timings, notes)
    cert = _certificate(fb.program, complete, gp, (gordan, bases), plain, blocks,
                        _Bounds(fb.dual.r, fb.dual.rho, fb.dual.lower, None, None, None, eo),
                        lower, upper, optimal_set,
                        fb.sol, notes, timings)
    cert = _with_section(cert, data, c)
    return CertifyResult(cert, lower, upper, lower == upper, complete, len(ps),
                         len(net.nonzero_neurons()), time.perf_counter() - t0, timings, net,
                         hint, fb.program, eo)


def _with_section(cert: dict, data: Dataset, c: Fraction) -> dict:
    """Insert ``"output_bias": {"y": original targets, "c": c}`` before ``provenance``."""
    from .emit import _s, _v

    out = {k: v for k, v in cert.items() if k != "provenance"}
    out["output_bias"] = {"y": _v(data.y), "c": _s(c)}
    out["provenance"] = cert["provenance"]
    return out
