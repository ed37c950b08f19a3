"""``exactrelu certify --model gated``: gated ReLU (C-GReLU) certificates, minor version
1.3 of the format (``docs/spec/certificate-v1.md``).

Gates: ``--gates FILE`` (CSV, one gate per line, :mod:`exactrelu.io.gates`), or
``--sample N`` random integer gates (``--seed``), or by default one gate per activation
region (every pattern of the data, with a completeness proof).  ``--json`` prints the
same one-line object as ``certify`` (:func:`exactrelu.cli.certify.json_summary`) with
``"model": "gated"`` and ``"gates"`` added.
"""
from __future__ import annotations

import argparse
import json

from ..errors import InputError
from ..io.files import check_output, write_atomic
from ._common import approx, max_regions

__all__ = ["add_arguments", "run_gated", "run_gated_optimal_set"]


def add_arguments(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--model", choices=("relu", "gated"), default="relu",
                    help="relu (default), or gated: gated ReLU with fixed gates (--gates "
                         "FILE, --sample N random gates, or one gate per region)")
    sp.add_argument("--gates", metavar="FILE",
                    help="with --model gated: CSV, one gate per line, one value per column "
                         "of X (with --bias the last value is the gate's bias)")


def run_gated(args: argparse.Namespace, data, lam) -> int:
    from ..certificate.emit import dumps
    from ..certificate.gated import certify_gated
    from ..io.gates import read_gates
    from .certify import _self_check, json_summary

    if args.network:
        raise InputError("--network is not supported with --model gated (yet): give the "
                         "gates with --gates, or use the Python API (GatedNetwork)")
    if args.gates and args.sample is not None:
        raise InputError("--gates and --sample exclude each other")
    if args.output is None:
        raise InputError("-o CERT is required (where to write the certificate)")
    gates = read_gates(args.gates, data.d, bias=data.bias) if args.gates else None
    inputs = tuple(p for p in (args.data, args.gates) if p)
    check_output(args.output, inputs)
    res = certify_gated(data, lam, gates=gates, sample=args.sample, seed=args.seed,
                        exact=not args.no_exact, max_regions=max_regions(args),
                        progress=None if not args.json else False)
    text = dumps(res.certificate)
    refused = _self_check(text)        # as for ReLU: UNDECIDED -> exit 3, nothing written
    if refused is not None:
        return refused
    write_atomic(args.output, text, inputs=inputs)
    n_gates = len(res.program.gates)
    if args.json:
        print(json.dumps({**json_summary(res), "model": "gated", "gates": n_gates}))
        return 0
    from ..numbers import q_str

    scope = (f"optimum of gated ReLU training over {n_gates} gates "
             f"({res.patterns} distinct patterns)")
    print(f"model: gated ReLU; gates: {n_gates}; patterns: {res.patterns}"
          + (" (one gate per region, complete)" if res.complete else ""))
    print(f"lower bound: {q_str(res.lower)}  (~{approx(res.lower, '.12g')})")
    print(f"upper bound: {q_str(res.upper)}  (~{approx(res.upper, '.12g')})")
    gap = res.upper - res.lower
    if res.exact:
        print(f"EXACT: the {scope} is {q_str(res.lower)}")
    else:
        print(f"gap: {approx(gap, '.3e')} (relative {approx(gap / max(1, abs(res.upper)), '.2e')}"
              f"); the {scope} lies in [lower, upper]")
    print(f"active neurons: {res.active_neurons}; {res.seconds:.2f} s; certificate: "
          f"{args.output}")
    return 0


def run_gated_optimal_set(cert, args: argparse.Namespace) -> int:
    """``exactrelu optimal-set CERT`` for a gated certificate: the polytope of all optima
    of C-GReLU (docs/theory.md §1.5), from the exact optimal residual; an inexact
    certificate is exit 2 (its optimal set is not known exactly)."""
    from ..api import optimal_set

    if getattr(args, "samples", None):
        raise InputError("--samples is not supported for gated certificates (yet)")
    os_ = optimal_set(cert, max_vertices=args.max_vertices)
    rep = {"model": "gated", "exact": True, **os_.summary(),
           "support": list(os_.support),
           "vertices": None if os_.vertices is None else
           [{"neurons": len(a), "alpha": {b: str(x) for b, x in a.items()}}
            for a in os_.vertices]}
    if args.json:
        print(json.dumps(rep))
        return 0
    print(f"gated ReLU: exact optimum p*_G = {rep['value']} (re-proved at dual.r)")
    print(f"equicorrelated gate patterns: {rep['blocks']}; support: {rep['support']}")
    print(f"unique: {'yes' if rep['unique'] else 'no'}; vertices (minimal gated networks): "
          f"{len(rep['vertices'] or [])}; min_neurons: {rep['min_neurons']}")
    return 0
