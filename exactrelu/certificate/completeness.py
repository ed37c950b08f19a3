"""Completeness of a list of activation patterns (certificate v1, check 2).

A list of patterns is *complete* when it holds every region of the central arrangement
``{g : x_k . g = 0}``.  The certificate proves it in one of two ways
(``docs/spec/certificate-v1.md``, check 2):

* **general position** -- no zero row, ``n >= d``, every ``d x d`` minor of ``X``
  nonzero and ``2 * sum_{k<d} C(n-1, k)`` distinct patterns (Cover/Winder).  No entries
  needed; the test costs ``C(n, d)`` integer determinants.
* **Gordan entries** -- group the nonzero rows into parallel classes.  For every listed
  pattern ``i`` and class ``C``, flipping the signs of ``C`` either gives a listed pattern
  or is shown infeasible by ``y >= 0, y != 0`` with ``sum_k y_k t_k x_k = 0`` (``t`` the
  flipped signs; Gordan's alternative).

How the Gordan entries are found (fast, exact).  Write ``s_c h_c`` for the normal of class
``c`` signed so that it is positive on region ``i``.  If the list is complete, the classes
whose flip is listed are exactly the *walls* (facets) of region ``i``'s closed cone
``K_i``, and ``K_i = {g : s_j h_j . g >= 0, j a wall}``.  A non-wall ``s_c h_c`` is
nonnegative on ``K_i``, so by Farkas ``s_c h_c = sum_j c_j s_j h_j`` with ``c >= 0`` over
the walls, and ``y = 1`` on a row of ``C`` plus ``y_j = c_j`` on one row of each wall is
a Gordan certificate (the flipped row enters with ``-s_c h_c``).  All computations run in
the row space of ``X`` (coordinates = the pivot columns of its RREF, which is injective on
the row space), so rank-deficient ``X`` needs nothing special.  Per region:

1. *Simplicial* region (exactly ``r = rank X`` walls): ``c = W^{-1} b`` for all non-wall
   columns at once, with the integer adjugate of ``W``.
2. Otherwise a float guess of a basis of ``r`` walls whose simplicial cone contains ``b``
   (all ``r``-subsets of the walls solved in one batched NumPy call, or NNLS per column
   when there are many walls), then the same exact integer adjugate check.
3. A guess that fails the exact check goes to an exact LP (``cdd.gmp``) over the walls,
   then over all classes (plain Gordan LP).  If that has no solution either, the flipped
   sign vector is a region that is *not listed*: :class:`~exactrelu.errors.ExactReluError`.

Every ``y`` is exact; it is a vector of integers with gcd 1 when every row of ``X`` is a
primitive integer vector (else each entry carries its row's scale factor).  Cost: about
15 us per (region, non-wall class) pair (n = 30, d = 4, 8180 regions: ~3 s; see
``bench/bench_completeness.py``).  :func:`verify_completeness` re-checks a proof exactly,
mirroring the spec.

Modules: :mod:`.completeness_results` (the proof objects and their JSON form),
:mod:`.gordan_prover` (building the Gordan entries, exact), :mod:`._gordan_float_guess`
(the float guesses of step 2, each verified exactly), :mod:`.completeness_verify` (the
exact re-check); this module chooses the route.
"""
from __future__ import annotations

import time
from typing import Any, Sequence

from ..arrangement import check_matrix_shape, is_general_position, region_count_general_position
from ..errors import ExactReluError
from .completeness_results import (CompletenessProof, GordanEntry, _bits_of, _gc_paused,
                                   proof_from_json)
from .completeness_verify import verify_completeness
from .gordan_prover import _Gordan

__all__ = ["GordanEntry", "CompletenessProof", "completeness_proof", "verify_completeness",
           "proof_from_json"]


#: With ``compact``, a Gordan route with more (region, non-wall class) pairs than this
#: writes wall bases (format 1.4, ``patterns.gordan_bases``) instead of v1 entries
#: (about 90 bytes each; 20,000 entries are about 1.8 MB).
COMPACT_MIN_PAIRS = 20_000


def completeness_proof(X: Sequence[Sequence[object]], patterns: Any, *,
                       route: str = "auto", compact: bool = False) -> CompletenessProof:
    """Proof that ``patterns`` (a :class:`~exactrelu.arrangement.PatternSet` or a list of bit
    strings) holds every region of ``X``'s central arrangement.

    ``route="auto"``: the general-position route when it applies (count equal to
    ``2 * sum_{k<d} C(n-1, k)``, no zero rows, ``n >= d``, all ``d x d`` minors nonzero,
    tested exactly), else Gordan entries -- or, with ``compact`` and more than
    ``COMPACT_MIN_PAIRS`` non-wall pairs, wall bases (:mod:`.gordan_bases`, format 1.4).  ``route="gordan"`` always builds Gordan
    entries; ``route="general_position"`` raises if that route does not apply.

    Raises :class:`~exactrelu.errors.ExactReluError` when the list is malformed or not
    complete (a flipped sign vector is a region that is not listed).
    """
    t0 = time.perf_counter()
    if route not in ("auto", "gordan", "general_position"):
        raise ValueError(f"route must be 'auto', 'gordan' or 'general_position', not {route!r}")
    n, d = check_matrix_shape(X)
    bits = _bits_of(patterns)
    if route in ("auto", "general_position"):
        gp = (n >= d and len(bits) == region_count_general_position(n, d)
              and len(set(bits)) == len(bits)
              and all(isinstance(b, str) and len(b) == n and not set(b) - {"0", "1"}
                      for b in bits)
              and is_general_position(X))
        if gp:
            return CompletenessProof(True, [], time.perf_counter() - t0,
                                     {"regions": len(bits)})
        if route == "general_position":
            raise ExactReluError("the general-position route does not apply (zero rows, "
                                 "n < d, a vanishing d x d minor or the wrong count)")
    G = _Gordan(X, bits)
    if compact and int((~G.wall).sum()) > COMPACT_MIN_PAIRS:
        from .gordan_bases import wall_bases

        found = wall_bases(G)
        if found is not None:
            return CompletenessProof(False, [], time.perf_counter() - t0, found[1], found[0])
    out: list[GordanEntry] = []
    with _gc_paused():
        for i in range(len(bits)):
            G.region(i, out)
    return CompletenessProof(False, out, time.perf_counter() - t0, dict(G.stats))
