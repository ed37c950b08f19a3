r"""Numeric solve of the convex reformulation (C-ReLU) of a two-layer ReLU network.

Nothing returned here is trusted by the exact layer: this module only *produces* a
floating-point candidate (primal blocks, residual, dual multipliers) that the exact code
checks or re-derives in rational arithmetic.

The program
===========
Data ``X`` (n x d), targets ``y`` (n), ``lam > 0`` and a set of activation patterns
``patterns`` (p x n, bool; ``D_i = diag(patterns[i])``).  A *block* ``b = (i, s)`` is a
pattern together with a sign ``s in {+1, -1}``; ``A_i = (2 D_i - I) X`` and
``K_i = {u : A_i u >= 0}`` (on ``K_i``, ``D_i X u = (X u)_+``).  The program is::

    (C-ReLU)   minimize   1/2 || sum_b s_b D_i X u_b - y ||_2^2  +  lam * sum_b ||u_b||_2
               subject to A_i u_b >= 0               for every block b = (i, s),

with exactly these constants (the factor 1/2 on the loss and ``lam`` on the plain
2-norms; this is the scaling of the certificate format and of docs/theory.md §1.3).
A nonzero block maps to the neuron ``W1 = u_b / sqrt(||u_b||)``, ``w2 = s sqrt(||u_b||)``
of the network objective ``1/2 ||sum_j (X W1_j)_+ w2_j - y||^2 + lam/2 sum_j (||W1_j||^2 +
w2_j^2)``, with the same value.

Modules
=======
* :mod:`.working_set` -- :func:`solve_crelu`, :func:`solve_crelu_full`: the working-set
  loop and why its answer is optimal for all blocks;
* :mod:`.dual` -- the dual check of every block (one-row bounds, NNLS projections),
  :class:`DualMultipliers`, :func:`dual_check`;
* :mod:`.clarabel_qp` -- the restricted conic program passed to Clarabel, tolerances and
  stall handling;
* :mod:`.data` -- input validation, per-call precomputation, the redundant-sign-row guess;
* :mod:`.solution` -- :class:`CReLUSolution` and the certified (recomputed) gap.
"""
from __future__ import annotations

from .clarabel_qp import MIN_TOL, STALL_MAX_TOL  # noqa: F401 (constants, as before)
from .dual import NNLS_MARGIN, DualMultipliers, dual_check
from .solution import CReLUSolution
from .working_set import MAX_REPAIRS, VIOL_TOL, solve_crelu, solve_crelu_full  # noqa: F401

__all__ = ["CReLUSolution", "DualMultipliers", "solve_crelu", "solve_crelu_full", "dual_check",
           "NNLS_MARGIN"]
