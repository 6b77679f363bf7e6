import sys

import pytest

from spacekit import OptionalDependencyError, SpacekitError
from spacekit._optional import EXTRAS, is_available, require


@pytest.mark.parametrize("module", sorted(EXTRAS))
def test_missing_optional_dependency_names_extra(monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # makes the import fail
    with pytest.raises(ImportError, match=rf'pip install "spacekit\[{EXTRAS[module]}\]"') as info:
        require(module, feature="testing")
    assert isinstance(info.value, OptionalDependencyError)
    assert isinstance(info.value, SpacekitError)
    assert "for testing" in str(info.value)


def test_require_returns_module():
    assert require("json").dumps([1]) == "[1]"


def test_is_available():
    assert is_available("json")
    assert not is_available("spacekit_no_such_module")
