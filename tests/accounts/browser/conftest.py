"""Browser tests of the account pages: the same chromium and sign-in
fixtures as the annotations' browser tests (Debian's chromium through
Playwright; skipped without it, failed under CI=true), at the same two
viewports."""

from tests.annotations.browser.conftest import (  # noqa: F401
    browser,
    page_as,
    pytest_configure,
    pytest_generate_tests,
)
