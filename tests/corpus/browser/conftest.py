"""Browser tests of the corpus pages: the same chromium and sign-in fixtures
as the annotations' browser tests (Debian's chromium through Playwright;
skipped without it, failed under CI=true)."""

from tests.annotations.browser.conftest import browser, page_as  # noqa: F401
