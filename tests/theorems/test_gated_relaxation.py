"""Gated ReLU is a relaxation of ReLU training when the gates realise every pattern.

Claim (docs/theory.md §1.5, "Gated ReLU and ReLU"): if the gate patterns include every
activation pattern of X, then ``p*_G <= p*``, the optimum of ReLU training.  Proof: an
optimum of C-ReLU has blocks ``u_(i,s)`` in the cones ``K_i`` with fit
``sum s D_i X u_(i,s)``; ``v_i = u_(i,+) - u_(i,-)`` has the same fit in C-GReLU and
``||v_i|| <= ||u_(i,+)|| + ||u_(i,-)||``, so ``G(v) <= C(u) = p*``.  Also, exactly: a ReLU
neuron ``(x.w)_+ a`` is the gated neuron with gate ``w`` (``1[x.w >= 0] (x.w) a``), so a
ReLU network has the same objective as a gated network.

Property (random datasets, both bounds from exact certificates, both VERIFIED by the
standalone checker): ``gated.lower <= relu.upper``, i.e. the certified intervals are
consistent with ``p*_G <= p*`` (``lG <= p*_G <= p* <= uR``); the ReLU certificate's
network, read as a gated network with its own rows as gates, has exactly the same
objective, and the gated certificate with those gates added bounds it from below.
Example: on the README data the relaxation is strict, proved (``uG < lR``).
Negative control: with gates that miss patterns the gated optimum can be larger
(``[1, 0], [-1, 0]`` on the same data: ``lG > uR``, proved), so the hypothesis matters.
"""
from __future__ import annotations

import sys
from fractions import Fraction as F
from pathlib import Path

from hypothesis import given, settings

from exactrelu.certificate.gated import certify_gated
from exactrelu.certificate.produce import certify
from exactrelu.gated import GatedNetwork
from exactrelu.problem import Dataset
from exactrelu.testing.strategies import datasets, lams

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "proofs_checks"))
import check_cert as cc  # noqa: E402

README = Dataset.from_arrays([[-2, 1], [-1, 1], [0, 1], [1, 1], [2, 1]],
                             ["1", "1/4", "0", "1/2", "2"])


def _verified(res):
    out = cc.check(res.certificate)
    assert out.verdict == "VERIFIED", out.message
    return res


@settings(max_examples=25, deadline=None)
@given(datasets(n=(1, 5), d=(1, 2), bias=None), lams())
def test_gated_optimum_not_above_relu_optimum(data, lam):
    relu = _verified(certify(data, lam, progress=False))
    gated = _verified(certify_gated(data, lam))        # one gate per region: complete
    assert gated.complete and set(gated.program.patterns) == \
        set(relu.certificate["patterns"]["bits"])
    assert gated.lower <= relu.upper                    # lG <= p*_G <= p* <= uR
    # the ReLU network is a gated network with its own rows as gates: same objective
    net = relu.network
    if net.width:
        as_gated = GatedNetwork(net.W1, net.W1, net.w2, data.bias, data.d)
        assert as_gated.nc_objective(data, lam) == net.nc_objective(data, lam)
        given_net = _verified(certify_gated(data, lam, network=as_gated,
                                            gates=gated.program.gates))
        assert given_net.lower <= net.nc_objective(data, lam) <= given_net.upper


def test_example_relaxation_is_strict():
    lam = F(1, 10)
    relu, gated = certify(README, lam), _verified(certify_gated(README, lam))
    assert gated.upper < relu.lower                      # p*_G < p*, proved
    assert 0 < relu.lower - gated.upper                  # ~0.089


def test_negative_control_missing_patterns():
    lam = F(1, 10)
    relu = certify(README, lam)
    gated = _verified(certify_gated(README, lam, gates=[[1, 0], [-1, 0]]))
    assert len(gated.program.patterns) == 2 < relu.patterns
    assert gated.lower > relu.upper                     # not a relaxation: p*_G > p*
