"""Run the examples in the API modules' docstrings (config/ and the shared
field types sit outside pytest's doctest paths)."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from accounts import api_fields
from config import api, api_errors


@pytest.mark.parametrize("module", [api, api_errors, api_fields])
def test_module_doctests(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
