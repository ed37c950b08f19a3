"""``route="auto"``: which route it picks, by the general-position region bound and the
dimension (exactrelu.certificate.cover_certify.choose_route)."""
from __future__ import annotations

from fractions import Fraction

import pytest

from exactrelu.arrangement import region_bound
from exactrelu.certificate.cover_certify import AUTO_REGIONS, AUTO_REGIONS_LOW_D, choose_route
from exactrelu.errors import TooManyRegions
from exactrelu.problem import Dataset


def _data(n: int, d: int) -> Dataset:
    """Distinct rows in general position (moment-curve points), a bias column added."""
    X = [[Fraction(k + 1) ** (j + 1) for j in range(d - 1)] for k in range(n)]
    return Dataset.from_arrays(X, [Fraction(k % 3) for k in range(n)], bias=True)


@pytest.mark.parametrize("n, d, expect", [
    (40, 3, "regions"),      # 1,562 regions
    (80, 3, "regions"),      # ~6,300: above AUTO_REGIONS, but d <= 3
    (200, 3, "cover"),       # ~39,800: above AUTO_REGIONS_LOW_D
    (30, 4, "cover"),        # ~8,200 at d = 4: above AUTO_REGIONS
    (12, 4, "regions"),
])
def test_auto_picks_by_region_bound_and_dimension(n, d, expect):
    data = _data(n, d)
    bound = region_bound(data.X)[0]
    limit = AUTO_REGIONS_LOW_D if d <= 3 else AUTO_REGIONS
    assert (bound <= limit) == (expect == "regions")      # the case is what it says
    assert choose_route(data, "auto", None) == expect
    assert choose_route(data, "regions", None) == "regions"
    assert choose_route(data, "cover", None) == "cover"


def test_auto_refuses_beyond_the_size_guard():
    with pytest.raises(TooManyRegions, match="--route cover"):
        choose_route(_data(200, 3), "auto", None, max_regions=10_000)
    assert choose_route(_data(200, 3), "auto", None, max_regions=10 ** 6) == "cover"
