"""Planted C-ReLU instances whose exact optimum is known by construction.

*Residual first* (docs/theory.md §5.0 (c)).  For a block ``b = (i, s)`` write
``c_b(r) = s X^T D_i r``.  If a rational residual ``r̂`` and ``lam`` satisfy

* ``c_b(r̂) = lam e_b`` with ``e_b`` a rational unit vector in ``K_i`` for every block of
  the support ``S``, and
* ``||Π_{K_i} c_b(r̂)|| < lam`` for every other block (strict dual feasibility),

then for any ``alpha_b > 0`` the blocks ``u_b = alpha_b lam e_b`` (``b ∈ S``), zero
elsewhere, are optimal for ``y = ŷ + r̂``, ``ŷ = sum_b s_b D_i X u_b``: ``(u, r̂)`` satisfies
the KKT conditions (docs/theory.md §2.1) with ``v_b = lam e_b``.  The optimal value is rational,

    p* = 1/2 ||r̂||^2 + lam sum_b ||u_b|| = 1/2 ||r̂||^2 + lam^2 sum_b alpha_b,

because ``||u_b|| = alpha_b lam`` exactly (``||e_b|| = 1``), and strong duality gives
``p* = r̂ . y - 1/2 ||r̂||^2``.  Strict feasibility makes the equicorrelation set equal to
``S``, so the optimal set is ``{alpha >= 0 : sum_b alpha_b s_b D_i X v_b = ŷ}`` (docs/theory.md
§2.4): a single point iff the active fits are linearly independent (§2.7).

Rational unit vectors come from inverse stereographic projection of rational points.
Blocks of neighbouring patterns (differing in fewer than ``d`` rows) have dependent
equations ``s X^T D_i r = lam e_b``; their directions are chained by rational reflections
``e' = e - 2 (e.w / ||w||^2) w``, which keep ``||e'|| = 1`` exactly.

Floats only guess (which blocks, which directions); everything returned is re-verified
exactly by :func:`check_planted` before it is handed out.

Modules: :mod:`.directions` (rational unit directions), :mod:`._float_guess` (the float half
of a draw), :mod:`.instance` (:func:`planted_instance`, :func:`check_planted`),
:mod:`.one_dimensional` (the closed form for ``d = 1``).
"""
from __future__ import annotations

from .directions import rational_unit_vector
from .instance import Planted, check_planted, planted_instance
from .one_dimensional import OneDimensional, one_dimensional_instance

__all__ = ["rational_unit_vector", "Planted", "planted_instance", "check_planted",
           "OneDimensional", "one_dimensional_instance"]
