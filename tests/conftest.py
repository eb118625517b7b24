"""Shared test setup.  Tests import the *installed* compactcol (never the
source folder); the header says which one was imported."""

import os

import compactcol
from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=100, deadline=None)
# Under the sanitizers everything runs ~10x slower: fewer examples.
settings.register_profile("sanitize", max_examples=25, deadline=None,
                          suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_report_header(config):
    return f"compactcol {compactcol.__version__} from {os.path.dirname(compactcol.__file__)}"
