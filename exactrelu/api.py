"""The public Python API: exact answers about two-layer ReLU networks.

One rule for numbers, the same in every function (:func:`exact_number`): every value is
taken at its **exact** value -- ``int``, :class:`fractions.Fraction`, :class:`decimal.Decimal`,
rational strings (``"3/8"``, ``"-0.125"``, ``"1e-3"``; a decimal string is its decimal
value, so ``"0.1"`` is 1/10) and floats (Python or NumPy) at their exact IEEE-754 value
(so ``0.1`` is ``3602879701896397/36028797018963968``, the double nearest 1/10).  Pass a
string or a ``Fraction`` to mean a decimal exactly.  ``nan``/``inf`` and anything that is
not a number raise :class:`~exactrelu.errors.ExactReluError` (a ``ValueError`` or
``TypeError``).

Problems (``docs/theory.md``): data ``X`` (n x d), targets ``y``, weight decay
``lam > 0``; with ``bias=True`` a column of ones is appended to ``X`` (a first-layer
bias).  Training a network of any width,

    NC(W1, w2) = 1/2 ||sum_j (X W1_j)_+ w2_j - y||^2 + lam/2 sum_j (||W1_j||^2 + w2_j^2),

has the optimal value of the convex group lasso over the activation patterns ``D_b``,

    C(u) = 1/2 ||sum_b s_b D_b X u_b - y||^2 + lam sum_b ||u_b||,   (2 D_b - I) X u_b >= 0.

Functions show no progress bar unless ``progress=True`` and never touch matplotlib's
backend.
"""
from __future__ import annotations

import dataclasses

import os
from decimal import Decimal
from fractions import Fraction
from typing import Any, Iterable

from .arrangement import MAX_REGIONS
from .errors import DomainError, ExactReluError, InputError, ShapeError
from .networks import Network
from .numbers import to_q
from .problem import Dataset
from .results import Certificate, LamMax, OptimalSet, Verdict

__all__ = ["certify", "check", "patterns", "optimal_set", "prune", "path", "lam_max",
           "exact_number", "exact_matrix", "as_dataset", "as_network"]


# --------------------------------------------------------------------- the boundary

def exact_number(x: object) -> Fraction:
    """The exact rational value of ``x`` (the module's one rule for numbers).

    >>> exact_number("1/10"), exact_number("0.1"), exact_number(3)
    (Fraction(1, 10), Fraction(1, 10), Fraction(3, 1))
    >>> exact_number(0.5), exact_number(0.1) == Fraction(1, 10)
    (Fraction(1, 2), False)
    """
    if isinstance(x, Decimal):
        if not x.is_finite():
            raise DomainError(f"{x!r} is not finite")
        return Fraction(x)
    try:
        return to_q(x, allow_float=True)
    except ExactReluError:
        raise
    except ValueError as e:                   # a string the grammar refuses
        raise InputError(f"{x!r} is not an exact number: {e}") from None


def _rows(a: Any, what: str) -> list:
    """A nested Python list from a NumPy array, a pandas object or nested sequences."""
    if hasattr(a, "to_numpy") and not isinstance(a, (list, tuple, str)):
        a = a.to_numpy()                     # pandas
    if hasattr(a, "tolist") and hasattr(a, "ndim"):
        return a.tolist()                    # NumPy: exact Python ints/floats/objects
    if isinstance(a, (str, bytes)) or not isinstance(a, Iterable):
        raise ShapeError(f"{what} must be an array or a sequence, got {type(a).__name__}")
    return list(a)


def exact_matrix(A: Any, what: str = "X") -> list[list[Fraction]]:
    """The rows of a 2-D array (NumPy, pandas, nested sequences) as exact rationals
    (:func:`exact_number` on every entry)."""
    rows = _rows(A, what)
    if rows and not isinstance(rows[0], (list, tuple)) and not hasattr(rows[0], "__len__"):
        raise ShapeError(f"{what} must be 2-D; reshape a single feature to (n, 1)")
    return [[exact_number(v) for v in _rows(r, f"a row of {what}")] for r in rows]


def as_dataset(X: Any, y: Any, *, bias: bool = False) -> Dataset:
    """Exact :class:`~exactrelu.problem.Dataset` from ``X`` (n x d) and ``y`` (n); with
    ``bias`` a column of ones is appended.  A ``Dataset`` is returned as it is (its
    ``bias`` must agree)."""
    if isinstance(X, Dataset):
        if y is not None and tuple(exact_number(v) for v in _rows(y, "y")) != X.y:
            raise ShapeError("y differs from the targets of the Dataset given as X")
        if bias and not X.bias:
            raise ShapeError("bias=True but the Dataset has no bias column")
        return X
    Xq = exact_matrix(X, "X")
    yl = _rows(y, "y")
    if yl and isinstance(yl[0], (list, tuple)):
        if all(len(v) == 1 for v in yl):
            yl = [v[0] for v in yl]
        else:
            raise ShapeError("y must be 1-D (one target per row)")
    yq = [exact_number(v) for v in yl]
    return Dataset.from_arrays(Xq, yq, bias=bias)


def as_network(net: Any, *, bias: bool | None = None) -> Network:
    """A :class:`~exactrelu.networks.Network` from a ``Network``, a pair ``(W1, w2)``, a
    PyTorch ``Linear-ReLU-Linear`` module or its ``state_dict`` (exact float values)."""
    if isinstance(net, Network):
        out = net
    elif isinstance(net, tuple) and len(net) == 2:
        out = Network.from_numpy(*net)
    else:
        out = Network.from_torch(net)
    if bias and not out.bias_column:
        out = dataclasses.replace(out, bias_column=True)
    return out


def _lam(lam: object) -> Fraction:
    q = exact_number(lam)
    if q <= 0:
        raise DomainError(f"lam must be positive, got {q}")
    return q


# --------------------------------------------------------------------- certify / check

def certify(X: Any, y: Any, lam: object, *, bias: bool = False, network: Any = None,
            sample: int | None = None, seed: int = 0, exact: bool = True,
            progress: bool = False, max_regions: int | None = MAX_REGIONS,
            output_bias: bool = False, model: str = "relu", gates: Any = None,
            route: str = "auto", gap: object = "1/1000000", jobs: int = 1,
            leaves: str = "quadratic", compact: bool = True,
            time_limit: float | None = None, cover: str = "auto") -> Certificate:
    """Prove bounds ``lower <= p* <= upper`` on the global optimum of ReLU training.

    ``p*`` is the smallest NC objective over networks of every width (module doc).  The
    activation patterns of ``X`` are enumerated exactly (with a proof that the list is
    complete), the convex program is solved in floating point (a guess), and the guess
    is turned into exact bounds: ``lower`` by weak duality from a rational residual,
    ``upper`` as the exact objective of a rational network; ``lower == upper`` when the
    optimum is rational.  ``network``: certify a given (trained) network instead -- its
    exact objective is ``upper``, and :attr:`Certificate.hint` names how to improve it
    when it is not optimal.  ``sample=N``: patterns of ``N`` random neurons instead of
    all regions (large data; the bounds then hold for that sub-program only, and
    ``complete`` is false).  ``max_regions``: enumeration is refused
    (:class:`~exactrelu.errors.TooManyRegions`) before any work when the data can have
    more regions than this (``None``: no limit).  ``route``: ``"regions"`` (as above),
    ``"cover"`` (no enumeration: column generation and a cover proof of ``lower``, format
    1.1; ``gap`` is the relative looseness allowed to ``lower`` for a smaller tree) or
    ``"auto"`` (regions up to ``exactrelu.certificate.cover_certify.AUTO_REGIONS``
    regions by the general-position bound, else cover up to ``max_regions``, beyond which
    it refuses like the regions route); :attr:`Certificate.route` and
    :attr:`Certificate.tree_nodes` say what was done; ``jobs``: cover search processes;
    ``leaves``: ``"quadratic"`` (default) lets the cover's leaves bound rows by a
    quadratic form (format 1.6, ``quadratic_cover``), ``"chord"`` keeps to chord leaves
    (format 1.1); ``compact=False`` skips the exact
    post-pass that drops and shortens the finished tree's rationals (a larger certificate,
    sooner: at n = 442, d = 11 it saves 80 s of 140 s and writes 4.8 MB instead of 1.5 MB);
    ``cover``: ``"auto"`` (a simplex cover, format 1.7, when d <= 3), ``"simplex"``, ``"splits"``;
    ``time_limit``: seconds for the cover search (default: its node budget only); out of
    time, ``CoverNotProved`` (an InputError; ``route="auto"`` takes the regions route).
    ``output_bias=True``: the model has a
    free, unregularised output bias ``c`` (``f = sum_j (x W1_j)_+ w2_j + c``, the usual
    PyTorch last layer); the bounds are for that problem, the network (given or found)
    carries its ``c`` (:attr:`Network.output_bias`), and the certificate has the section of
    minor version 1.2 (``lower == upper`` when the best ``c`` and the optimum are rational).

    By hand: one neuron ``(x w)_+ a`` on ``x = 0, 1, 2``, ``y = x``, convex block
    ``u = |a| w >= 0``; ``1/2 (5 (u - 1)^2) + u/2`` is least at ``u = 9/10``, value
    ``1/40 + 9/20 = 19/40``:

    >>> import exactrelu as er
    >>> c = er.certify([[0], [1], [2]], [0, 1, 2], "1/2")
    >>> c.exact, c.lower, c.network.width
    (True, Fraction(19, 40), 1)
    >>> c.network.predict([[3]])               # 3 * 9/10
    array([2.7])

    ``model="gated"``: gated ReLU, ``f(x) = sum_j 1[x.g_j >= 0] (x.W1_j) w2_j`` with fixed
    gates -- ``gates`` (a matrix, one gate per row, one value per column of ``X``, with
    the bias column when ``bias``), ``sample`` random gates, the gates of a given
    :class:`~exactrelu.gated.GatedNetwork`, or by default one gate per activation region.
    The bounds are on the optimum of gated training over those gates (the convex program
    is an unconstrained group lasso; ``docs/spec/certificate-v1.md``, minor version 1.3),
    and :attr:`Certificate.network` is a :class:`~exactrelu.gated.GatedNetwork`.  When the
    gated optimum is rational the certificate is exact (``lower == upper``, attained by the
    listed blocks); the network's balancing scales may then be irrational, and its exact
    objective exceeds ``upper`` by a relative ~2^-96 (as for ReLU).
    """
    from .certificate.produce import certify as _certify

    if model == "gated":
        if output_bias:
            raise InputError("output_bias=True is not available with model='gated'")
        return _certify_gated(X, y, lam, bias=bias, network=network, sample=sample,
                              seed=seed, max_regions=max_regions, gates=gates)
    if model != "relu" or gates is not None:
        raise InputError(f"model must be 'relu' or 'gated' (got {model!r}); gates need "
                         "model='gated'")
    data = as_dataset(X, y, bias=bias)
    net = as_network(network, bias=bias) if network is not None else None
    res = _certify(data, _lam(lam), network=net, sample=sample, seed=seed, exact=exact,
                   progress=progress, max_regions=max_regions, route=route,
                   gap=exact_number(gap), jobs=jobs, output_bias=output_bias,
                   leaves=leaves, compact=compact, time_limit=time_limit, cover=cover)
    return _certificate_of(res, data)


def _certify_gated(X: Any, y: Any, lam: object, *, bias: bool, network: Any, sample,
                   seed: int, max_regions, gates: Any) -> Certificate:
    from .certificate.gated import certify_gated
    from .gated import GatedNetwork

    data = as_dataset(X, y, bias=bias)
    if network is not None and not isinstance(network, GatedNetwork):
        raise InputError("model='gated' needs a GatedNetwork (exactrelu.gated) as network")
    G = tuple(map(tuple, exact_matrix(gates, "gates"))) if gates is not None else None
    res = certify_gated(data, _lam(lam), gates=G, network=network, sample=sample, seed=seed,
                        max_regions=max_regions)
    return _certificate_of(res, data, model="gated")


def _certificate_of(res: Any, data: Dataset, model: str = "relu") -> Certificate:
    from .certificate.emit import dumps

    net = res.network
    if net is not None and data.bias and not net.bias_column and model == "relu":
        net = dataclasses.replace(net, bias_column=True)
    return Certificate(text=dumps(res.certificate), lower=res.lower, upper=res.upper,
                       exact=res.exact, complete=res.complete, patterns=res.patterns,
                       active_neurons=res.active_neurons, lam=res.program.lam,
                       bias=data.bias, network=net, seconds=res.seconds,
                       timings=res.timings, hint=res.hint, source=data.source,
                       route=res.route, tree_nodes=res.tree_nodes,
                       _solved=(res.program, res.exact_optimum), model=model)


def check(cert: Certificate | str | os.PathLike | bytes | dict, *,
          budget_digits: int | None = None) -> Verdict:
    """Verify a certificate exactly: a :class:`Certificate`, a file path, JSON bytes or a
    parsed JSON ``dict``.  The same verdicts as the standalone checker
    ``proofs_checks/check_cert.py``; true iff ``VERIFIED``.

    >>> import exactrelu as er
    >>> v = er.check(er.certify([[0], [1], [2]], [0, 1, 2], "1/2"))
    >>> v.verdict, v.code, bool(v)
    ('VERIFIED', 0, True)
    >>> er.check({"format": "exactrelu-certificate"}).verdict
    'MALFORMED'
    """
    from .certificate import check as chk

    budget = chk.DEFAULT_BUDGET_DIGITS if budget_digits is None else budget_digits
    if isinstance(cert, Certificate):
        res = chk.check_bytes(cert.text.encode("utf-8"), budget)
    elif isinstance(cert, (bytes, bytearray)):
        res = chk.check_bytes(bytes(cert), budget)
    elif isinstance(cert, dict):
        res = chk.check_obj(cert, budget)
    elif isinstance(cert, (str, os.PathLike)):
        res = chk.check_file(cert, budget)
    else:
        raise TypeError(f"cannot check a {type(cert).__name__}: pass a Certificate, a path, "
                        "JSON bytes or a dict")
    return Verdict(res.verdict, res.code, res.message, res.failed_check)


# --------------------------------------------------------------------- patterns, lam_max

def patterns(X: Any, *, bias: bool = False, sample: int | None = None, seed: int = 0,
             progress: bool = False, max_regions: int | None = MAX_REGIONS):
    """Every activation pattern of ``X``, with an exact witness for each.

    A pattern is ``D = diag(1[X g > 0])`` for a neuron ``g`` off every hyperplane
    ``x_k . g = 0``; the patterns are the regions of that central arrangement (there
    are ``Theta(n^(d-1))`` of them).  Returns a
    :class:`~exactrelu.arrangement.PatternSet`: ``bits[i]`` (``'1'`` = row active) and an
    integer witness ``g`` with ``(2 D_ik - 1) x_k . g > 0`` for every nonzero row;
    ``complete`` is true when every region is listed.  ``sample=N``: the patterns of
    ``N`` random Gaussian neurons instead (``complete`` false).

    >>> import exactrelu as er
    >>> ps = er.patterns([[1, 0], [0, 1], [1, 1]])
    >>> len(ps), ps.complete, sorted(ps.bits)      # 3 lines in the plane: 6 regions
    (6, True, ['000', '010', '011', '100', '101', '111'])
    """
    from .arrangement import enumerate_patterns, sample_patterns

    rows = _rows(X, "X")
    Xq = as_dataset(rows, [0] * len(rows), bias=bias).X
    if sample is None:
        return enumerate_patterns(Xq, progress=progress, max_regions=max_regions)
    return sample_patterns(Xq, sample, seed=seed)


def lam_max(X: Any, y: Any, *, bias: bool = False) -> LamMax:
    """``lam_max``, the smallest ``lam`` at which the zero network is optimal (exact).

    ``lam_max^2 = max_b ||Pi_{K_b}(s X^T D_b y)||^2`` over every pattern ``D_b`` and
    sign ``s`` (the dual constraint at the residual ``r = y``), from exact projections
    onto the cones ``K_b``.

    >>> import exactrelu as er
    >>> lm = er.lam_max([[1], [2]], [1, 1])
    >>> lm.squared, lm.value, lm.zero_is_optimal(3), lm.zero_is_optimal("2.9")
    (Fraction(9, 1), Fraction(3, 1), True, False)
    """
    from .paths import lam_max as _lam_max

    sq, v = _lam_max(as_dataset(X, y, bias=bias))
    return LamMax(sq, v)


# --------------------------------------------------------------------- optimal set

def optimal_set(cert: Certificate | str | os.PathLike, *, max_vertices: int = 10000
                ) -> OptimalSet:
    """The set of ALL optimal models of the convex program a certificate is about.

    At an exact optimum with residual ``r``, every block ``b`` with ``||q_b|| = lam``
    (the equicorrelation set) has a fixed direction ``v_b``, the projection of
    ``s X^T D_b r`` onto its cone, and the optima are exactly ``u_b = alpha_b v_b`` with
    ``alpha >= 0`` and ``sum_b alpha_b s_b D_b X v_b = y - r``: a polytope.  Its vertices
    are the minimal networks (linearly independent active fits).  Without an exact
    optimum, the polytope of rescalings of the certified model's neurons that keep its
    predictions is described instead (``exact`` false).  ``max_vertices`` bounds the
    vertex enumeration (beyond it ``all_vertices`` is false and one vertex is given).

    >>> import exactrelu as er
    >>> s = er.certify([[0], [1], [2]], [0, 1, 2], "1/2").optimal_set()
    >>> s.exact, s.unique, len(s.vertices), s.min_neurons
    (True, True, 1, 1)

    For a gated certificate (``model="gated"``, exact) the optimal set of the gated
    program: an :class:`exactrelu.optimal_sets.analysis.OptimalSet` (blocks keyed by
    gate pattern, ``v_b = X^T D_b r``, vertices, support, uniqueness).
    """
    if not isinstance(cert, Certificate):
        cert = Certificate.load(cert)
    if cert.model == "gated":       # C-GReLU: the analysis of optimal_sets/gated.py
        from .optimal_sets.gated import certificate_optimal_set

        return certificate_optimal_set(cert.document(), max_vertices=max_vertices)
    from .optimal_sets.describe import describe_optimal_set

    return describe_optimal_set(cert, max_vertices=max_vertices)


# --------------------------------------------------------------------- pruning

def prune(network: Any, X: Any, y: Any, lam: object, *, bias: bool = False,
          max_seconds: float | None = None):
    """Algorithm 1 of Mishkin & Pilanci (2023): the same predictions with fewer neurons.

    While the outputs ``(X W1_j)_+ w2_j`` on the data are linearly dependent, a null
    vector ``beta`` rescales the neurons by ``1 - t beta_j >= 0`` (one reaches zero);
    the predictions on ``X`` are unchanged and the balanced objective
    ``1/2 ||f - y||^2 + lam sum_j ||W1_j|| |w2_j|`` does not increase (decided
    exactly).  The result has linearly independent outputs, so at most ``n`` neurons.
    Returns a :class:`~exactrelu.pruning.PruneResult`: ``network`` (Algorithm 1's
    output), ``balanced_network`` (the same function with every neuron rebalanced --
    the one to use: its exact NC objective ``nc_objective_after`` is not larger than the
    input's ``nc_objective_before``), ``kept``, ``objective_not_larger``,
    ``predictions_equal`` and the exact balanced objectives.  A
    :class:`~exactrelu.gated.GatedNetwork` is pruned the same way (its neurons are free
    blocks ``W1_j w2_j`` with gate-pattern fits): a
    :class:`~exactrelu.pruning.gated.GatedPruneResult`.

    >>> import exactrelu as er
    >>> net = er.Network.from_numpy([[1], [2]], [1, 1])      # two parallel neurons
    >>> p = er.prune(net, [[1], [2]], [3, 6], "1/10")
    >>> p.neurons_before, p.neurons_after, p.predictions_equal, p.objective_not_larger
    (2, 1, True, True)
    >>> w, a = p.balanced_network.W1[0][0], p.balanced_network.w2[0]   # (3 x)_+ * 1
    >>> round(float(w), 9), round(float(a), 9)       # rebalanced: both near sqrt(3)
    (1.732050808, 1.732050808)
    >>> p.nc_objective_after < p.nc_objective_before
    True
    """
    from .gated import GatedNetwork
    from .pruning import prune_network

    if isinstance(network, GatedNetwork):     # Algorithm 1 for gated ReLU (pruning/gated.py)
        from .pruning.gated import prune_gated

        return prune_gated(network, as_dataset(X, y, bias=bias), _lam(lam))
    net = as_network(network, bias=bias)
    data = as_dataset(X, y, bias=bias)
    return prune_network(net, data, None, _lam(lam), max_seconds=max_seconds)


# --------------------------------------------------------------------- paths

def path(X: Any, y: Any, lams: Iterable[object], *, bias: bool = False,
         width: int | None = None, progress: bool = False,
         max_regions: int | None = MAX_REGIONS) -> tuple:
    """A certified regularisation path: proved bounds at every ``lam`` of ``lams``.

    Without ``width``: the convex optimum (= the global optimum over every width) at each
    ``lam``, warm-started along the path, with one completeness proof for all of them;
    returns :class:`~exactrelu.paths.PathPoint` objects (``lam``, ``lower``, ``upper``,
    ``exact``, ``neurons``, ``blocks``) in the order of ``lams``.  With ``width=m``: the
    optimum over networks of at most ``m`` neurons (a minimum over block sets; exact
    when rational) -- :class:`~exactrelu.paths.FixedWidthPoint` objects, whose jumps in
    ``lam`` are located by :func:`exactrelu.paths.fixed_width_path`.

    >>> import exactrelu as er
    >>> pts = er.path([[0], [1], [2]], [0, 1, 2], ["1/2", 1, 10])
    >>> [(p.lam, p.exact, p.neurons) for p in pts]
    [(Fraction(1, 2), True, 1), (Fraction(1, 1), True, 1), (Fraction(10, 1), True, 0)]
    """
    from .arrangement import enumerate_patterns
    from .paths import certified_path, fixed_width_path

    data = as_dataset(X, y, bias=bias)
    grid = [_lam(v) for v in lams]
    if width is not None and width < 1:
        raise DomainError("width must be a positive integer")
    ps = enumerate_patterns(data.X, progress=progress, max_regions=max_regions)
    if width is None:
        return tuple(certified_path(data, grid, patterns=ps, progress=progress or False))
    return tuple(fixed_width_path(data, grid, width, patterns=ps).points)

