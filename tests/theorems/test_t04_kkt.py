"""T4 -- every optimum carries an exact KKT certificate.

Claim (docs/theory.md §2.1, §2.3, §5.2 T4): ``w`` is optimal iff, at its own residual
``r = y - sum_b Z_b w_b``, the projected correlations ``v_b = Π_{K_b}(Z_b^T r)`` satisfy
``||v_b|| <= lam`` for every block, every active block is ``w_b = alpha_b v_b`` with
``alpha_b = v_b^T w_b / lam^2 >= 0`` (so ``||v_b|| = lam``), and the projection
multipliers satisfy ``rho >= 0``, ``rho_k (A_b w_b)_k = 0``.

Property: planted instances; every reachable optimal point (planted, every vertex,
convex combinations, the float solve refined exactly) passes the exact check.
Negative control: one active block scaled by 3/2 fails it, and that point is indeed
not optimal (exact objective comparison).
"""
from __future__ import annotations

from hypothesis import given

from exactrelu.planted import planted_instance
from exactrelu.testing.strategies import planted_instances

from ._claims import T


@given(planted_instances())
def test_optimal_points_have_kkt_certificates(p):
    T.t4_check(p)


@given(planted_instances())
def test_negative_control_scaled_block(p):
    T.t4_control(p)


def test_zero_is_optimal_only_above_lam_max():
    """w = 0: the certificate is dual feasibility of r = y alone."""
    p = planted_instance(6, 2, 2, seed=0)
    assert T.kkt_failure(p.program, p.blocks) is None
    assert T.kkt_failure(p.program, {}) is not None          # lam < lam_max here
