"""Hypothesis profiles: ``quick`` (default) and ``thorough`` (HYPOTHESIS_PROFILE=thorough,
run by ``bash setup.sh slow``)."""
import os

import pytest

from hypothesis import HealthCheck, settings

settings.register_profile("quick", max_examples=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=400, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


@pytest.fixture(scope="module")
def splits_covers():
    """``cover="auto"`` picks a simplex cover (format 1.7) in dimension <= 3; the modules
    that test sign-split trees (1.1 / 1.6) on small data ask for those (``MAX_D = 0``,
    before their module-scoped fixtures run)."""
    from exactrelu.certificate import simplex_cover

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(simplex_cover, "MAX_D", 0)
        yield
