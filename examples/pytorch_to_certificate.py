"""From a trained PyTorch-style network to a certificate: how far is training from the
global optimum, proved.

A small ``nn.Sequential(nn.Linear(d, m), nn.ReLU(), nn.Linear(m, 1))`` -- with biases in
both layers, so the output bias is the free, unregularised ``c`` of ``--output-bias`` --
is trained on 20 rows of scikit-learn's diabetes data (2 features, standardised) by
full-batch gradient descent on exactly the objective exactrelu certifies::

    NC = 1/2 ||f(X) - y||^2 + lam/2 (||W1||^2 + ||b1||^2 + ||w2||^2),   c not penalised

(torch: the sum of squared errors / 2 and ``weight_decay=lam`` on every parameter but the
output bias; without torch the same model and updates in NumPy).  Then:

1. ``er.certify(..., output_bias=True)``: the exact lower bound on the global optimum over
   networks of every width with any output bias (proved; the certificate is checked by
   both checkers);
2. ``er.certify(..., network=trained, output_bias=True)``: the trained network's exact
   objective and its proved distance to the global optimum;
3. ``er.prune``: Algorithm 1 -- fewer neurons, the same predictions, the output bias kept;
4. a figure: the (exact) NC objective along training against the certified lower bound.

Usage: python examples/pytorch_to_certificate.py [--steps N] [--out FIGURE.png]
"""
from __future__ import annotations

import argparse
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import exactrelu as er  # noqa: E402

LAM = Fraction(1, 10)
WIDTH = 16


def diabetes(n: int = 20):
    """20 rows of the diabetes data, features bmi and blood pressure, standardised."""
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    X, y = X[:n, 2:4], y[:n]
    return (X - X.mean(0)) / X.std(0), (y - y.mean()) / y.std()


def _init(d: int, m: int, seed: int):
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=0.5, size=(m, d)), rng.normal(scale=0.1, size=m),
            rng.normal(scale=0.5, size=(1, m)), np.zeros(1)]


def train_numpy(X, y, steps: int, lr: float, every: int, seed: int = 0):
    """Full-batch gradient descent on NC with the output bias free (the torch model's
    updates, in NumPy).  Yields (step, W1, b1, w2, c) every ``every`` steps."""
    W1, b1, w2, c = _init(X.shape[1], WIDTH, seed)
    lam = float(LAM)
    for t in range(steps + 1):
        if t % every == 0 or t == steps:
            yield t, W1.copy(), b1.copy(), w2[0].copy(), float(c[0])
        pre = X @ W1.T + b1                       # n x m
        h = np.maximum(pre, 0.0)
        e = h @ w2[0] + c[0] - y                  # residual of the loss, n
        g_w2 = (h.T @ e)[None, :] + lam * w2
        g_c = np.array([e.sum()])
        g_pre = np.outer(e, w2[0]) * (pre > 0)
        g_W1 = g_pre.T @ X + lam * W1
        g_b1 = g_pre.sum(0) + lam * b1
        W1, b1, w2, c = W1 - lr * g_W1, b1 - lr * g_b1, w2 - lr * g_w2, c - lr * g_c


def train_torch(X, y, steps: int, lr: float, every: int, seed: int = 0):
    """The same with torch: SGD (full batch), weight decay lam except on the output bias."""
    import torch
    from torch import nn

    W1, b1, w2, c = _init(X.shape[1], WIDTH, seed)
    model = nn.Sequential(nn.Linear(X.shape[1], WIDTH), nn.ReLU(), nn.Linear(WIDTH, 1)).double()
    with torch.no_grad():
        for p, v in zip(model.parameters(), (W1, b1, w2, c)):
            p.copy_(torch.from_numpy(v))
    decay = [model[0].weight, model[0].bias, model[2].weight]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": float(LAM)},
                           {"params": [model[2].bias], "weight_decay": 0.0}], lr=lr)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for t in range(steps + 1):
        if t % every == 0 or t == steps:
            sd = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
            yield t, sd["0.weight"], sd["0.bias"], sd["2.weight"][0], float(sd["2.bias"][0])
        opt.zero_grad()
        loss = 0.5 * ((model(Xt)[:, 0] - yt) ** 2).sum()
        loss.backward()
        opt.step()


def run(steps: int = 3000, lr: float = 0.004, every: int = 50,
        out: Path = ROOT / "docs" / "figures" / "pytorch_to_certificate.png") -> dict:
    X, y = diabetes()
    data = er.Dataset.from_arrays(X, y, bias=True)
    try:
        import torch  # noqa: F401
        trainer, backend = train_torch, "torch"
    except ImportError:
        trainer, backend = train_numpy, "numpy (torch is not installed)"
    t0 = time.perf_counter()
    history = []
    for t, W1, b1, w2, c in trainer(X, y, steps, lr, every):
        net = er.Network.from_numpy(W1, w2, b1=b1, b2=c)     # exact float values
        history.append((t, net.nc_objective(data, LAM)))      # exact NC, output bias free
    print(f"trained {WIDTH} neurons for {steps} steps ({backend}) in "
          f"{time.perf_counter() - t0:.1f} s; final NC = {float(history[-1][1]):.12g}")
    best = er.certify(X, y, LAM, bias=True, output_bias=True)           # 1
    assert er.check(best), "the certificate must verify"
    print(f"global optimum (every width, any output bias) in [{float(best.lower):.12g}, "
          f"{float(best.upper):.12g}] (proved; relative gap {float(best.relative_gap):.1e})")
    trained = er.certify(X, y, LAM, bias=True, network=net, output_bias=True)   # 2
    assert er.check(trained) and trained.upper >= history[-1][1]   # upper: rounded up
    print(f"the trained network: NC = {float(trained.upper):.12g}, at most "
          f"{float(trained.gap):.3e} above the global optimum (proved)")
    pruned = er.prune(net, X, y, LAM, bias=True)                                # 3
    print(f"pruned: {pruned.neurons_before} -> {pruned.neurons_after} neurons, same "
          f"predictions ({pruned.predictions_equal}), output bias kept "
          f"({pruned.balanced_network.output_bias == net.output_bias}), NC not larger "
          f"({pruned.nc_objective_not_larger})")
    _plot(history, best, out, backend)                                          # 4
    print(f"figure: {out}")
    return {"history": history, "best": best, "trained": trained, "pruned": pruned}


def _plot(history, best, out: Path, backend: str) -> None:
    import matplotlib
    matplotlib.use("Agg")                    # a script: file output only
    import matplotlib.pyplot as plt

    steps = [t for t, _ in history]
    nc = [float(v) for _, v in history]
    gap = [float(v - best.lower) for _, v in history]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    a.plot(steps, nc, label="NC objective of the trained network (exact)")
    a.axhline(float(best.lower), color="k", ls="--", label="certified lower bound (global)")
    a.set_xlabel("gradient step")
    a.set_ylabel("NC objective")
    a.set_ylim(float(best.lower) - 0.05 * (nc[0] - float(best.lower)), nc[0])
    a.legend()
    b.semilogy(steps, gap)
    b.set_xlabel("gradient step")
    b.set_ylabel("NC - certified lower bound")
    b.set_title("proved bound on the distance to the optimum", fontsize=10)
    fig.suptitle(f"diabetes (n = 20, 2 features), {WIDTH} neurons + output bias, "
                 f"lam = {LAM}, {backend}")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "figures" /
                    "pytorch_to_certificate.png")
    args = ap.parse_args(argv)
    run(steps=args.steps, out=args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
