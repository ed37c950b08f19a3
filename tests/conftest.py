"""Hypothesis profiles: ``quick`` (default) and ``thorough`` (HYPOTHESIS_PROFILE=thorough,
run by ``bash setup.sh slow``)."""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("quick", max_examples=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=400, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))
