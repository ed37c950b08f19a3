"""The ``exactrelu`` command line (stable surface: ``shared/spec/cli.md``).

Every user mistake ends as one line ``exactrelu: error: ...`` on stderr and exit
code 2; output files are written atomically (nothing half-written).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from typing import Callable, Sequence

from . import __version__
from .errors import ExactReluError, InputError

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own usage errors: exit 2, no traceback
        self.print_usage(sys.stderr)
        print(f"exactrelu: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder + rename."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(folder):
        raise InputError("output folder does not exist", file=path)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".exactrelu-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _load_data(args: argparse.Namespace):
    from .io.data import read_csv

    return read_csv(args.data, header=getattr(args, "header", False), bias=args.bias)


# ----------------------------------------------------------------------- patterns

def cmd_patterns(args: argparse.Namespace) -> int:
    from .patterns import (enumerate_patterns, region_count_general_position,
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

    def data_args(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("data", metavar="DATA",
                        help="CSV file: one sample per line, features then target; values are "
                             "integers, decimals or p/q fractions, read exactly")
        sp.add_argument("--bias", action="store_true", help="append a column of ones to X")
        sp.add_argument("--header", action="store_true", help="skip the first line of DATA")

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
