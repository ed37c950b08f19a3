"""A scikit-learn estimator whose fit is certified: :class:`ExactReLURegressor`.

``fit`` trains a two-layer ReLU network with weight decay ``lam`` to its GLOBAL optimum
(over every width) through the convex reformulation, and proves how close it is:
``lower_bound_ <= p* <= upper_bound_`` with ``upper_bound_`` the exact objective of the
fitted network.  Works inside ``Pipeline`` and ``GridSearchCV`` like any regressor.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

try:                                     # scikit-learn is optional (the `plots` extra)
    from sklearn.base import BaseEstimator, RegressorMixin
except ImportError:                      # pragma: no cover - exercised without sklearn
    class BaseEstimator:                 # type: ignore[no-redef]
        """Minimal stand-in: get_params/set_params over the __init__ arguments."""

        def get_params(self, deep: bool = True) -> dict:
            import inspect

            names = [p for p in inspect.signature(type(self).__init__).parameters
                     if p != "self"]
            return {p: getattr(self, p) for p in names}

        def set_params(self, **params: Any) -> "BaseEstimator":
            for k, v in params.items():
                setattr(self, k, v)
            return self

    class RegressorMixin:                # type: ignore[no-redef]
        def score(self, X, y, sample_weight=None) -> float:
            y = np.asarray(y, dtype=float)
            p = self.predict(X)
            ss = float(((y - y.mean()) ** 2).sum())
            return 1.0 - float(((y - p) ** 2).sum()) / ss if ss else 0.0

__all__ = ["ExactReLURegressor"]


def _exact_or_type_error(a: np.ndarray) -> None:
    """Every entry of an object array must be a number or a numeric string
    (:func:`exactrelu.exact_number`); anything else is a ``TypeError``."""
    from .api import exact_number
    from .errors import NotExactError

    for v in a.ravel():
        try:
            exact_number(v)
        except NotExactError:
            raise TypeError(f"argument must be a string or a real number, not "
                            f"{type(v).__name__!r}") from None


class ExactReLURegressor(RegressorMixin, BaseEstimator):
    """Globally optimal two-layer ReLU regression with an exact optimality certificate.

    Minimises ``1/2 ||sum_j (X W1_j)_+ w2_j - y||^2 + lam/2 sum_j (||W1_j||^2 + w2_j^2)``
    over networks of every width (with ``bias=True`` each neuron gets a first-layer
    bias).  The number of neurons is not a parameter: the optimum chooses it
    (``n_neurons_``).  Inputs follow :func:`exactrelu.exact_number` (floats at their
    exact IEEE value).

    ``max_regions``: when the data has more activation regions than this (the
    general-position count ``2 sum_{k<d} C(n-1, k)`` bounds them), ``sample`` random
    neurons' patterns are used instead of all regions; the fit is then the optimum of
    that sub-program and ``complete_`` is false (the bounds do not cover every network).
    ``exact_optimum``: also look for the exact (rational) optimum, so that ``lower_bound_
    == upper_bound_`` when it is rational (slower on float data; the bounds are proved
    either way).

    Fitted attributes: ``network_`` (:class:`~exactrelu.networks.Network`, exact),
    ``certificate_`` (:class:`~exactrelu.results.Certificate`), ``lower_bound_``,
    ``upper_bound_`` (exact ``Fraction``), ``n_neurons_``, ``complete_``,
    ``n_features_in_``.

    >>> import numpy as np
    >>> from exactrelu import ExactReLURegressor
    >>> X = np.array([[-2.0], [-1.0], [0.0], [1.0], [2.0]]); y = np.abs(X[:, 0])
    >>> m = ExactReLURegressor(lam="1/100").fit(X, y)
    >>> m.n_neurons_, m.complete_, m.lower_bound_ <= m.upper_bound_
    (2, True, True)
    >>> np.round(m.predict([[3.0]]), 3)
    array([2.992])
    """

    def __init__(self, lam: object = "1/10", bias: bool = True, *, max_regions: int = 20000,
                 sample: int = 200, exact_optimum: bool = False,
                 random_state: int = 0) -> None:
        self.lam = lam
        self.bias = bias
        self.max_regions = max_regions
        self.sample = sample
        self.exact_optimum = exact_optimum
        self.random_state = random_state

    # -- scikit-learn plumbing ---------------------------------------------------------
    def _validate(self, X: Any, y: Any = None, *, reset: bool):
        try:
            from sklearn.utils.validation import validate_data
        except ImportError:                  # pragma: no cover - old or no scikit-learn
            Xa = np.asarray(X)
            if reset:
                self.n_features_in_ = Xa.shape[1]
            return Xa if y is None else (Xa, np.asarray(y))
        dtypes = [np.float64, np.float32, np.int64, np.int32, object]
        if y is None:
            out = validate_data(self, X, reset=reset, dtype=dtypes)
        else:
            out = validate_data(self, X, y, reset=reset, dtype=dtypes, y_numeric=True)
        for a in (out if isinstance(out, tuple) else (out,)):
            if a.dtype == object:            # exact values (Fractions, strings) stay exact
                _exact_or_type_error(a)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = False
        return tags

    # -- fit / predict -----------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> "ExactReLURegressor":
        """Certify the global optimum on ``(X, y)`` and keep its network."""
        from .api import certify
        from .errors import TooManyRegions

        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the "
                             "target y is None")
        X, y = self._validate(X, y, reset=True)
        d = X.shape[1] + (1 if self.bias else 0)
        try:                    # every region, unless the library's region budget refuses
            cert = certify(X, y, self.lam, bias=self.bias, max_regions=self.max_regions,
                           exact=self.exact_optimum, route="regions")
        except TooManyRegions:
            cert = certify(X, y, self.lam, bias=self.bias, sample=self.sample,
                           seed=self.random_state, exact=self.exact_optimum)
        self.certificate_ = cert
        self.network_ = cert.network
        self.lower_bound_: Fraction = cert.lower
        self.upper_bound_: Fraction = cert.upper
        self.n_neurons_ = len(cert.network.nonzero_neurons()) if cert.network else 0
        self.complete_ = cert.complete
        W1, w2 = cert.network.to_numpy() if cert.network.width else (np.zeros((0, d)),
                                                                      np.zeros(0))
        self._W1, self._w2 = W1, w2
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predictions of the fitted network (float64, from float copies of the exact
        weights; use ``network_.outputs`` for exact values)."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "network_")
        X = np.asarray(self._validate(X, reset=False), dtype=float)
        if self.bias:
            X = np.hstack([X, np.ones((X.shape[0], 1))])
        if not len(self._w2):
            return np.zeros(X.shape[0])
        return np.maximum(X @ self._W1.T, 0.0) @ self._w2
