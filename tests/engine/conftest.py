"""Hypothesis profiles for the engine tests, unless the root conftest already registers them."""

import os

from hypothesis import HealthCheck, settings
from hypothesis.errors import InvalidArgument

try:
    settings.get_profile("dev")  # "ci" alone proves nothing: Hypothesis ships a built-in one
except InvalidArgument:
    settings.register_profile("ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    if os.environ.get("HYPOTHESIS_PROFILE") in ("ci", "dev"):
        settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
