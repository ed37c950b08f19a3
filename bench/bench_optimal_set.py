"""Benchmark: exact vertex enumeration of optimal polytopes {alpha >= 0 : M alpha = b}.

Ours: :meth:`exactrelu.optimal_sets.Polytope.vertices` with ``method="cdd"`` (pycddlib
3.0.2 ``cdd.gmp``, double description, equalities reduced to independent rows and passed
as ``lin_set``).  Second opinions (named, same process, each result compared EXACTLY with
ours): ``ppl`` (pplpy 0.8.10 ``C_Polyhedron``, if installed) and ``bases`` (basis
enumeration with python-flint: every subset of ``rank`` columns, only where
``C(L, rank) <= 20000``).  Every vertex is re-verified exactly by ``vertices`` itself
(``alpha >= 0``, exact fit, independent support columns).

Instances (seeded):
* ``random``: as in the stack measurements (notes section 3): first row of ``M``
  positive ``k/q`` (1 <= k <= 20, q <= 7) so that P is bounded, other rows ``k/q``
  (|k| <= 20), ``b = M alpha0`` with ``alpha0 > 0``: dimension ``L - n``;
* ``planted``: optimal sets of planted non-unique ReLU instances
  (``planted_instance(..., unique=False)``; a segment) and, with more ties, the
  multi-tie instances of ``examples/optimal_set_figure.py`` (``k`` tie rows through one
  planted direction: ``2^k`` tied blocks, a simplex).

Also timed: the exact min-norm point (certified KKT) and one exact LP (max sum alpha).

Sampling (second table): 2,000 exact samples of polytopes whose columns carry 80-bit
denominators (as the model polytopes of float solves do).  Ours: ``mix_vertices`` (random
convex combinations of 32 LP vertices, one denominator per sample, one flint product)
and ``hit_and_run``; baseline: the same combinations with ``Fraction`` weights
``c/grid`` (a common denominator: the first implementation).  Every 100th sample of each
is re-checked with ``Polytope.contains``.

Usage: python bench/bench_optimal_set.py [--quick]
"""
from __future__ import annotations

import argparse
import math
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exactrelu.numbers import dot, sqnorm  # noqa: E402
from exactrelu.optimal_sets import Polytope, hit_and_run, mix_vertices, optimal_set  # noqa: E402


def random_polytope(n: int, L: int, seed: int) -> Polytope:
    rng = random.Random(seed)
    M = [[Fraction(rng.randint(1, 20), rng.randint(1, 7)) for _ in range(L)]]
    M += [[Fraction(rng.randint(-20, 20), rng.randint(1, 7)) for _ in range(L)]
          for _ in range(n - 1)]
    a0 = [Fraction(rng.randint(1, 9), rng.randint(1, 4)) for _ in range(L)]
    b = [dot(r, a0) for r in M]
    cols = [[M[i][j] for i in range(n)] for j in range(L)]
    return Polytope(cols, b, point=a0)


def multi_tie(ties: int, seed: int):
    """Planted non-unique instance with ``ties`` tie rows through one direction (d = 3 +
    ties - 1 so the tie rows are independent)."""
    from exactrelu.rational_optimum import exact_optimum_at
    from exactrelu.arrangement import enumerate_patterns
    from exactrelu.planted import planted_instance
    from exactrelu.problem import ConvexProgram, Dataset

    d = 2 + ties
    for s in range(seed, seed + 60):
        try:
            p = planted_instance(d * 3 + 1, d, 3, seed=s, unique=False)
        except Exception:
            continue
        b1, _ = p.ties[0]
        v = p.v[b1]
        e = tuple(a / p.lam for a in v)
        rng = random.Random(s)
        X, y, r = list(p.data.X), list(p.data.y), list(p.r_hat)
        ok = True
        for _ in range(ties - 1):
            for _try in range(30):
                w = [Fraction(rng.randint(-5, 5), rng.randint(1, 3)) for _ in range(d)]
                x = tuple(a - dot(w, e) * c for a, c in zip(w, e))
                if any(x) and not any(dot(x, q) ** 2 == sqnorm(x) * sqnorm(q) for q in X) \
                        and all(dot(x, u) != 0 for b, u in p.blocks.items() if p.v[b] != v):
                    break
            else:
                ok = False
                break
            X.append(x)
            y.append(sum((b[1] * max(dot(x, u), Fraction(0)) for b, u in p.blocks.items()),
                         Fraction(0)))
            r.append(Fraction(0))
        if not ok:
            continue
        prog = ConvexProgram(Dataset(tuple(X), tuple(y)), p.lam,
                             enumerate_patterns(X, progress=False))
        eo = exact_optimum_at(prog, r)
        if eo is not None:
            return prog, eo
    raise RuntimeError("no multi-tie instance")


def _time(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def bench_one(name: str, P: Polytope, budget_bases: int = 20000) -> dict:
    V, t_cdd = _time(lambda: P.vertices(method="cdd"))
    row = {"case": name, "nxL": f"{P.n} x {P.L}", "rank": P.rank, "vertices": len(V),
           "cdd": t_cdd, "ppl": None, "bases": None, "agree": True}
    try:
        import ppl  # noqa: F401
        W, t = _time(lambda: P.vertices(method="ppl"))
        row["ppl"] = t
        row["agree"] &= set(W) == set(V)
    except ImportError:
        pass
    if math.comb(P.L, P.rank) <= budget_bases:
        W, t = _time(lambda: P.vertices(method="bases"))
        row["bases"] = t
        row["agree"] &= set(W) == set(V)
    mn, t = _time(P.min_norm)
    row["min_norm"] = t
    row["agree"] &= P.contains(mn.alpha)
    (val, al), t = _time(lambda: P.lp([Fraction(1)] * P.L))
    row["lp"] = t
    row["agree"] &= val == max(sum(v) for v in V)
    return row


def scaled_polytope(n: int, L: int, seed: int) -> Polytope:
    """``random_polytope`` with column j divided by ``2^80 + 17 j`` (float-like data)."""
    P0 = random_polytope(n, L, seed)
    sc = [Fraction(1, (1 << 80) + 17 * j) for j in range(L)]
    cols = [tuple(x * c for x in col) for col, c in zip(P0.cols, sc)]
    return Polytope(cols, P0.b, point=tuple(a / c for a, c in zip(P0.point, sc)))


def fraction_mixture(V, count: int, seed: int, grid: int = 1 << 16) -> list:
    """Baseline: weights ``c/grid`` as Fractions, summed coordinate by coordinate."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        cuts = sorted(rng.randint(0, grid) for _ in range(len(V) - 1))
        w = [b - a for a, b in zip([0] + cuts, cuts + [grid])]
        out.append(tuple(sum((Fraction(wi, grid) * v[j] for wi, v in zip(w, V) if wi),
                             Fraction(0)) for j in range(len(V[0]))))
    return out


def bench_sampling(n: int, L: int, count: int) -> dict:
    P = scaled_polytope(n, L, 1)
    V, t_lp = _time(lambda: P.lp_vertices(32, seed=0))
    M, t_mix = _time(lambda: mix_vertices(V, count, seed=0))
    ok = all(P.contains(M.exact(i)) for i in range(0, count, max(1, count // 100)))
    pts, t_frac = _time(lambda: fraction_mixture(V, count, 0))
    ok &= all(P.contains(pts[i]) for i in range(0, count, max(1, count // 100)))
    S, t_hr = _time(lambda: hit_and_run(P, count, seed=0))
    ok &= all(P.contains(S.exact(i)) for i in range(0, count, max(1, count // 100)))
    bits = max(q.bit_length() for q in M.Q)
    bits_frac = max(max(a.denominator.bit_length() for a in p) for p in pts[:50])
    return {"nxL": f"{n} x {L}", "dim": len(P.null_basis), "vertices": len(V), "lp": t_lp,
            "mix": t_mix, "frac": t_frac, "hr": t_hr, "bits": bits, "bits_frac": bits_frac,
            "ok": ok, "count": count}


def fmt(t):
    if t is None:
        return "-"
    return f"{t * 1000:.1f} ms" if t < 1 else f"{t:.2f} s"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    sizes = [(5, 10), (5, 15), (5, 20), (10, 15), (10, 20), (20, 25)]
    if not args.quick:
        sizes += [(5, 25), (10, 25), (30, 35)]
    rows = []
    bench_one("warm-up", random_polytope(3, 6, 99))          # imports (scipy, clarabel)
    for n, L in sizes:
        rows.append(bench_one("random seed 0", random_polytope(n, L, 0)))
    from exactrelu.planted import planted_instance
    from exactrelu.rational_optimum import exact_optimum_at

    for (n, d, k, s) in [(8, 2, 3, 0), (12, 2, 4, 2), (10, 3, 3, 1)]:
        p = planted_instance(n, d, k, seed=s, unique=False)
        eo = exact_optimum_at(p.program, p.r_hat)
        os_ = optimal_set(p.program, eo, enumerate_vertices=False)
        rows.append(bench_one(f"planted n={n} d={d} k={k}", os_.polytope))
    for ties in ((2, 3) if args.quick else (2, 3, 4)):
        prog, eo = multi_tie(ties, 0)
        os_ = optimal_set(prog, eo, enumerate_vertices=False)
        rows.append(bench_one(f"multi-tie ({ties} tie rows, n={prog.data.n})", os_.polytope))
    print("Exact vertex enumeration of {alpha >= 0 : M alpha = b} (ours: cdd.gmp; second "
          "opinions: pplpy, flint basis enumeration)")
    print("| case | n x L | rank | vertices | cdd.gmp (ours) | pplpy | flint bases | min-norm "
          "(exact) | LP max sum (exact) | agree |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['case']} | {r['nxL']} | {r['rank']} | {r['vertices']} | {fmt(r['cdd'])} | "
              f"{fmt(r['ppl'])} | {fmt(r['bases'])} | {fmt(r['min_norm'])} | {fmt(r['lp'])} | "
              f"{'yes' if r['agree'] else 'NO'} |")
    count = 2000                      # the Fraction baseline takes ~10 s per 1000 samples
    srows = [bench_sampling(n, L, count) for n, L in ((10, 40), (20, 80))]
    print()
    print(f"Exact sampling, {count} samples, columns with 80-bit denominators (ours: "
          "vertex mixture with one denominator per sample; baseline: Fraction weights)")
    print("| n x L | dim | LP vertices | 32 LPs | mixture (ours) | Fraction mixture "
          "(baseline) | speed-up | max denominator bits ours / baseline | hit-and-run "
          "| checked |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in srows:
        print(f"| {r['nxL']} | {r['dim']} | {r['vertices']} | {fmt(r['lp'])} | {fmt(r['mix'])} "
              f"| {fmt(r['frac'])} | {r['frac'] / r['mix']:.0f}x | {r['bits']} / "
              f"{r['bits_frac']} | {fmt(r['hr'])} | {'yes' if r['ok'] else 'NO'} |")
    return 0 if all(r["agree"] for r in rows) and all(r["ok"] for r in srows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
