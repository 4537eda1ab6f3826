"""The annotations browser fixtures (Debian's chromium through Playwright)."""

from tests.annotations.browser.conftest import browser, page_as

__all__ = ["browser", "page_as"]
