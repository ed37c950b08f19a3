"""``exactrelu certify DATA --lam Q [--network NET] [--sample N] -o CERT [--json]``:
exact bounds on the global optimum, written as a certificate (format v1).

``--json`` prints the one line of the CLI spec: ``{"lower", "upper", "exact",
"complete", "patterns", "active_neurons", "seconds"}`` (:func:`json_summary`).
"""
from __future__ import annotations

import argparse
import json
from fractions import Fraction

from ..errors import InputError
from ..io.files import check_output, write_atomic
from ._common import (approx, data_args, load_data, load_network, max_regions,
                      positive_sample, region_budget_arg)

__all__ = ["register", "run", "json_summary"]


def json_summary(res) -> dict:
    """The ``certify --json`` object of a :class:`~exactrelu.certificate.produce.CertifyResult`."""
    from ..numbers import q_str

    out = {"lower": q_str(res.lower), "upper": q_str(res.upper), "exact": res.exact,
           "complete": res.complete, "patterns": res.patterns,
           "active_neurons": res.active_neurons, "seconds": round(res.seconds, 3)}
    if res.hint:                          # addition: why a given network is not optimal
        out["diagnosis"] = res.hint
    return out


def run(args: argparse.Namespace) -> int:
    from ..certificate.emit import dumps
    from ..certificate.produce import certify
    from ..io.data import parse_lam

    positive_sample(args)
    lam = parse_lam(args.lam, for_solver=True)
    data = load_data(args, for_solver=True)
    net = load_network(args.network, data, for_solver=True) if args.network else None
    positive_sample(args)
    if args.output is None:
        raise InputError("-o CERT is required (where to write the certificate)")
    inputs = (args.data, args.network)
    check_output(args.output, inputs)       # before any work; again when writing
    res = certify(data, lam, network=net, sample=args.sample, seed=args.seed,
                  max_regions=max_regions(args),
                  exact=not args.no_exact, progress=None if not args.json else False)
    text = dumps(res.certificate)
    refused = _self_check(text)
    if refused is not None:
        return refused
    write_atomic(args.output, text, inputs=inputs)
    if args.json:
        print(json.dumps(json_summary(res)))
        return 0
    _print_text(res, net, args.output)
    return 0


def _self_check(text: str) -> int | None:
    """Check the certificate with the library checker at its default budget before it is
    written (the standalone checker gives the same verdicts).  UNDECIDED: one line saying
    so and what to try, exit 3, nothing written; any other failure is a bug (exit 1)."""
    from . import EXIT_UNDECIDED, _fail
    from ..certificate.check import check_bytes

    res = check_bytes(text.encode("utf-8"))
    if res.verdict == "UNDECIDED":
        return _fail(f"error: the certificate ({len(text) / 1e6:.1f} MB) is too large for the "
                     f"checkers' default budget ({res.message}); nothing written. Try fewer "
                     "data rows, --sample N (bounds over sampled patterns only), or the "
                     "cover route when available", EXIT_UNDECIDED, False)
    if res.verdict != "VERIFIED":
        raise RuntimeError(f"the certificate fails its own check: {res.message}")
    return None


def _print_text(res, net, output: str) -> None:
    from ..numbers import q_str

    gap = res.upper - res.lower
    scope = ("global optimum of ReLU training (every width)" if res.complete
             else f"optimum of the convex program over {res.patterns} sampled patterns")
    print(f"patterns: {res.patterns} ({'complete' if res.complete else 'sampled'})")
    print(f"lower bound: {q_str(res.lower)}  (~{approx(res.lower, '.12g')})")
    print(f"upper bound: {q_str(res.upper)}  (~{approx(res.upper, '.12g')})")
    if res.exact:
        print(f"EXACT: the {scope} is {q_str(res.lower)}")
    else:
        rel = gap / max(1, abs(res.upper))
        print(f"gap: {approx(gap, '.3e')} (relative {approx(rel, '.2e')}); the {scope} lies in "
              "[lower, upper]")
    if net is not None:
        print("the given network's NC objective is the upper bound"
              + (" -- it is globally optimal" if res.exact or gap == 0 else ""))
        if res.hint:
            _print_hint(res.hint)
    for note in res.certificate.get("provenance", {}).get("solver_notes", []):
        print(f"note (numeric solver): {note}")
    print(f"active neurons: {res.active_neurons}; {res.seconds:.2f} s; certificate: {output}")


def _print_hint(h: dict) -> None:
    """Why the given network is not optimal, largest cause first."""
    for cause in h["causes"]:
        if cause == "imbalance":
            d = h["imbalance"]
            print(f"not optimal: its neurons are not balanced (||W1_j|| != |w2_j|); "
                  f"rescaling them (same function) lowers the objective by {d['decrease']} "
                  f"(exactly; >= {d['decrease_lower_bound']})")
        else:
            print(f"not optimal: block (pattern {h['pattern']}, sign {h['sign']}) violates its "
                  f"dual constraint (||v||^2/lam^2 = {approx(Fraction(h['violation_sq']), '.6g')}); "
                  f"adding the neuron along v with step {h['step']} lowers the objective by "
                  f"{h['decrease']} (exactly; >= {h['decrease_lower_bound']})")


def register(sub) -> None:
    """Add the ``certify`` sub-command to the sub-parsers ``sub`` of ``exactrelu``."""
    sp = sub.add_parser("certify", help="solve, then write an exact certificate (format v1)",
                        description="Enumerate every activation pattern (or sample them), solve "
                                    "the convex program numerically, and turn the result into "
                                    "exact bounds on the global optimum of ReLU training, "
                                    "written as a certificate that proofs_checks/check_cert.py "
                                    "verifies with the standard library only.")
    data_args(sp, lam=True)
    region_budget_arg(sp)
    sp.add_argument("--network", metavar="NET",
                    help="certify this network (JSON, .npz or PyTorch state_dict): its exact "
                         "NC objective is the upper bound")
    sp.add_argument("--sample", type=int, metavar="N",
                    help="use the patterns of N random gates instead of all regions "
                         "(the certificate is then not complete; N <= 100,000)")
    sp.add_argument("--seed", type=int, default=0, help="seed for --sample (default 0)")
    sp.add_argument("-o", "--output", metavar="CERT", help="certificate file to write")
    sp.add_argument("--json", action="store_true", help="print one JSON line (docs/spec/cli.md)")
    sp.add_argument("--no-exact", action="store_true",
                    help="skip the search for an exact (rational) optimum")
    sp.set_defaults(func=run)
