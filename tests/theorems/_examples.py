"""docs/theory.md §5.1 Example B: a constrained group lasso with 1-D non-negative blocks and a
non-unique, rational optimal set.

    Z = [[1, 0, 1/2], [0, 1, 1/2]],  y = (3, 3),  lam = 1,  w >= 0,
    F(w) = 1/2 ||Z w - y||^2 + lam * (w_1 + w_2 + w_3)     (||w_i|| = w_i for w_i >= 0).

Optimal value 5, fit (2, 2), residual (1, 1), correlations Z^T r = (1, 1, 1) = lam:
every block is equicorrelated and the optimal set is {(s - t/2, s - t/2, t): 0 <= t <= 2s},
s = 3 - lam = 2, with vertices (2, 2, 0) and (0, 0, 4)."""
from __future__ import annotations

from fractions import Fraction as F

Z_COLS = {0: (F(1), F(0)), 1: (F(0), F(1)), 2: (F(1, 2), F(1, 2))}
Y = (F(3), F(3))
LAM = F(1)
VALUE = F(5)
R_HAT = (F(1), F(1))
OPTIMAL = [(F(2), F(2), F(0)), (F(4, 3), F(4, 3), F(4, 3)), (F(3, 2), F(3, 2), F(1)),
           (F(0), F(0), F(4))]


def fit(w):
    return tuple(sum((w[i] * Z_COLS[i][k] for i in range(3)), F(0)) for k in range(2))


def objective(w, lam=LAM):
    assert all(a >= 0 for a in w), "Example B has non-negative blocks"
    f = fit(w)
    return sum(((a - b) ** 2 for a, b in zip(f, Y)), F(0)) / 2 + lam * sum(w)


def alpha(w):
    """alpha_i with w_i = alpha_i v_i, v_i = lam: the polytope coordinates."""
    return {i: a / LAM for i, a in enumerate(w) if a}
