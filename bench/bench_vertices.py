"""Every vertex of the optimal set with mirrors: slab_vertices against the pivot search
and lrs, same run.

For standardised diabetes (3 features + bias, lambda = 1/10; n = 20 and 40, the
instances of issue 15) the certificate's VERIFIED enclosure gives the reduced polytope
``Q`` (``docs/OPTIMAL_SETS.md``, "Vertices with mirrors").  Rows:

* ``pivot`` -- :func:`exactrelu.optimal_sets.mirror_vertices.mirror_vertices`, the
  per-basis pivot search (capped at ``MAX_BASES``), the baseline;
* ``slab`` -- :mod:`exactrelu.optimal_sets.slab_vertices`: float search, exact proof on
  the box, closure check (seconds of each);
* ``lrs`` -- lrslib's reverse search (``lrs``, exact GMP arithmetic) on ``Q``'s centre
  rounded to 2^-30: an independent count, not a proof on the box (skipped when ``lrs``
  is not installed: ``apt-get install lrslib``).

    python bench/bench_vertices.py [--quick]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import exactrelu as er  # noqa: E402
from bench_enclosure import _diabetes  # noqa: E402
from exactrelu.certificate.check.enclosure import enclosure_facts  # noqa: E402
from exactrelu.optimal_sets import mirror_vertices as mvm  # noqa: E402
from exactrelu.optimal_sets import slab_vertices as svm  # noqa: E402
from exactrelu.optimal_sets._slab_float_guess import guess_vertices  # noqa: E402


def _reduced(n: int):
    X, y, lam, bias = _diabetes(n)
    doc = er.certify(X, y, lam, bias=bias, route="regions").document()
    f = enclosure_facts(doc)
    v, alpha, pairs, signs = mvm.centres(f, doc)
    return v, alpha, f["delta"], pairs, signs, mvm.mirror_groups(f)


def _lrs(sf: svm.SlabForm) -> tuple[str, float]:
    """lrs's vertex count of ``P`` at the centre rounded to 2^-30, and its seconds."""
    if shutil.which("lrs") is None:
        return "lrs not installed", 0.0
    h, G = svm.constraints(sf)
    r = lambda x: Fraction(round(x * 2 ** 30), 2 ** 30)       # noqa: E731
    lines = ["H-representation", "begin", f"{len(h)} {sf.m + 1} rational"]
    lines += [" ".join(str(r(x)) for x in [hi] + list(gi)) for hi, gi in zip(h, G)]
    with tempfile.TemporaryDirectory() as tmp:
        ine = Path(tmp) / "q.ine"
        ine.write_text("\n".join(lines + ["end", ""]))
        t = time.perf_counter()
        out = subprocess.run(f"lrs {ine} | grep -v '^ 1'", shell=True, capture_output=True,
                             text=True).stdout
        sec = time.perf_counter() - t
    tot = [ln for ln in out.splitlines() if "Totals" in ln]
    return (tot[0].split("vertices=")[1].split()[0] if tot else "no total"), sec


def row(n: int) -> list[dict]:
    v, alpha, delta, pairs, signs, groups = _reduced(n)
    out = []
    t = time.perf_counter()
    mv = mvm.mirror_vertices(v, alpha, delta, pairs, signs, groups)
    out.append(dict(n=n, method=f"pivot (cap {mvm.MAX_BASES})", vertices=len(mv.bases),
                    complete=mv.proved, seconds=f"{time.perf_counter() - t:.1f}",
                    note=mv.reason or "all proved"))
    C, E = mvm._columns(v, delta, pairs, signs, groups)
    sf = svm.slab_form(C, E, alpha, delta, pairs, groups)
    h, G = svm.constraints(sf)
    t = time.perf_counter()
    masks, nbrs, why = guess_vertices([float(x) for x in h], [[float(x) for x in g] for g in G],
                                      (1 << sf.m) - 1)
    t1 = time.perf_counter()
    import numpy as np

    proved = np.zeros(len(masks), dtype=bool)
    bad = svm._prove_all(sf, masks, None, proved)
    t2 = time.perf_counter()
    bad = bad or svm._closed(masks, nbrs, sf.m, sf.L)
    t3 = time.perf_counter()
    out.append(dict(n=n, method=f"slab (m = {sf.m}, {len(pairs)} slabs)",
                    vertices=int(proved.sum()), complete=not (why or bad),
                    seconds=f"{t3 - t:.1f} (search {t1 - t:.1f}, proof {t2 - t1:.1f}, "
                            f"closure {t3 - t2:.1f})", note=why or bad or "all proved"))
    count, sec = _lrs(sf)
    out.append(dict(n=n, method="lrs, centre rounded to 2^-30", vertices=count,
                    complete="-", seconds=f"{sec:.1f}", note="an independent count, no proof"))
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="n = 20 only")
    args = ap.parse_args(argv)
    rows = [r for n in ([20] if args.quick else [20, 40]) for r in row(n)]
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(str(r[k]) for k in keys) + " |")


if __name__ == "__main__":
    main()
