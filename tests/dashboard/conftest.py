"""Fixtures of the dashboard tests."""

import pytest
from dash_trees import write_cal_versions


@pytest.fixture(scope="module")
def cal_results(tmp_path_factory):
    return write_cal_versions(tmp_path_factory.mktemp("cal_results"))
