"""exactrelu: exact, verified computation on two-layer ReLU networks.

Training ``f(x) = sum_j (x . W1_j)_+ w2_j`` with squared loss and weight decay,

    NC(W1, w2) = 1/2 ||sum_j (X W1_j)_+ w2_j - y||^2 + lam/2 sum_j (||W1_j||^2 + w2_j^2),

is non-convex, but its optimal value over every width equals that of a convex group
lasso over the activation patterns of the data (Pilanci & Ergen 2020; Mishkin & Pilanci
2023).  exactrelu turns that into answers proved in exact rational arithmetic:

>>> import exactrelu as er
>>> c = er.certify([[-2], [-1], [0], [1], [2]], [1, "1/4", 0, "1/2", 2], "1/10", bias=True)
>>> c.complete, c.lower <= c.upper, bool(er.check(c))
(True, True, True)

Numbers follow one rule everywhere (:func:`exact_number`): exact values as given,
strings as exact decimals or fractions, floats at their exact IEEE-754 value.

Public API: :func:`certify`, :func:`check`, :func:`patterns`, :func:`optimal_set`,
:func:`prune`, :func:`path`, :func:`lam_max`, :class:`Network`, the estimator
:class:`ExactReLURegressor`, the result types :class:`Certificate`, :class:`Verdict`,
:class:`OptimalSet`, :class:`LamMax`, and Hypothesis strategies in
:mod:`exactrelu.testing`.  Names are imported on first use, so ``import exactrelu`` is
cheap.
"""

from ._version import __version__

_EXPORTS = {
    "certify": "api", "check": "api", "patterns": "api", "optimal_set": "api",
    "prune": "api", "path": "api", "lam_max": "api", "exact_number": "api",
    "Network": "networks", "Dataset": "problem",
    "Certificate": "results", "Verdict": "results", "OptimalSet": "results",
    "LamMax": "results",
    "ExactReLURegressor": "estimator",
    "ExactReluError": "errors", "InputError": "errors", "NotExactError": "errors",
    "SolverError": "errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module 'exactrelu' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"exactrelu.{mod}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
