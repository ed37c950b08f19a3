"""The ``exactrelu`` command line (stable surface: ``shared/spec/cli.md``).

Every user mistake ends as one line ``exactrelu: error: ...`` on stderr and exit
code 2; output files are written atomically (nothing half-written).
"""
from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from typing import Sequence

from . import __version__
from .io.files import write_atomic
from .errors import ExactReluError, InputError

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own usage errors: exit 2, no traceback
        self.print_usage(sys.stderr)
        print(f"exactrelu: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _load_data(args: argparse.Namespace):
    from .io.data import read_csv

    return read_csv(args.data, header=getattr(args, "header", False), bias=args.bias)


# ----------------------------------------------------------------------- patterns

def cmd_patterns(args: argparse.Namespace) -> int:
    from .arrangement import (enumerate_patterns, region_count_general_position,
                           sample_patterns)

    data = _load_data(args)
    if args.sample is not None:
        if args.sample < 1:
            raise InputError("--sample must be a positive integer")
        ps = sample_patterns(data.X, args.sample, seed=args.seed)
    else:
        ps = enumerate_patterns(data.X, progress=None if not args.json else False)
    if args.json:
        out = {"n": data.n, "d": data.d, "count": len(ps), "patterns": list(ps.bits)}
        if args.witnesses:
            out["witnesses"] = [[str(a) for a in g] for g in ps.witnesses]
        if args.sample is not None:
            out["complete"] = False
        print(json.dumps(out))
        return 0
    kind = "sampled (not complete)" if args.sample is not None else "all regions, exact"
    print(f"{data.source}: n={data.n}, d={data.d}{' (incl. bias column)' if data.bias else ''}")
    print(f"{len(ps)} activation patterns, {kind}, in {ps.seconds:.2f} s")
    if args.sample is None:
        gp = region_count_general_position(data.n, data.d)
        note = "equal" if gp == len(ps) else "data not in general position"
        print(f"general-position count 2*sum_(k<d) C(n-1,k) = {gp} ({note})")
    show = len(ps) if args.all else min(len(ps), 20)
    width = max(7, data.n)
    print(f"{'pattern':<{width}}  witness g (x_k.g > 0 iff bit k is 1)")
    for b, g in zip(ps.bits[:show], ps.witnesses[:show]):
        print(f"{b:<{width}}  ({', '.join(str(a) for a in g)})")
    if show < len(ps):
        print(f"... {len(ps) - show} more (--all to list them, --json for machine output)")
    return 0


# ------------------------------------------------------------------------ certify

def _load_network(path: str, data):
    from .io.networks import read_network

    net = read_network(path)
    if getattr(net, "bias_column", False) and not data.bias:
        raise InputError("the network has a first-layer bias: run with --bias", file=path)
    if net.d is not None and net.d != data.d:
        raise InputError(f"the network has {net.d} inputs but the data has {data.d} columns"
                         f"{' (with the bias column)' if data.bias else ''}", file=path)
    return net


def cmd_certify(args: argparse.Namespace) -> int:
    from .certificate.emit import dumps
    from .certificate.produce import certify
    from .io.data import parse_lam
    from .numbers import q_str

    lam = parse_lam(args.lam)
    data = _load_data(args)
    net = _load_network(args.network, data) if args.network else None
    if args.sample is not None and args.sample < 1:
        raise InputError("--sample must be a positive integer")
    if args.output is None:
        raise InputError("-o CERT is required (where to write the certificate)")
    res = certify(data, lam, network=net, sample=args.sample, seed=args.seed,
                  exact=not args.no_exact, progress=None if not args.json else False)
    write_atomic(args.output, dumps(res.certificate))
    if args.json:
        print(json.dumps(res.summary()))
        return 0
    gap = res.upper - res.lower
    scope = ("global optimum of ReLU training (every width)" if res.complete
             else f"optimum of the convex program over {res.patterns} sampled patterns")
    print(f"patterns: {res.patterns} ({'complete' if res.complete else 'sampled'})")
    print(f"lower bound: {q_str(res.lower)}  (~{float(res.lower):.12g})")
    print(f"upper bound: {q_str(res.upper)}  (~{float(res.upper):.12g})")
    if res.exact:
        print(f"EXACT: the {scope} is {q_str(res.lower)}")
    else:
        rel = float(gap) / max(1.0, abs(float(res.upper)))
        print(f"gap: {float(gap):.3e} (relative {rel:.2e}); the {scope} lies in [lower, upper]")
    if net is not None:
        print("the given network's NC objective is the upper bound"
              + (" -- it is globally optimal" if res.exact or gap == 0 else ""))
        if res.hint:
            h = res.hint
            print(f"not optimal: block (pattern {h['pattern']}, sign {h['sign']}) violates its "
                  f"dual constraint (||v||^2/lam^2 = {float(Fraction(h['violation_sq'])):.6g}); "
                  f"adding the neuron along v with step {h['step']} lowers the objective by "
                  f"{h['decrease']} (~{h['decrease_float']:.6g}), exactly")
    for note in res.certificate.get("provenance", {}).get("solver_notes", []):
        print(f"note (numeric solver): {note}")
    print(f"active neurons: {res.active_neurons}; {res.seconds:.2f} s; certificate: {args.output}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .certificate.check import check_file

    res = check_file(args.cert)
    print(res.message)
    return res.code


# --------------------------------------------------------------------------- demo

def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(out_dir=args.out)


# --------------------------------------------------------------------------- main

def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="exactrelu",
                description="Exact, verified computation on two-layer ReLU networks "
                            "(squared loss, weight decay) through their convex reformulation.")
    p.add_argument("--version", action="version", version=f"exactrelu {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def data_args(sp: argparse.ArgumentParser, *, lam: bool = False) -> None:
        sp.add_argument("data", metavar="DATA",
                        help="CSV file: one sample per line, features then target; values are "
                             "integers, decimals or p/q fractions, read exactly")
        sp.add_argument("--bias", action="store_true", help="append a column of ones to X")
        sp.add_argument("--header", action="store_true", help="skip the first line of DATA")
        if lam:
            sp.add_argument("--lam", required=True, metavar="Q",
                            help="weight decay: a positive rational (3/8, 0.01, 1e-3)")

    sp = sub.add_parser("patterns", help="all activation patterns (regions), exact",
                        description="Enumerate every activation pattern D = diag(1[X g > 0]) "
                                    "of the data (every region of the arrangement "
                                    "{g : x_k.g = 0}), each with an exact integer witness g.")
    data_args(sp)
    sp.add_argument("--json", action="store_true",
                    help='print {"n", "d", "count", "patterns"} as one JSON object')
    sp.add_argument("--witnesses", action="store_true", help="with --json, add the witnesses")
    sp.add_argument("--all", action="store_true", help="list every pattern (text output)")
    sp.add_argument("--sample", type=int, metavar="N",
                    help="instead of enumerating, take the patterns of N random integer gates")
    sp.add_argument("--seed", type=int, default=0, help="seed for --sample (default 0)")
    sp.set_defaults(func=cmd_patterns)

    sp = sub.add_parser("certify", help="solve, then write an exact certificate (format v1)",
                        description="Enumerate every activation pattern (or sample them), solve "
                                    "the convex program numerically, and turn the result into "
                                    "exact bounds on the global optimum of ReLU training, "
                                    "written as a certificate that proofs_checks/check_cert.py "
                                    "verifies with the standard library only.")
    data_args(sp, lam=True)
    sp.add_argument("--network", metavar="NET",
                    help="certify this network (JSON, .npz or PyTorch state_dict): its exact "
                         "NC objective is the upper bound")
    sp.add_argument("--sample", type=int, metavar="N",
                    help="use the patterns of N random gates instead of all regions "
                         "(the certificate is then not complete)")
    sp.add_argument("--seed", type=int, default=0, help="seed for --sample (default 0)")
    sp.add_argument("-o", "--output", metavar="CERT", help="certificate file to write")
    sp.add_argument("--json", action="store_true", help="print one JSON line (cli.md)")
    sp.add_argument("--no-exact", action="store_true",
                    help="skip the search for an exact (rational) optimum")
    sp.set_defaults(func=cmd_certify)

    sp = sub.add_parser("check", help="check a certificate (same verdicts as proofs_checks)",
                        description="Check a certificate exactly. Exit 0 VERIFIED, 1 REJECTED, "
                                    "2 MALFORMED, 3 UNDECIDED (over the size budget).")
    sp.add_argument("cert", metavar="CERT")
    sp.set_defaults(func=cmd_check)

    from .cli_prune import register as _register_prune
    _register_prune(sub, data_args)
    from .cli_path import register as _register_path
    _register_path(sub, data_args)

    from .cli_optimal_set import register as _register_optimal_set
    _register_optimal_set(sub)

    sp = sub.add_parser("demo", help="the whole pipeline on a bundled example, in seconds",
                        description="Run the pipeline on a small bundled data set and explain "
                                    "each step.")
    sp.add_argument("--out", metavar="DIR", default=None,
                    help="folder for the files the demo writes (default: a temporary folder)")
    sp.set_defaults(func=cmd_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ExactReluError as e:
        print(f"exactrelu: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("exactrelu: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
