"""Browser tests of the corpus pages: the same chromium and sign-in fixtures
as the annotation pages' browser tests."""

from tests.annotations.browser.conftest import browser, page_as  # noqa: F401
