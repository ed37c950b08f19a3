r"""The optimal set of the convex program (and of ReLU training), exactly.

Mishkin & Pilanci (2023), docs/theory.md §2.2-2.9, §2.12.  Given the exact optimal
residual ``r`` (so the fit ``yhat = y - r`` is known), every optimum of a constrained group
lasso (CGL) -- C-ReLU is one, with blocks ``b = (i, s)``, ``Z_b = s D_i X`` and cones
``K_b = {u : A_b u >= 0}`` -- is ``w_b = alpha_b v_b``, where

* ``v_b = Proj_{K_b}(Z_b^T r)`` with projection multipliers ``rho_b`` (Moreau),
* ``E = {b : ||v_b||^2 = lam^2}`` is the *equicorrelation set* (all other blocks are zero),
* ``alpha`` ranges over the polytope
  ``P = {alpha in R^E, alpha >= 0 : sum_b alpha_b Z_b v_b = yhat}`` (docs/theory.md §2.4).

On ``P`` the objective is constant: ``||w_b|| = alpha_b lam`` and
``sum_b alpha_b = <yhat, r> / lam^2`` (so ``P`` is bounded).  This package computes, all in
exact rational arithmetic (``fractions.Fraction`` at the API, python-flint and
``cdd.gmp`` inside):

* the **support set** ``S = {b : max_{alpha in P} alpha_b > 0}`` by exact LPs
  (:mod:`.polytope`, :mod:`.simplex`);
* **all vertices** of ``P`` (pycddlib, exact; :mod:`.vertex_enumeration` for the second
  opinions); a vertex is exactly a point whose active fits are linearly independent, i.e.
  a *support-minimal* optimal model (docs/theory.md §2.9, Lemma 8 of
  ``proofs_checks/SPEC.md``); each is re-verified independently;
* the **uniqueness verdict**: the optimum is unique iff the fits of ``S`` are linearly
  independent (docs/theory.md §2.7); otherwise a null vector is returned as witness;
* the **min-norm solution** ``argmin ||w||`` (= ``argmin ||alpha||`` over ``P``), with its
  exact KKT certificate ``alpha = (M^T mu)_+`` (docs/theory.md §2.12, T23;
  :mod:`.min_norm_point`);
* both notions of minimality (docs/theory.md §2.9): *support-minimal* (= vertex) and
  *cardinality-minimal* (fewest neurons = the minimum over the vertices;
  :mod:`.minimality`);
* exact samples of ``P`` (:mod:`.sampling`);
* the ``optimal_set`` section of a certificate (format v1, check 6; :mod:`.analysis`).

The polytope machinery (:class:`Polytope`) is generic: it runs on any
``{alpha >= 0 : M alpha = b}`` given by exact columns, :func:`cgl_optimal_set` runs it on a
generic CGL (:mod:`.cgl`) from its optimal residual, :mod:`.model` on the rescalings of a
rational model (the model-relative polytope, for irrational optima), and :mod:`.describe`
turns a certificate into the typed :class:`exactrelu.results.OptimalSet` of the public API.

Floats are used only to *guess* (:mod:`._float_guess`: start bases, pivot scaling, a dual
warm start, a QP point); every returned object has passed an exact check.
"""
from __future__ import annotations

from ..linalg import independent, null_basis, null_vector, rank
from .analysis import OptimalSet, optimal_set, optimal_set_section
from .cgl import CGL, cgl_optimal_set, example_b
from .min_norm_point import MinNorm
from .mirror_vertices import ReducedVertices, reduced_vertices
from .minimality import (Minimality, check_collinear, check_segment, corollary41_network,
                         minimality, network_minimality, objective_at)
from .polytope import Polytope
from .sampling import Samples, hit_and_run, mix_vertices
from .vertex_enumeration import PolytopeTooLarge

__all__ = [
    # exact linear algebra
    "rank", "null_vector", "null_basis", "independent",
    # the generic polytope
    "Polytope", "MinNorm", "PolytopeTooLarge", "Samples", "mix_vertices", "hit_and_run",
    # optimal sets
    "CGL", "OptimalSet", "cgl_optimal_set", "optimal_set", "optimal_set_section",
    "example_b", "ReducedVertices", "reduced_vertices",
    # minimality and networks
    "Minimality", "minimality", "network_minimality", "corollary41_network",
    "check_collinear", "check_segment", "objective_at",
]
