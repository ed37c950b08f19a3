"""``exactrelu path``: the certified regularization path (registered by :func:`register`
from ``exactrelu.cli.build_parser``).

``exactrelu path DATA --lams a,b,c | lo:hi:k [--width m] [--bias] [--header] [--json]
[--plot FILE] [--output-bias]``

Without ``--width``: :func:`exactrelu.paths.certified_path` -- for every ``lam`` proved
bounds ``lower <= p*(lam) <= upper`` on the global optimum of ReLU training (every
width), exact when the optimum is rational.  With ``--width m``: the exact optimum of
the ``m``-neuron network (:func:`exactrelu.paths.fixed_width_path`), and the jumps of the
optimal network.  ``--json`` prints one line per ``lam`` (``docs/spec/cli.md``).
Bad input: one error line naming the bad item, exit 2, nothing written.
"""
from __future__ import annotations

import argparse
import json
import os
from fractions import Fraction
from ..errors import InputError
from ..io.files import save_atomic
from ._common import approx, data_args, max_regions, region_budget_arg

__all__ = ["register", "run", "parse_lams", "json_line"]


def parse_lams(text: str) -> list[Fraction]:
    """``--lams``: ``a,b,c`` (each a positive rational: ``3/8``, ``0.5``, ``1e-2``) or
    ``lo:hi:k`` (``k`` values evenly spaced from ``lo`` to ``hi`` inclusive, exactly).
    :class:`~exactrelu.errors.InputError` names the bad item."""
    from ..io.data import solver_range
    from ..numbers import parse_rational
    from ..paths import lam_grid

    def positive(item: str, what: str) -> Fraction:
        try:
            v = parse_rational(item)
        except ValueError as e:
            raise InputError(f"--lams: {what} {item.strip()!r} is not a rational ({e})") from None
        if v <= 0:
            raise InputError(f"--lams: {what} {item.strip()!r} is not positive (every lam must "
                             f"be a positive rational)")
        why = solver_range(v, item, f"--lams: {what}", small=True, large=False)
        if why:     # a large lam is fine: above lam_max the zero network is optimal, exactly
            raise InputError(why)
        return v

    text = text.strip()
    if not text:
        raise InputError("--lams: empty list")
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise InputError(f"--lams: {text!r}: a range is lo:hi:k (three fields, got "
                             f"{len(parts)})")
        lo = positive(parts[0], "lo")
        hi = positive(parts[1], "hi")
        k = parts[2].strip()
        if not (k.isascii() and k.isdigit()) or int(k) < 1:
            raise InputError(f"--lams: k {k!r} must be a positive integer (number of values)")
        if len(k) > 6 or int(k) > 100000:
            raise InputError(f"--lams: k {k!r} is too large (at most 100000 values)")
        if int(k) == 1 and lo != hi:
            raise InputError(f"--lams: k = 1 needs lo == hi ({parts[0].strip()} != "
                             f"{parts[1].strip()})")
        return lam_grid(lo, hi, int(k))
    out = []
    for j, item in enumerate(text.split(","), start=1):
        if not item.strip():
            raise InputError(f"--lams: item {j} is empty")
        out.append(positive(item, f"item {j}"))
    return out


def json_line(lam: Fraction, lower: Fraction, upper: Fraction, neurons: int, blocks) -> dict:
    """The ``path --json`` line of one ``lam`` (CLI spec): its bounds, its number of
    neurons and their :class:`~exactrelu.paths.PathBlock` s."""
    from ..numbers import q_str

    return {"lam": q_str(lam), "lower": q_str(lower), "upper": q_str(upper),
            "neurons": neurons,
            "blocks": [{"pattern": b.pattern, "sign": int(b.sign), "u": [q_str(a) for a in b.u]}
                       for b in blocks]}


def _check_output(path: str, data: str) -> None:
    from ..io.files import check_output

    check_output(path, (data,))
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".png", ".pdf", ".svg", ".jpg", ".jpeg"):
        raise InputError(f"--plot: unsupported image type {ext or '(none)'!r} "
                         "(use .png, .pdf, .svg or .jpg)", file=path)


def _num(x: Fraction, exact: bool) -> str:
    from ..numbers import q_str

    s = q_str(x)
    if exact and len(s) <= 22:
        return s
    return approx(x, ".12g")


def _neuron_text(b) -> str:
    """``(pattern, sign) u=...`` plus the weights when ``sqrt(||u||)`` is rational."""
    from ..conversions import convex_to_network
    from ..numbers import q_str

    u = "(" + ", ".join(q_str(a) for a in b.u) + ")"
    prod = convex_to_network({(b.pattern, b.sign): b.u}, d=len(b.u))
    txt = f"[{b.pattern}, {'+' if b.sign > 0 else '-'}] u={u}"
    if prod.is_exact():
        net = prod.to_network()
        W1 = ", ".join(q_str(a) for a in net.W1[0])
        txt += f" (W1=({W1}), w2={q_str(net.w2[0])})"
    return txt


def run(args: argparse.Namespace) -> int:
    from ..io.data import read_csv

    lams = parse_lams(args.lams)
    if args.output_bias and (args.width is not None or args.plot):
        raise InputError("--output-bias: the certified path only (without --width and --plot)")
    if args.width is not None and args.width < 1:
        raise InputError(f"--width must be a positive integer, got {args.width}")
    if args.plot:
        _check_output(args.plot, args.data)
    data = read_csv(args.data, header=args.header, bias=args.bias, for_solver=True)
    if args.output_bias:
        return _free_bias(args, data, lams)
    if args.width is None:
        return _convex(args, data, lams)
    return _fixed(args, data, lams)


def _regions(args, data, progress: bool | None = None):
    """Every region of the data, within the region budget (``--max-regions``)."""
    from ..arrangement import enumerate_patterns

    return enumerate_patterns(data.X, progress=progress if not args.json else False,
                              max_regions=max_regions(args))


def _convex(args, data, lams) -> int:
    from ..paths import certified_path, path_violations, plot_certified_path

    ps = _regions(args, data)
    path = certified_path(data, lams, patterns=ps, progress=None if not args.json else False)
    if args.json:
        for p in path:
            print(json.dumps(json_line(p.lam, p.lower, p.upper, int(p.neurons), p.blocks)))
    else:
        lm = path.lam_max if path.lam_max is not None else f"sqrt({path.lam_max_sq})"
        print(f"{data.source}: n={data.n}, d={data.d}"
              f"{' (incl. bias column)' if data.bias else ''}; {len(path.patterns)} patterns "
              f"(all regions, completeness proved once); lam_max = {lm} "
              f"(~{float(path.lam_max_sq) ** 0.5:.6g})")
        print("bounds on the global optimum of ReLU training (every width), per lam:")
        print(f"{'lam':>14}  {'lower':>22}  {'upper':>22}  {'gap':>9}  {'neurons':>7}  "
              f"{'exact':>5}  {'unique':>6}")
        for p in path:
            uq = "-" if p.unique is None else ("yes" if p.unique else "no")
            print(f"{_num(p.lam, True):>14}  {_num(p.lower, p.exact):>22}  "
                  f"{_num(p.upper, p.exact):>22}  {approx(p.gap, '9.2e')}  {p.neurons:>7}  "
                  f"{'yes' if p.exact else 'no':>5}  {uq:>6}")
        bad = path_violations(path)
        print(f"monotonicity/concavity checks (L6) over {len(path)} points: "
              + ("all hold" if not bad else f"{len(bad)} VIOLATED: " + "; ".join(bad)))
        print(f"{path.seconds:.2f} s (patterns {path.timings.get('patterns', 0):.2f} s, "
              f"completeness {path.timings.get('completeness', 0):.2f} s, points "
              f"{path.timings.get('points', 0):.2f} s)")
    if args.plot:
        save_atomic(args.plot, lambda f: plot_certified_path(path, f), inputs=(args.data,))
        if not args.json:
            print(f"plot: {args.plot}")
    return 0


def _free_bias(args, data, lams) -> int:
    """``--output-bias``: bounds per lam with a free output bias (minor version 1.2)."""
    from ..numbers import q_str
    from ..paths.output_bias import output_bias_path

    ps = _regions(args, data)
    path = output_bias_path(data, lams, patterns=ps)
    if not args.json:
        print(f"{data.source}: n={data.n}, d={data.d}; {len(ps)} patterns (all regions); "
              "bounds on the global optimum with a free output bias c, per lam:")
        print(f"{'lam':>14}  {'lower':>22}  {'upper':>22}  {'gap':>9}  {'neurons':>7}  c")
    for p in path:
        if args.json:
            line = json_line(p.lam, p.lower, p.upper, p.neurons, p.blocks)
            print(json.dumps({**line, "output_bias": q_str(p.output_bias)}))
        else:
            print(f"{_num(p.lam, True):>14}  {_num(p.lower, False):>22}  "
                  f"{_num(p.upper, False):>22}  {approx(p.gap, '9.2e')}  {p.neurons:>7}  "
                  f"{approx(p.output_bias, '.12g')}")
    return 0


def _fixed(args, data, lams) -> int:
    from ..numbers import q_str
    from ..paths import fixed_width_path, one_dimensional_path, plot_fixed_width_path

    m = args.width
    try:
        fw = fixed_width_path(data, lams, m, patterns=_regions(args, data, progress=False))
    except Exception as e:
        from ..errors import ExactReluError

        if isinstance(e, ExactReluError) and "limit" in str(e):
            raise InputError(f"--width {m}: {e}") from None
        raise
    ps = fw.patterns
    if args.json:
        for p in fw.points:
            bl = p.blocks(ps)
            print(json.dumps(json_line(p.lam, p.lower, p.upper, len(bl), bl)))
    else:
        print(f"{data.source}: n={data.n}, d={data.d}; exact optimum of the width-{m} network "
              f"(minimum over block sets of size <= {m} of the restricted convex program)")
        print(f"{'lam':>12}  {'lower':>20}  {'upper':>20}  {'neurons':>7}  {'exact':>5}  "
              f"{'convex (any width)':>20}  optimal network(s)")
        for p in fw.points:
            cv = ("-" if p.convex_upper is None
                  else _num(p.convex_upper, p.convex_lower == p.convex_upper))
            nets = " | ".join("; ".join(_neuron_text(b) for b in p.blocks(ps, k)) or "zero network"
                              for k in range(len(p.winners)))
            print(f"{_num(p.lam, True):>12}  {_num(p.lower, p.exact):>20}  "
                  f"{_num(p.upper, p.exact):>20}  {len(p.blocks(ps)):>7}  "
                  f"{'yes' if p.exact else 'no':>5}  {cv:>20}  {nets}")
        if not fw.jumps:
            print(f"no jump of the optimal width-{m} network on this grid (continuous path)")
        for j in fw.jumps:
            where = (f"lam = {j.at}" if j.at is not None else
                     f"lam in [{_num(j.bracket[0], True)}, {_num(j.bracket[1], True)}]")
            if j.at is not None and j.at.rational is None:
                lo, hi = j.at.bounds(64)
                where += f" (~{float(j.at):.12g}, in [{lo}, {hi}])"
            status = "exact, verified" if j.verified else (
                "exact location" if j.at is not None else "not located exactly")
            if not j.verified:
                status += (f"; {j.kind} proved" if j.kind_proved else
                           f"; '{j.kind}' judged from floats")
            val = f", value {q_str(j.value_at)}" if j.value_at is not None else ""
            before = "; ".join(_neuron_text(b) for b in j.before) or "zero network"
            after = "; ".join(_neuron_text(b) for b in j.after) or "zero network"
            print(f"JUMP at {where} ({status}{val}): {before}  ->  {after}")
            if j.note:
                print(f"      {j.note}")
        print(f"{fw.seconds:.2f} s")
    if args.plot:
        convex = None
        if data.d == 1 and not data.bias:
            op = one_dimensional_path(data, ps)
            convex = lambda l: float(op.value(Fraction(l)))  # noqa: E731
        save_atomic(args.plot, lambda f: plot_fixed_width_path(fw, f, convex=convex),
                    inputs=(args.data,))
        if not args.json:
            print(f"plot: {args.plot}")
    return 0


def register(sub) -> None:
    """Add the ``path`` sub-command to the sub-parsers ``sub`` of ``exactrelu``."""
    sp = sub.add_parser(
        "path", help="certified lambda-path; with --width, exact optimum of the m-neuron network",
        description="Certified regularization path: for every lam of the grid, proved bounds "
                    "on the global optimum of ReLU training (one pattern enumeration and one "
                    "completeness proof for the whole path, warm-started solves), exact when "
                    "the optimum is rational.  With --width m: the exact optimum of the "
                    "m-neuron network and the jumps of the optimal network (tiny instances).")
    data_args(sp)
    region_budget_arg(sp)
    sp.add_argument("--lams", required=True, metavar="LIST",
                    help="the lam grid: a,b,c (positive rationals, e.g. 1/2,1,3/2) or lo:hi:k "
                         "(k values evenly spaced from lo to hi inclusive, exactly)")
    sp.add_argument("--width", type=int, metavar="m",
                    help="exact optimum of the network with at most m neurons (minimum over "
                         "block sets of size m; tiny instances), and its jumps")
    sp.add_argument("--json", action="store_true",
                    help='one JSON line per lam: {"lam", "lower", "upper", "neurons", "blocks"}')
    sp.add_argument("--output-bias", action="store_true",
                    help="a free, unregularised output bias c (certified path only); --json "
                         "lines add \"output_bias\"")
    sp.add_argument("--plot", metavar="FILE",
                    help="draw block norms / neuron weights and the objective versus lam")
    sp.set_defaults(func=run)
