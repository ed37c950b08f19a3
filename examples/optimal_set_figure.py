"""Figure 1 of the paper, exactly: the optimal set of a non-unique ReLU instance in the
convex parameterization (a polytope) and in the network parameterization (curved).

Instance: a planted C-ReLU instance with a tie (``planted_instance(..., unique=False)``)
plus a second tie row through the same planted direction ``e`` (``x . e = 0``, residual
0).  The two tie hyperplanes cut the neighbourhood of ``e`` into four regions, so four
blocks share the correlation ``v = lam e`` and the same fit: their masses ``alpha`` can be
traded freely (``alpha_1 + ... + alpha_4 = c``).  The optimum is re-proved exactly
(``exact_optimum_at``), the optimal set computed exactly (``optimal_set``: all vertices),
and exact rational points of the polytope are drawn as random convex combinations of the
vertices.  Plotted: the first input weight of three of the tied neurons,

* convex:     ``[u_i]_1 = alpha_i [v_i]_1``            (linear in alpha: a polytope),
* non-convex: ``[W1_i]_1 = (alpha_i / lam)^(1/2) [v_i]_1`` (Corollary 4.1: curved).

The face ``alpha_4 = 0`` is drawn as a surface (a flat triangle vs a patch of a sphere);
the bottom row projects on two coordinates (a polygon vs a region with curved edges).
Writes ``docs/figures/optimal_set.png`` (matplotlib, Agg backend).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
from fractions import Fraction

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from exactrelu.rational_optimum import exact_optimum_at  # noqa: E402
from exactrelu.numbers import dot, sqnorm  # noqa: E402
from exactrelu.optimal_sets import optimal_set  # noqa: E402
from exactrelu.arrangement import enumerate_patterns  # noqa: E402
from exactrelu.planted import planted_instance  # noqa: E402
from exactrelu.problem import ConvexProgram, Dataset  # noqa: E402


def multi_tie_instance(seed: int = 0, n: int = 9, d: int = 3):
    """A planted non-unique instance with two tie rows through one planted direction:
    returns ``(program, exact optimum, tied blocks)`` with at least 3 tied blocks."""
    for s in range(seed, seed + 50):
        try:
            p = planted_instance(n, d, 3, seed=s, unique=False)
        except Exception:
            continue
        b1, _ = p.ties[0]
        v = p.v[b1]
        e = tuple(a / p.lam for a in v)                         # ||e|| = 1
        rng = random.Random(s)
        for _ in range(20):
            w = [Fraction(rng.randint(-5, 5), rng.randint(1, 3)) for _ in range(d)]
            x = tuple(a - dot(w, e) * b for a, b in zip(w, e))
            if not any(x) or any(dot(x, r) ** 2 == sqnorm(x) * sqnorm(r) for r in p.data.X):
                continue
            # keep the other planted blocks inside one region (x . u != 0)
            if any(dot(x, u) == 0 for b, u in p.blocks.items() if p.v[b] != v):
                continue
            yx = sum((b[1] * max(dot(x, u), Fraction(0)) for b, u in p.blocks.items()),
                     Fraction(0))
            X = p.data.X + (x,)
            y = p.data.y + (yx,)
            r = p.r_hat + (Fraction(0),)
            data = Dataset(X, y, False, source=f"multi-tie planted seed {s}")
            prog = ConvexProgram(data, p.lam, enumerate_patterns(X))
            eo = exact_optimum_at(prog, r)
            if eo is None:
                continue
            os_ = optimal_set(prog, eo)
            tied = [b for b in os_.blocks if os_.v[b] == v]
            if len(tied) >= 3:
                return prog, eo, os_, tied
    raise RuntimeError("no multi-tie instance found")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--samples", type=int, default=3000)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "docs", "figures", "optimal_set.png"))
    args = ap.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    prog, eo, os_, tied = multi_tie_instance(args.seed)
    lam = float(prog.lam)
    P = os_.polytope
    V = P.vertices()
    pts = P.sample_vertex_combinations(args.samples, seed=args.seed, vertices=V)
    assert all(P.contains(a) for a in pts[:: max(1, len(pts) // 50)])   # exact re-check
    idx = [os_.blocks.index(b) for b in tied[:3]]
    v1 = float(os_.v[tied[0]][0])
    A = np.array([[float(a[j]) for j in idx] for a in pts])
    AV = np.array([[float(a[j]) for j in idx] for a in V])
    conv, ncvx = A * v1, np.sqrt(A / lam) * v1
    conv_v, ncvx_v = AV * v1, np.sqrt(AV / lam) * v1
    # the face where the other tied blocks are 0: alpha_1 + alpha_2 + alpha_3 = c
    c = max(sum(float(a[os_.blocks.index(b)]) for b in tied) for a in V)
    s = np.linspace(0, 1, 40)
    S1, S2 = np.meshgrid(s, s)
    keep = S1 + S2 <= 1
    a1, a2 = S1[keep] * c, S2[keep] * c
    a3 = c - a1 - a2
    fig = plt.figure(figsize=(11, 10))
    for k, (title, pts3, vv, f) in enumerate((
            ("convex parameterization: $[u_i]_1=\\alpha_i [v_i]_1$ (a polytope)", conv, conv_v,
             lambda a: a * v1),
            ("non-convex parameterization: $[W_{1i}]_1=(\\alpha_i/\\lambda)^{1/2}[v_i]_1$ (curved)",
             ncvx, ncvx_v, lambda a: np.sqrt(np.maximum(a, 0) / lam) * v1))):
        ax = fig.add_subplot(2, 2, k + 1, projection="3d")
        ax.plot_trisurf(f(a1), f(a2), f(a3), color="tab:blue", alpha=0.25, linewidth=0)
        ax.scatter(pts3[:, 0], pts3[:, 1], pts3[:, 2], s=1, c="tab:blue", alpha=0.35)
        ax.scatter(vv[:, 0], vv[:, 1], vv[:, 2], s=40, c="tab:red", depthshade=False,
                   label="vertices (minimal networks)")
        ax.set_title(title, fontsize=9)
        lab = "$[u_{%d}]_1$" if k == 0 else "$[W_{1,%d}]_1$"
        ax.set_xlabel(lab % 1)
        ax.set_ylabel(lab % 2)
        ax.set_zlabel(lab % 3)
        ax.legend(loc="upper left", fontsize=7)
    # bottom row: the projection on two coordinates.  Convex: the projection of a polytope
    # is the convex hull of the projected vertices (a polygon); non-convex: its image
    # under the coordinate-wise map alpha -> (alpha / lam)^(1/2) [v]_1 (curved edges).
    from scipy.spatial import ConvexHull

    P2 = AV[:, :2]
    hull = P2[ConvexHull(P2).vertices] if len(np.unique(P2, axis=0)) >= 3 else P2
    ring = np.vstack([hull, hull[:1]])
    t = np.linspace(0.0, 1.0, 200)[:, None]
    edge = np.vstack([a + t * (b - a) for a, b in zip(ring[:-1], ring[1:])])
    for k, (title, pts2, vv, f) in enumerate((
            ("projection on two coordinates, convex: a polygon", conv[:, :2], conv_v[:, :2],
             lambda a: a * v1),
            ("the same optimal networks, non-convex: curved", ncvx[:, :2], ncvx_v[:, :2],
             lambda a: np.sqrt(np.maximum(a, 0) / lam) * v1))):
        ax = fig.add_subplot(2, 2, k + 3)
        b = f(edge)
        ax.fill(b[:, 0], b[:, 1], color="tab:blue", alpha=0.15, linewidth=0)
        ax.plot(b[:, 0], b[:, 1], color="tab:blue", linewidth=1)
        ax.scatter(pts2[:, 0], pts2[:, 1], s=1, c="tab:blue", alpha=0.35,
                   label="exact samples")
        ax.scatter(vv[:, 0], vv[:, 1], s=40, c="tab:red", zorder=3,
                   label="projected vertices")
        ax.set_title(title, fontsize=9)
        lab = "$[u_{%d}]_1$" if k == 0 else "$[W_{1,%d}]_1$"
        ax.set_xlabel(lab % 1)
        ax.set_ylabel(lab % 2)
        ax.set_aspect("equal", adjustable="datalim")
        ax.legend(loc="upper right", fontsize=7)
    fig.suptitle(f"Optimal set of a planted non-unique ReLU instance (n={prog.data.n}, "
                 f"d={prog.data.d}, lambda={prog.lam}): {len(os_.blocks)} equicorrelated "
                 f"blocks, {len(V)} vertices, dimension {len(P.null_basis)}; "
                 f"{len(pts)} exact samples", fontsize=9)
    out = os.path.normpath(args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    fig.tight_layout()
    fig.savefig(out, dpi=130)
    print(f"instance: n={prog.data.n}, d={prog.data.d}, lam={prog.lam}, E={len(os_.blocks)} "
          f"blocks, tied={len(tied)}, vertices={len(V)}, unique={os_.unique}, "
          f"NC p-unique={os_.nc_p_unique}, min_neurons={os_.min_neurons}")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
