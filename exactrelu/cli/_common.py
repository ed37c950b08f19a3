"""What several ``exactrelu`` commands share: the DATA/--bias/--header/--lam arguments
and loading the data and a network file (bad input: :class:`InputError`, exit 2)."""
from __future__ import annotations

import argparse
from decimal import Decimal
from fractions import Fraction

from ..errors import InputError

__all__ = ["data_args", "load_data", "load_network", "positive_sample", "approx",
           "MAX_SAMPLE"]


def data_args(sp: argparse.ArgumentParser, *, lam: bool = False) -> None:
    """Add ``DATA``, ``--bias``, ``--header`` (and ``--lam Q`` when ``lam``) to ``sp``."""
    sp.add_argument("data", metavar="DATA",
                    help="CSV file: one sample per line, features then target; values are "
                         "integers, decimals or p/q fractions, read exactly")
    sp.add_argument("--bias", action="store_true", help="append a column of ones to X")
    sp.add_argument("--header", action="store_true", help="skip the first line of DATA")
    if lam:
        sp.add_argument("--lam", required=True, metavar="Q",
                        help="weight decay: a positive rational (3/8, 0.01, 1e-3)")


def load_data(args: argparse.Namespace, *, for_solver: bool = False):
    """The :class:`~exactrelu.problem.Dataset` of ``args.data`` (exact CSV reader); with
    ``for_solver`` every value must be within the numeric solver's range
    (:func:`exactrelu.io.data.solver_range`)."""
    from ..io.data import read_csv

    return read_csv(args.data, header=getattr(args, "header", False), bias=args.bias,
                    for_solver=for_solver)


def load_network(path: str, data, *, for_solver: bool = False, output_bias: bool = False):
    """The network in ``path``, checked against ``data`` (bias column, input count); with
    ``for_solver`` every weight within the range of the numeric solver and of the float
    parts of the improvement hint (:func:`exactrelu.io.data.solver_range`).  A nonzero
    output bias needs ``output_bias`` (the command's ``--output-bias``)."""
    from ..io.data import solver_range
    from ..io.networks import read_network
    net = read_network(path)
    if net.output_bias and not output_bias:
        c = approx(net.output_bias, ".6g")
        raise InputError(f"the network has a nonzero output bias ({c}): run with "
                         "--output-bias", file=path)
    if for_solver:
        named = [(f"W1[{j}][{i}]", a) for j, r in enumerate(net.W1) for i, a in enumerate(r)]
        named += [("output_bias", net.output_bias)]
        for where, a in named + [(f"w2[{j}]", a) for j, a in enumerate(net.w2)]:
            why = solver_range(a, approx(a, ".6g"), f"weight {where} =")
            if why:
                raise InputError(why, file=path)
    if getattr(net, "bias_column", False) and not data.bias:
        raise InputError("the network has a first-layer bias: run with --bias", file=path)
    if net.d is not None and net.d != data.d:
        raise InputError(f"the network has {net.d} inputs but the data has {data.d} columns"
                         f"{' (with the bias column)' if data.bias else ''}", file=path)
    return net


#: Upper bound of ``--sample N`` (random gates).  Sampling costs about 1 s per 1,000
#: gates at n = 200 (measured), so 10^5 is minutes and 10^6 would be hours.
MAX_SAMPLE = 10 ** 5


def positive_sample(args: argparse.Namespace) -> None:
    """``--sample N`` must be an integer in ``1..MAX_SAMPLE`` when given."""
    if args.sample is not None and args.sample < 1:
        raise InputError("--sample must be a positive integer")
    if args.sample is not None and args.sample > MAX_SAMPLE:
        raise InputError(f"--sample {args.sample if args.sample < 10**30 else 'N'} is too "
                         f"large (at most {MAX_SAMPLE:,} random gates)")


def approx(x: Fraction, spec: str) -> str:
    """``x`` formatted as a float with ``spec`` (``".12g"``, ``"9.2e"``), for display only;
    beyond the double range (where ``float(x)`` overflows) from a 28-digit decimal."""
    try:
        return format(float(x), spec)
    except OverflowError:
        x = Fraction(x)
        return format((Decimal(x.numerator) / Decimal(x.denominator)).normalize(), spec)


def region_budget_arg(sp: argparse.ArgumentParser) -> None:
    """Add ``--max-regions N``: the region budget of the enumeration (0: no limit)."""
    from ..arrangement import MAX_REGIONS

    sp.add_argument("--max-regions", type=int, default=MAX_REGIONS, metavar="N",
                    help=f"refuse to enumerate when the data can have more than N regions "
                         f"(general-position count; default {MAX_REGIONS:,}; 0: no limit)")


def max_regions(args: argparse.Namespace) -> int | None:
    """``--max-regions`` as the library's ``max_regions`` (``None``: no limit)."""
    n = getattr(args, "max_regions", None)
    if n is None:
        return None
    if n < 0:
        raise InputError("--max-regions must be a non-negative integer (0: no limit)")
    return n or None
