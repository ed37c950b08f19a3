"""``exactrelu prune``: the pruning command (registered by :func:`register` from
``exactrelu.cli.build_parser``).

Without ``--target-neurons``: Algorithm 1, exactly (:func:`exactrelu.pruning.prune_network`):
a network with linearly independent neuron outputs, the same predictions on DATA and a
balanced objective that is not larger.  With ``--target-neurons k``: the least-squares
heuristic (:func:`exactrelu.pruning.prune_ls`, ``--rule``) down to at most ``k`` neurons,
reporting the exact objective increase.  Bad input: one error line, exit 2, nothing
written.
"""
from __future__ import annotations

import argparse
import json
import os
from ..errors import InputError
from ._common import data_args, load_network

__all__ = ["register", "run", "json_summary"]


def json_summary(res) -> dict:
    """The ``prune --json`` object (CLI spec) of a :class:`~exactrelu.pruning.PruneResult`;
    for a :class:`~exactrelu.pruning.PruneLSResult` (``--target-neurons``) with the rule
    and the exact objective increase added."""
    out = {"neurons_before": res.neurons_before, "neurons_after": res.neurons_after,
           "balanced_objective_before": res.objective_before_str,
           "balanced_objective_after": res.objective_after_str,
           "objective_not_larger": res.objective_not_larger,
           "predictions_equal": res.predictions_equal}
    if getattr(res, "nc_objective_before", None) is not None:
        from ..pruning import decimal_string

        out.update({"objective_before": decimal_string(res.nc_objective_before),
                    "objective_after": decimal_string(res.nc_objective_after),
                    "nc_objective_not_larger": res.nc_objective_not_larger,
                    "balanced": res.balanced_network.is_balanced()})
    if hasattr(res, "increase_sign"):
        out.update({"rule": res.rule, "corrected": res.corrected,
                    "objective_increase": res.increase_str,
                    "objective_increase_sign": res.increase_sign})
    return out


def run(args: argparse.Namespace) -> int:
    from ..io.files import check_output, write_atomic
    from ..io.data import parse_lam, read_csv
    from ..io.networks import network_json
    from ..pruning import RULES, prune_ls, prune_network

    # -- validate everything before any work (nothing is written on bad input)
    if args.output is None:
        raise InputError("-o OUT is required (where to write the pruned network)")
    ext = os.path.splitext(args.output)[1].lower()
    if ext in (".npz", ".pt", ".pth"):
        raise InputError(f"networks are written as JSON, not {ext}", file=args.output)
    inputs = (args.data, args.network)
    check_output(args.output, inputs)       # before any work; again when writing
    if args.target_neurons is None and args.rule is not None:
        raise InputError("--rule needs --target-neurons (without it the exact Algorithm 1 "
                         "is used)")
    if args.target_neurons is not None and args.target_neurons < 0:
        raise InputError("--target-neurons must be a non-negative integer")
    rule = args.rule or "optimal_ls"
    if rule not in RULES:   # argparse choices already enforce this
        raise InputError(f"unknown --rule {rule!r}")
    lam = parse_lam(args.lam)
    data = read_csv(args.data, header=args.header, bias=args.bias)
    if args.output_bias and args.target_neurons is not None:
        raise InputError("--output-bias works with Algorithm 1 (without --target-neurons)")
    net = load_network(args.network, data, output_bias=args.output_bias)

    if args.target_neurons is None:
        res = prune_network(net, data, lam=lam)
        # the network handed out: rebalanced, its exact NC objective not larger
        write_atomic(args.output, network_json(res.balanced_network), inputs=inputs)
        summary = json_summary(res)
        if args.json:
            print(json.dumps(summary))
            return 0
        print(f"Algorithm 1 (exact): {res.neurons_before} -> {res.neurons_after} neurons in "
              f"{res.steps} steps ({res.seconds:.2f} s); removed: "
              f"{list(res.removed) if len(res.removed) <= 20 else str(len(res.removed)) + ' neurons'}")
        print(f"predictions on the data identical: {res.predictions_equal} (exact)")
        print("balanced objective 1/2||f-y||^2 + lam sum ||W1_j|| |w2_j|:")
        print(f"  before {res.objective_before_str}")
        print(f"  after  {res.objective_after_str}")
        verdict = {0: "exactly equal", -1: "strictly smaller"}.get(res.change_sign, "LARGER")
        print(f"objective not larger: {res.objective_not_larger} ({verdict}, decided exactly)")
        from ..pruning import decimal_string

        print("NC objective 1/2||f-y||^2 + lam/2 sum (||W1_j||^2 + w2_j^2), written network "
              "rebalanced:")
        print(f"  before {decimal_string(res.nc_objective_before)}")
        print(f"  after  {decimal_string(res.nc_objective_after)}  (not larger: "
              f"{res.nc_objective_not_larger}, decided exactly)")
        print(f"pruned network: {args.output}")
        return 0

    mode = "LS-corrected" if not args.no_correction else "uncorrected (zeroing)"
    try:
        res_ls = prune_ls(net, data, lam=lam, target_neurons=args.target_neurons, rule=rule,
                          corrected=not args.no_correction, seed=args.seed)
    except ValueError as e:
        raise InputError(str(e)) from None
    write_atomic(args.output, network_json(res_ls.network), inputs=inputs)
    if args.json:
        out = json_summary(res_ls)
        out["target_neurons"] = args.target_neurons
        print(json.dumps(out))
        return 0
    kinds = [s.kind for s in res_ls.path]
    print(f"rule {rule} ({mode}): {res_ls.neurons_before} -> {res_ls.neurons_after} neurons "
          f"({kinds.count('exact')} exact steps, {kinds.count('ls')} LS steps, "
          f"{kinds.count('zero')} zeroed; {res_ls.seconds:.2f} s)")
    print(f"balanced objective before {res_ls.objective_before_str}")
    print(f"balanced objective after  {res_ls.objective_after_str}")
    sign = {1: "> 0", 0: "= 0", -1: "< 0"}[res_ls.increase_sign]
    print(f"objective increase {res_ls.increase_str} ({sign}, sign decided exactly)")
    print(f"predictions on the data identical: {res_ls.predictions_equal}")
    print(f"pruned network: {args.output}")
    return 0


def register(sub) -> None:
    """Add the ``prune`` sub-command to the sub-parser collection ``sub``."""
    from ..pruning import RULES

    sp = sub.add_parser(
        "prune", help="minimal network: same predictions, balanced objective not larger",
        description="Prune a network exactly with Algorithm 1 of Mishkin & Pilanci (2023): "
                    "remove neurons while their outputs on DATA are linearly dependent, "
                    "rescaling the others so that the predictions on DATA are identical "
                    "and the balanced objective 1/2||f-y||^2 + lam sum ||W1_j|| |w2_j| does "
                    "not increase (unchanged for an optimal network). With --target-neurons, "
                    "prune further with the least-squares heuristic and report the exact "
                    "objective increase.")
    data_args(sp, lam=True)
    sp.add_argument("--network", required=True, metavar="NET",
                    help="network to prune (JSON, .npz or PyTorch state_dict)")
    sp.add_argument("--output-bias", action="store_true",
                    help="the network has an output bias c (2.bias, output_bias): it is kept "
                         "as it is and written to OUT")
    sp.add_argument("-o", "--output", metavar="OUT", help="pruned network (JSON) to write")
    sp.add_argument("--json", action="store_true", help="print one JSON object (docs/spec/cli.md)")
    sp.add_argument("--target-neurons", type=int, metavar="K",
                    help="prune past minimal, down to at most K neurons (heuristic)")
    sp.add_argument("--rule", choices=RULES, default=None,
                    help="with --target-neurons: how to pick the neuron to remove "
                         "(default optimal_ls: exact steps while possible, then smallest "
                         "least-squares residual with the LS correction)")
    sp.add_argument("--no-correction", action="store_true",
                    help="with --target-neurons: zero the neuron, no LS correction "
                         "(baseline)")
    sp.add_argument("--seed", type=int, default=0, help="seed for --rule random")
    sp.set_defaults(func=run)
