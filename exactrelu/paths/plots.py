"""Pictures of certified and fixed-width paths (matplotlib).

Floats only for drawing: the exact values of the points are converted at the last
moment; nothing here decides anything.  The caller's matplotlib backend is left alone.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ..numbers import sqnorm
from .certified import CertifiedPath
from .jumps import FixedWidthPath


def _plt():
    # the caller's backend is left alone (no matplotlib.use): without a display,
    # matplotlib picks a non-interactive backend by itself
    import matplotlib.pyplot as plt

    return plt


def plot_certified_path(path: CertifiedPath, file: str, *, top: int = 8, title: str | None = None
                        ) -> None:
    """Block norms ``||u_b||`` (the ``top`` largest blocks) and the certified objective
    bounds versus ``lam``; ``lam_max`` marked.  Floats only for drawing."""
    plt = _plt()
    pts = path.sorted_points()
    lams = [float(p.lam) for p in pts]
    norms: dict = {}
    for k, p in enumerate(pts):
        for b in p.blocks:
            norms.setdefault((b.pattern, b.sign), [0.0] * len(pts))[k] = \
                math.sqrt(float(sqnorm(b.u)))
    # the largest block at each lam first (so late-entering neurons show), then by size
    keys: list = []
    for k in range(len(pts)):
        best = max(norms, key=lambda key: norms[key][k], default=None)
        if best is not None and norms[best][k] > 0 and best not in keys:
            keys.append(best)
    keys = sorted(keys, key=lambda key: -max(norms[key]))[:top]
    keys += [key for key in sorted(norms, key=lambda key: -max(norms[key]))
             if key not in keys][:max(0, top - len(keys))]
    log = bool(lams) and min(lams) > 0 and max(lams) / min(lams) > 50
    fig, ax = plt.subplots(1, 2, figsize=(11, 4.2))
    if log:
        for a in ax:
            a.set_xscale("log")
    for key in keys:
        ax[0].plot(lams, norms[key], marker=".", lw=1.2,
                   label=f"{'+' if key[1] > 0 else '-'} {key[0][:12]}"
                         f"{'...' if len(key[0]) > 12 else ''}")
    ax[0].set_xlabel(r"$\lambda$")
    ax[0].set_ylabel(r"$\|u_b\|$ (neuron $|w_2|\,\|W_1\|$)")
    ax[0].set_title(f"largest {len(keys)} blocks (of {len(norms)} ever active)")
    if len(keys) <= 8:
        ax[0].legend(fontsize=7)
    lo = [float(p.lower) for p in pts]
    up = [float(p.upper) for p in pts]
    ax[1].plot(lams, up, "-", lw=1.5, label="upper bound")
    ax[1].plot(lams, lo, "--", lw=1.0, label="lower bound")
    ex = [(float(p.lam), float(p.value)) for p in pts if p.exact]
    if ex:
        ax[1].plot(*zip(*ex), "o", ms=3, label="exact optimum")
    ax[1].set_xlabel(r"$\lambda$")
    ax[1].set_ylabel(r"$p^*(\lambda)$")
    gap = max((float(p.gap) / max(1.0, abs(float(p.upper))) for p in pts), default=0.0)
    ax[1].set_title(f"certified objective (max relative gap {gap:.1e})")
    lm = math.sqrt(float(path.lam_max_sq))
    for a in ax:
        if lams and lm <= max(lams):
            a.axvline(lm, color="grey", ls=":", lw=1)
            a.text(lm, a.get_ylim()[1], r" $\lambda_{\max}$", va="top", fontsize=8)
    ax[1].legend(fontsize=8)
    fig.suptitle(title or f"certified path: n={path.patterns.n}, d={path.patterns.d}, "
                 f"{len(path.patterns)} patterns, {len(pts)} values of lambda")
    fig.tight_layout()
    fig.savefig(file, dpi=120)
    plt.close(fig)


def plot_fixed_width_path(fw: FixedWidthPath, file: str, *, convex: Callable | None = None,
                          title: str | None = None) -> None:
    """Neuron weights (``W1`` first coordinate and ``w2`` of each block's neuron, from the
    exact blocks: ``|w2| = sqrt(||u||)``, ``W1 = u / |w2|``) and the width-``m`` optimum
    versus ``lam``, jumps marked; ``convex(lam) -> float`` adds the convex optimum."""
    plt = _plt()
    pts = sorted({p.lam: p for p in fw.points}.values(), key=lambda p: p.lam)
    lams = [float(p.lam) for p in pts]
    ps = fw.patterns
    series: dict = {}
    for k, p in enumerate(pts):
        for b in p.blocks(ps):
            nu = math.sqrt(float(sqnorm(b.u)))
            w2 = b.sign * math.sqrt(nu)
            W1 = float(b.u[0]) / abs(w2)
            s = series.setdefault((b.pattern, b.sign), ([np.nan] * len(pts), [np.nan] * len(pts)))
            s[0][k], s[1][k] = W1, w2
    fig, ax = plt.subplots(1, 2, figsize=(11, 4.2))
    for j, (key, (W1, w2)) in enumerate(sorted(series.items())):
        c = f"C{j}"
        lab = f"pattern {key[0]}, sign {'+' if key[1] > 0 else '-'}"
        ax[0].plot(lams, W1, "-", color=c, marker=".", ms=3, label=f"$W_1$ ({lab})")
        ax[0].plot(lams, w2, "--", color=c, lw=1, label=f"$w_2$ ({lab})")
    ax[0].axhline(0, color="black", lw=0.5)
    zero = [lam for lam, p in zip(lams, pts) if not p.blocks(ps)]
    if zero:
        ax[0].plot(zero, [0.0] * len(zero), "k.", ms=3, label="zero network")
    for j in fw.jumps:
        if j.at is None:
            continue
        x = float(j.at)
        for side, mk in ((j.before, "o"), (j.after, "s")):
            for b in side:
                nu = math.sqrt(float(sqnorm(b.u)))
                w2 = b.sign * math.sqrt(nu)
                ax[0].plot([x, x], [float(b.u[0]) / abs(w2), w2], mk, color="red", ms=6,
                           mfc="none")
    ax[0].set_xlabel(r"$\lambda$")
    ax[0].set_ylabel("neuron weights" + (" ($W_1$ first coordinate)" if ps.d > 1 else ""))
    ax[0].legend(fontsize=7)
    vals = [float(p.value) if p.exact else float(p.upper) for p in pts]
    ax[1].plot(lams, vals, "-", lw=1.6, label=f"width {fw.m} optimum")
    if convex is not None:
        grid = np.linspace(min(lams), max(lams), 400)
        ax[1].plot(grid, [convex(g) for g in grid], ":", lw=1.4,
                   label="convex optimum (every width)")
    ax[1].set_xlabel(r"$\lambda$")
    ax[1].set_ylabel("optimal objective")
    for j in fw.jumps:
        x = float(j.at) if j.at is not None else 0.5 * (float(j.lo) + float(j.hi))
        for a in ax:
            a.axvline(x, color="red", ls="--", lw=1)
        ax[1].annotate(f"jump at $\\lambda$={j.at if j.at is not None else '~%.4g' % x}",
                       (x, ax[1].get_ylim()[0]), xytext=(5, 10), textcoords="offset points",
                       color="red", fontsize=8)
    ax[1].legend(fontsize=8)
    fig.suptitle(title or f"width-{fw.m} regularization path"
                 + (f": {len(fw.jumps)} jump(s)" if fw.jumps else ": continuous"))
    fig.tight_layout()
    fig.savefig(file, dpi=120)
    plt.close(fig)
