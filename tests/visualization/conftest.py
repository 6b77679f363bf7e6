"""Fixtures of the dashboard-toolkit compatibility tests: tiny Keras models and digits."""

import pytest
import toolkit_models as tm


@pytest.fixture(scope="module")
def toolkit_data():
    return tm.digits()


@pytest.fixture(scope="module")
def toolkit_cnn():
    return tm.cnn(pytest.importorskip("keras"))


@pytest.fixture(scope="module")
def toolkit_transformer():
    return tm.transformer(pytest.importorskip("keras"))
