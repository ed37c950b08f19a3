"""The standalone checker rejects every corruption of a produced certificate.

Claim (certificate format v1, checks 1-5; ``proofs_checks/check_cert.py``): an exact
certificate produced by ``certify`` (``lower == upper == p*``, complete pattern list)
is VERIFIED, and each corruption in a family that provably falsifies it -- claim bounds
moved the wrong way, the dual residual or a target bumped, lam doubled or halved, a
pattern dropped, a pattern bit flipped, a witness zeroed, a block doubled, a multiplier
made negative, the network unbalanced -- is REJECTED or MALFORMED, never VERIFIED.

Property: small planted instances with a unique optimum, certified; a random family at a
random place (Hypothesis), plus every family once per certificate.
Negative control: the produced certificate and its legitimate weakenings (lower bound
lowered, upper bound raised) are VERIFIED -- the checker is not rejecting all edits.
"""
from __future__ import annotations

import random

from hypothesis import assume, given, strategies as st

from exactrelu.certificate.produce import certify
from exactrelu.testing.strategies import planted_instances

from ._claims import T

FAMILIES = sorted(T.corruption_families({"blocks": [1], "network": {},
                                         "dual": {"rho": [{"values": {"0": "1"}}]}}))


@st.composite
def certificates(draw):
    p = draw(planted_instances(n=(3, 6), d=(1, 2), k_active=(1, 2), unique=True))
    res = certify(p.data, p.lam, progress=False)
    assume(res.exact and res.lower == p.value)
    return T.CertInstance(p, res.certificate)


@given(certificates(), st.sampled_from(FAMILIES), st.integers(0, 2 ** 32 - 1))
def test_corruption_rejected(inst, family, seed):
    assume(family in T.corruption_families(inst.cert))
    T.checker_check(inst, [family], random.Random(seed))


@given(certificates())
def test_every_family_once(inst):
    T.checker_check(inst)


@given(certificates())
def test_negative_control_valid_certificates_verify(inst):
    T.checker_control(inst)
