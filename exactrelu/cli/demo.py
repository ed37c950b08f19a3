"""``exactrelu demo``: the whole pipeline on bundled examples, in seconds."""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

__all__ = ["register", "run", "run_demo"]

DATA = Path(__file__).resolve().parents[1] / "data"


def _say(msg: str = "") -> None:
    print(msg, flush=True)


def _standalone_checker() -> Path | None:
    p = Path(__file__).resolve().parents[2] / "proofs_checks" / "check_cert.py"
    return p if p.is_file() else None


def run_demo(out_dir: str | None = None) -> int:
    """Print the demo; write its files to ``out_dir`` (default: a temporary folder).
    Exit code 0 when every certificate checked, else 1."""
    t_all = time.perf_counter()
    out = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="exactrelu-demo-"))
    out.mkdir(parents=True, exist_ok=True)
    _say("exactrelu demo: exact, verified training of two-layer ReLU networks")
    _say("  objective  NC = 1/2 ||sum_j (X W1_j)_+ w2_j - y||^2 + lam/2 sum_j (||W1_j||^2 + w2_j^2)")
    _say("")
    _exact_example()
    cert_path = _regression_example(out)
    ok = _check(cert_path)

    # -- part 4: a non-unique optimum and its optimal set ------------------------------
    ok = _tied_example(out) and ok
    _say("")
    _say(f"demo finished in {time.perf_counter() - t_all:.1f} s; files in {out}")
    return 0 if ok else 1


def _exact_example() -> None:
    """Part 1: an exact optimum, and a jump of the width-1 path."""
    from ..certificate.produce import certify
    from ..io.data import read_csv
    from ..numbers import q_str
    from ..arrangement import enumerate_patterns

    _say("1. A tiny 1-D data set (x = (1, -4), y = (3, 3/2), no bias), lam = 2")
    d1 = read_csv(DATA / "exact1d.csv")
    ps = enumerate_patterns(d1.X)
    _say(f"   activation patterns (regions of {{g : x_k g = 0}}): {', '.join(ps.bits)}")
    res = certify(d1, Fraction(2), progress=False)
    if res.exact:
        _say(f"   global optimum over every width, proved exactly: {q_str(res.lower)} "
             f"(by hand: the two branches give 37/8)")
    else:  # pragma: no cover - the exact path is expected here
        _say(f"   bounds: [{q_str(res.lower)}, {q_str(res.upper)}]")
    _say(f"   optimal network ({len(res.network.w2)} neurons): "
         + "; ".join(f"W1={[q_str(a) for a in w]}, w2={q_str(b)}"
                     for w, b in zip(res.network.W1, res.network.w2)))
    osec = res.certificate.get("optimal_set")
    if osec is not None:
        nv = len(osec["vertices"])
        _say(f"   optimal set (in the certificate): {len(osec['blocks'])} equicorrelated blocks, "
             f"{nv} vertex{'es' if nv != 1 else ''} = minimal optimal network"
             f"{'s' if nv != 1 else ''}; the optimum is {'unique' if nv == 1 else 'not unique'}")
    from ..paths import fixed_width_path

    fp = fixed_width_path(d1, [Fraction(1), Fraction(3, 2), Fraction(2), Fraction(5, 2),
                               Fraction(3)], 1)
    for j in fp.jumps:
        where = q_str(j.at.rational) if j.at is not None and j.at.rational is not None \
            else f"in [{q_str(j.bracket[0])}, {q_str(j.bracket[1])}]"
        _say(f"   with ONE neuron the optimal network jumps at lam = {where} (value "
             f"{q_str(j.value_at) if j.value_at is not None else '?'}): the width-1 path is "
             f"discontinuous, the width-2 path is not (exactrelu path --width 1)")
    _say("")


def _regression_example(out: Path) -> Path:
    """Part 2: bounds on a regression problem with bias; returns the certificate file."""
    from ..certificate.emit import dumps
    from ..certificate.produce import certify
    from ..io.data import read_csv
    from ..numbers import q_str
    from ..arrangement import enumerate_patterns, region_count_general_position

    data = read_csv(DATA / "demo.csv", bias=True)
    lam = Fraction(1, 10)
    _say(f"2. {data.n} points of a 1-D regression with a bias column (d = {data.d}), lam = 1/10")
    t = time.perf_counter()
    ps = enumerate_patterns(data.X)
    gp = region_count_general_position(data.n, data.d)
    _say(f"   {len(ps)} activation patterns, each with an exact witness "
         f"({time.perf_counter() - t:.3f} s; general-position count {gp})")
    res = certify(data, lam, progress=False)
    cert_path = out / "demo-certificate.json"
    cert_path.write_text(dumps(res.certificate))
    gap = res.upper - res.lower
    _say(f"   convex program: {2 * res.patterns} blocks; numeric solve {res.timings['solve']:.3f} s; "
         f"{res.active_neurons} active neurons")
    _say(f"   lower bound {float(res.lower):.15g}   (exact rational, weak duality)")
    _say(f"   upper bound {float(res.upper):.15g}   (exact NC objective of a rational network)")
    if res.exact:
        _say(f"   the optimum is rational and proved: {q_str(res.lower)}")
    else:
        _say(f"   gap {float(gap):.2e}: no ReLU network of any width does better than the "
             f"lower bound, and the network found is within the gap of it")
    _say(f"   certificate: {cert_path} ({cert_path.stat().st_size // 1024} KiB)")
    return cert_path


def _check(cert_path: Path) -> bool:
    """Part 3: the independent check of the certificate (standalone checker if present)."""
    chk = _standalone_checker()
    if chk is not None:
        t = time.perf_counter()
        p = subprocess.run([sys.executable, str(chk), str(cert_path)], capture_output=True,
                           text=True)
        line = (p.stdout.strip() or p.stderr.strip()).splitlines()[0] if (p.stdout or p.stderr) else ""
        _say(f"3. standalone checker (standard library only, {chk.relative_to(chk.parents[1])}), "
             f"{time.perf_counter() - t:.2f} s:")
        _say(f"   {line}")
        ok = p.returncode == 0
    else:
        from ..certificate.check import check_file

        r = check_file(str(cert_path))
        _say(f"3. exactrelu check: {r.message}")
        ok = r.code == 0
    _say("")
    return ok


def _tied_example(out: Path) -> bool:
    """A planted instance whose optimum is not unique: certify it (exact), then describe
    its optimal set with the same code as ``exactrelu optimal-set`` and sample it."""
    from ..certificate.emit import dumps
    from ..certificate.produce import certify
    from ..numbers import q_str
    from ..optimal_sets import mix_vertices
    from ..planted import planted_instance

    p = planted_instance(10, 3, 3, seed=1, unique=False)
    _say(f"4. A planted instance with tied blocks (n = {p.data.n}, d = {p.data.d}), "
         f"lam = {q_str(p.lam)}")
    res = certify(p.data, p.lam, progress=False)
    path = out / "tied-certificate.json"
    path.write_text(dumps(res.certificate))
    if not res.exact:                                   # pragma: no cover - expected exact
        _say(f"   bounds [{float(res.lower):.12g}, {float(res.upper):.12g}] (not exact)")
        return True
    _say(f"   optimum proved exactly: p* = {q_str(res.lower)} (certificate: {path.name})")
    from ..optimal_sets.describe import describe_optimal_set
    from ..results import Certificate

    os_ = describe_optimal_set(Certificate.load(path), max_vertices=1000)
    ctx = os_._internal[0]
    sizes = sorted(len(v) for v in os_.vertices)
    wit = " + ".join(f"({x})*fit[{k}]" for k, x in sorted((os_.witness or {}).items()))
    _say(f"   optimal set: {len(os_.equicorrelated)} equicorrelated blocks, "
         f"{len(os_.vertices)} vertices = minimal optimal networks (neurons {sizes}); "
         + ("unique" if os_.unique else f"NOT unique: {wit} = 0"))
    S = mix_vertices(ctx.vertices, 1000, seed=0)
    inside = all(ctx.polytope.contains(S.exact(i)) for i in range(len(S)))
    _say(f"   1000 exact samples of the optimal set (convex combinations of the vertices): "
         f"{'all' if inside else 'NOT all'} optimal, each with the same fit and value p* "
         f"(exactrelu optimal-set CERT --samples)")
    return inside


def run(args: argparse.Namespace) -> int:
    return run_demo(out_dir=args.out)


def register(sub) -> None:
    """Add the ``demo`` sub-command to the sub-parsers ``sub`` of ``exactrelu``."""
    sp = sub.add_parser("demo", help="the whole pipeline on a bundled example, in seconds",
                        description="Run the pipeline on a small bundled data set and explain "
                                    "each step.")
    sp.add_argument("--out", metavar="DIR", default=None,
                    help="folder for the files the demo writes (default: a temporary folder)")
    sp.set_defaults(func=run)
