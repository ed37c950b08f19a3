"""Typed, immutable results of the public API (:mod:`exactrelu`).

Each result carries what the next step needs, so nothing is recomputed:

* :class:`Certificate` -- proved bounds ``lower <= p* <= upper`` on the global optimum,
  the certified :class:`~exactrelu.networks.Network`, and the v1 JSON text
  (``docs/spec/certificate-v1.md``) that :meth:`Certificate.save` writes byte for byte;
  :meth:`Certificate.optimal_set` reuses the exact optimum found while certifying.
* :class:`Verdict` -- the answer of a checker (``VERIFIED``/``REJECTED``/``MALFORMED``/
  ``UNDECIDED``); true iff ``VERIFIED``.
* :class:`OptimalSet` -- the set of all optima of the convex program: its support,
  the uniqueness verdict and the vertices (the minimal networks).
* :class:`LamMax` -- ``lam_max``, the smallest ``lam`` at which the zero network is optimal.

Output formats for the command line (one-line JSON, text) live in :mod:`exactrelu.cli`,
not here.
"""
from __future__ import annotations

import dataclasses

import json
import os
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Mapping

from .networks import Network

__all__ = ["Certificate", "Verdict", "OptimalSet", "LamMax"]

Block = tuple[str, int]          # (pattern bits, sign)


def _frozen_map(m: Mapping | None) -> Mapping:
    return MappingProxyType(dict(m or {}))


@dataclass(frozen=True, eq=False)
class Certificate:
    """Proved bounds on the global optimum of ReLU training, with their certificate.

    For data ``X`` (n x d), targets ``y`` and ``lam > 0``, ``p*`` is the optimal value of

        NC(W1, w2) = 1/2 ||sum_j (X W1_j)_+ w2_j - y||^2 + lam/2 sum_j (||W1_j||^2 + w2_j^2)

    over networks of every width.  ``lower <= p* <= upper`` is proved in exact rational
    arithmetic when :attr:`complete` is true (every activation region listed and proved
    complete, or -- :attr:`route` ``"cover"`` -- a cover proof of ``tree_nodes`` nodes,
    format 1.1; with sampled patterns the bounds hold for the convex program over those
    patterns only).  :attr:`exact` means ``lower == upper``: the optimum is known exactly.
    :attr:`network` is the certified network: its exact NC objective is at most ``upper``.

    Build one with :func:`exactrelu.certificate.produce` or :meth:`load`; :meth:`save` writes the
    certificate (format v1, ``docs/spec/certificate-v1.md``) exactly as produced or read,
    so ``Certificate.load(p).save(q)`` copies the file byte for byte.

    >>> import exactrelu as er
    >>> c = er.certify([[-1], [0], [1], [2]], ["1", "0", "1", "2"], "1/10", bias=True)
    >>> c.complete, c.lower <= c.upper
    (True, True)
    >>> bool(c.check())
    True
    """

    text: str = field(repr=False)
    lower: Fraction
    upper: Fraction
    exact: bool
    complete: bool
    patterns: int
    active_neurons: int
    lam: Fraction
    bias: bool
    network: Network | None = field(default=None, repr=False)
    seconds: float = field(default=0.0, compare=False)
    timings: Mapping[str, float] = field(default_factory=dict, repr=False, compare=False)
    hint: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)
    source: str | None = field(default=None, repr=False, compare=False)
    route: str = field(default="regions", compare=False)   # regions | cover (format 1.1)
    tree_nodes: int | None = field(default=None, compare=False)  # cover route: tree size
    # what certify() solved (the convex program and its exact optimum), so that
    # optimal_set() needs no second solve; None for a loaded certificate
    _solved: Any = field(default=None, repr=False, compare=False)
    # "relu", or "gated" (minor version 1.3: lower/upper/network are the gated ones)
    model: str = "relu"

    def __post_init__(self) -> None:
        object.__setattr__(self, "timings", _frozen_map(self.timings))
        if self.hint is not None:
            object.__setattr__(self, "hint", _frozen_map(self.hint))

    # -- values ------------------------------------------------------------------------
    @property
    def gap(self) -> Fraction:
        """``upper - lower`` (exact)."""
        return self.upper - self.lower

    @property
    def relative_gap(self) -> Fraction:
        """``(upper - lower) / upper`` (0 for an exact certificate or ``upper == 0``)."""
        return self.gap / self.upper if self.upper else Fraction(0)

    def document(self) -> dict:
        """A fresh copy of the certificate's JSON document (a ``dict``)."""
        return json.loads(self.text)

    # -- files -------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write the certificate to ``path`` atomically (nothing half-written)."""
        from .io.files import write_atomic

        write_atomic(path, self.text)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Certificate":
        """Read a certificate file.  Its numbers are parsed exactly; nothing in it is
        trusted: use :meth:`check` (or :func:`exactrelu.check`) to verify it.  A
        malformed file raises :class:`~exactrelu.errors.InputError` naming the field."""
        from .certificate.read import read_certificate
        from .io.files import read_text

        name = os.fspath(path)
        text = read_text(name, "certificate")
        c = read_certificate(name, text=text)
        net = c["network"]
        if net is not None and c["data"].bias and c.get("model", "relu") == "relu":
            net = dataclasses.replace(net, bias_column=True)
        if net is not None and c["output_bias"] is not None:     # minor version 1.2
            net = dataclasses.replace(net, output_bias=c["output_bias"][1])
        return cls(text=text, lower=c["lower"], upper=c["upper"],
                   exact=c["lower"] == c["upper"], complete=c["complete"],
                   patterns=len(c["patterns"]), active_neurons=c["active_neurons"],
                   lam=c["lam"], bias=c["data"].bias, network=net, source=name,
                   model=c.get("model", "relu"),
                   route="cover" if c["tree_nodes"] is not None else "regions",
                   tree_nodes=c["tree_nodes"])

    def __getstate__(self) -> dict:            # pickling drops the solver state
        state = {k: getattr(self, k) for k in self.__dataclass_fields__}
        state["timings"] = dict(self.timings)
        state["hint"] = None if self.hint is None else dict(self.hint)
        state["_solved"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        for k, v in state.items():
            object.__setattr__(self, k, v)
        self.__post_init__()

    # -- next steps --------------------------------------------------------------------
    def check(self, *, budget_digits: int | None = None) -> "Verdict":
        """Verify this certificate with the library checker (same verdicts as the
        standalone ``proofs_checks/check_cert.py``)."""
        from .api import check

        return check(self, budget_digits=budget_digits)

    def optimal_set(self, *, max_vertices: int = 10000) -> "OptimalSet":
        """The set of all optima (see :func:`exactrelu.optimal_set`)."""
        from .api import optimal_set

        return optimal_set(self, max_vertices=max_vertices)

    def __repr__(self) -> str:
        kind = "exact" if self.exact else f"gap {float(self.gap):.3g}"
        return (f"Certificate(lower={self.lower}, upper={self.upper}, {kind}, "
                f"complete={self.complete}, patterns={self.patterns}, "
                f"active_neurons={self.active_neurons})" if len(str(self.lower)) < 60 else
                f"Certificate(lower~{float(self.lower):.12g}, upper~{float(self.upper):.12g}, "
                f"{kind}, complete={self.complete}, patterns={self.patterns}, "
                f"active_neurons={self.active_neurons})")


@dataclass(frozen=True)
class Verdict:
    """A checker's answer.  ``bool(verdict)`` is true iff ``VERIFIED``.

    ``verdict`` is ``VERIFIED`` (exit code 0), ``REJECTED`` (1, ``failed_check`` names
    the check 1-6 of the format, or 6 + k of a minor version 1.k), ``MALFORMED`` (2) or
    ``UNDECIDED`` (3, a size budget was exceeded); ``message`` is the one line the command
    line prints.
    """

    verdict: str
    code: int
    message: str
    failed_check: int | None = None

    @property
    def verified(self) -> bool:
        return self.verdict == "VERIFIED"

    def __bool__(self) -> bool:
        return self.verified


@dataclass(frozen=True)
class OptimalSet:
    """All optima of the convex program (Mishkin & Pilanci 2023, ``docs/theory.md``).

    With an exact optimum (``exact``): every optimum is ``u_b = alpha_b v_b`` with
    ``alpha >= 0`` and ``sum_b alpha_b s_b D_b X v_b = fit``, a polytope in ``alpha``.
    ``support`` lists the blocks ``(pattern bits, sign)`` that are positive somewhere on
    it, ``unique`` says whether it is a single point (with ``witness``, a null direction,
    when it is not), ``vertices`` are its extreme points as ``{support index: alpha}``
    (each a minimal network: linearly independent active fits) -- all of them when
    ``all_vertices``.  ``min_neurons`` is the fewest neurons of an optimal network.
    ``min_norm`` is the minimum-norm optimum (``alpha``, with the KKT multipliers
    ``min_norm_mu``), ``sum_alpha`` the constant ``sum_b alpha_b`` over the set, and
    ``network_unique`` whether the ReLU network is unique up to permutation and
    splitting of neurons.

    Without an exact optimum (``exact`` false) ``unique`` is the verdict that format 1.5
    proves (``enclosure``; ``None`` when not decided), and ``support``, ``vertices``
    describe the polytope of rescalings of the certified model's neurons that keep its
    training predictions (``relative_to`` says of which: ``"network"`` or ``"blocks"``;
    its own uniqueness is ``model_unique``); vertices are then keyed by neuron index and
    ``vertex_objective_upper`` bounds each vertex's objective.
    """

    exact: bool
    unique: bool | None
    support: tuple[Block, ...]
    vertices: tuple[Mapping[int, Fraction], ...]
    all_vertices: bool
    min_neurons: int | None
    value: Fraction | None = None
    witness: Mapping[int, Fraction] | None = None
    min_norm: Mapping[int, Fraction] | None = None
    min_norm_mu: tuple[Fraction, ...] | None = None
    sum_alpha: Fraction | None = None
    network_unique: bool | None = None
    equicorrelated: tuple[Block, ...] = ()
    relative_to: str | None = None
    dimension: int | None = None
    vertex_objective_upper: tuple[Fraction, ...] | None = None
    lower: Fraction | None = None
    upper: Fraction | None = None
    #: without an exact optimum: what format 1.5 proves about the optimal set itself
    #: (:func:`exactrelu.optimal_sets.enclosure.enclosure_report`, plus ``verified``,
    #: ``computed_now``, ``complete``), or ``None`` when not available
    enclosure: Mapping[str, Any] | None = None
    model_unique: bool | None = None
    _internal: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "vertices", tuple(_frozen_map(v) for v in self.vertices))
        for name in ("witness", "min_norm"):
            v = getattr(self, name)
            if v is not None:
                object.__setattr__(self, name, _frozen_map(v))


@dataclass(frozen=True)
class LamMax:
    """``lam_max``: the zero network is optimal iff ``lam >= lam_max``.

    ``lam_max^2 = max_b ||Pi_{K_b}(s X^T D_b y)||^2`` over every block (exact cone
    projections).  ``squared`` is that rational; ``value`` is ``lam_max`` itself when it
    is rational, else ``None`` (compare ``lam**2`` with ``squared``).  ``float(x)`` is an
    estimate for display.
    """

    squared: Fraction
    value: Fraction | None

    def zero_is_optimal(self, lam: object) -> bool:
        """Exactly: is the zero network optimal at ``lam``?"""
        from .api import exact_number

        q = exact_number(lam)
        return q > 0 and q * q >= self.squared

    def __float__(self) -> float:
        from math import sqrt

        return float(self.value) if self.value is not None else sqrt(float(self.squared))
