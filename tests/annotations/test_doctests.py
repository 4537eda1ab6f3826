"""Run the examples in the annotations modules' docstrings."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from accounts import roles
from annotations import (
    adjudication,
    agreement,
    anchoring,
    forms,
    hierarchy,
    sentences,
)


@pytest.mark.parametrize(
    "module", [agreement, anchoring, forms, hierarchy, roles, sentences, adjudication]
)
def test_module_doctests(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
