"""Fixtures of the dashboard tests."""

import pytest
from dash_trees import write_cal_versions


@pytest.fixture(scope="module")
def cal_results(tmp_path_factory):
    return write_cal_versions(tmp_path_factory.mktemp("cal_results"))


@pytest.fixture(scope="session")
def explorer_cache(tmp_path_factory):
    """The model explorer's cache folder for the tests (never the user's cache)."""
    return tmp_path_factory.mktemp("explorer_cache")


@pytest.fixture(scope="session")
def explorer_ctx(explorer_cache):
    """The explorer on 150 of the digits with the default CNN trained for 2 epochs."""
    from spacekit.dashboard.explorer.context import build_context

    return build_context(None, "digits", max_samples=150, epochs=2, cache=explorer_cache)
