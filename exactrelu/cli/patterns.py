"""``exactrelu patterns DATA [--bias] [--json]``: every activation pattern (region) of the
data with an exact integer witness, or the patterns of ``--sample N`` random gates."""
from __future__ import annotations

import argparse
import json

from ._common import data_args, load_data, max_regions, positive_sample, region_budget_arg

__all__ = ["register", "run"]


def run(args: argparse.Namespace) -> int:
    from ..arrangement import enumerate_patterns, region_count_general_position, sample_patterns

    positive_sample(args)
    data = load_data(args)
    if args.sample is not None:
        ps = sample_patterns(data.X, args.sample, seed=args.seed,
                             progress=None if not args.json else False)
    else:
        ps = enumerate_patterns(data.X, progress=None if not args.json else False,
                                max_regions=max_regions(args))
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


def register(sub) -> None:
    """Add the ``patterns`` sub-command to the sub-parsers ``sub`` of ``exactrelu``."""
    sp = sub.add_parser("patterns", help="all activation patterns (regions), exact",
                        description="Enumerate every activation pattern D = diag(1[X g > 0]) "
                                    "of the data (every region of the arrangement "
                                    "{g : x_k.g = 0}), each with an exact integer witness g.")
    data_args(sp)
    region_budget_arg(sp)
    sp.add_argument("--json", action="store_true",
                    help='print {"n", "d", "count", "patterns"} as one JSON object')
    sp.add_argument("--witnesses", action="store_true", help="with --json, add the witnesses")
    sp.add_argument("--all", action="store_true", help="list every pattern (text output)")
    sp.add_argument("--sample", type=int, metavar="N",
                    help="instead of enumerating, take the patterns of N random integer gates "
                         "(N <= 100,000)")
    sp.add_argument("--seed", type=int, default=0, help="seed for --sample (default 0)")
    sp.set_defaults(func=run)
