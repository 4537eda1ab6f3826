"""Request field types and the error shape shared by every JSON API router.

They live in the lowest app so that each app's router (search, annotations)
can use them without importing an app above it; ``config/api.py`` assembles
the routers into one NinjaAPI and turns refusals into the JSON error body
``{"error": message, "errors": {field: [messages]}}``.

The types carry the rules the OpenAPI description shows (bounds, lengths) and
the ones it cannot (ASCII digits only, storable text); the validation-error
handler in ``config/api.py`` words every violation for a person.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from annotated_types import Interval
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, StrictStr
from pydantic_core import PydanticCustomError

MAX_NUMBER = 10**9  # ids, offsets and pages above this are refused, not looked up
WHOLE_NUMBER = "whole_number"
UNSTORABLE = "unstorable"


class ApiError(Exception):
    """A refusal with its HTTP status; the message is shown to the caller."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors
        self.headers = headers or {}  # e.g. Retry-After on a 429

    def body(self) -> dict[str, Any]:
        """The JSON body every API refusal has."""
        body: dict[str, Any] = {"error": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


class ErrorOut(Schema):
    """Every 4xx answer of the API."""

    error: str = Field(description="What went wrong, in a sentence.")
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages by field, where a field is wrong."
    )


def ascii_digits(value: object) -> object:
    """Query-string numbers: ASCII digits only. ``str.isdigit`` admits "²"
    (which ``int`` then refuses) and pydantic admits "+5", " 5" and "5_000".

    >>> ascii_digits("42"), ascii_digits(7)
    ('42', 7)
    >>> ascii_digits("²")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.PydanticCustomError: must be a whole number
    """
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise PydanticCustomError(WHOLE_NUMBER, "must be a whole number")
    return value


def storable(text: str) -> bool:
    """Whether a database (and a UTF-8 encoder) can store ``text``: JSON may
    carry a NUL or an unpaired surrogate ("\\ud800"), neither of which can be.

    >>> storable("café"), storable("a\\x00b"), storable("\\ud800")
    (True, False, False)
    """
    return "\x00" not in text and not _SURROGATE.search(text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _require_storable(text: str) -> str:
    if not storable(text):
        raise PydanticCustomError(
            UNSTORABLE, "contains a NUL or an unpaired surrogate character"
        )
    return text


# (annotated_types bounds, not Field(): they hold inside ``X | None`` too.)
# A number in a query string or a path: ASCII digits, 0 to MAX_NUMBER.
QueryInt = Annotated[int, Interval(ge=0, le=MAX_NUMBER), BeforeValidator(ascii_digits)]
# The same from 1 (a page, a page size). Its own type: a Field(ge=1) beside
# QueryInt would be overridden by QueryInt's bound, in checks and description.
CountingInt = Annotated[
    int, Interval(ge=1, le=MAX_NUMBER), BeforeValidator(ascii_digits)
]


def integral(value: object) -> object:
    """JSON Schema counts 5.0 as an integer (the description says "integer"),
    so a body may send it; any other float, a string or a bool stays refused.

    >>> integral(5.0), integral(5), integral(5.5), integral(True)
    (5, 5, 5.5, True)
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# A number in a JSON body: a JSON integer (5 or 5.0, not true, "1" or 5.5),
# 0 to MAX_NUMBER.
BodyInt = Annotated[StrictInt, Interval(ge=0, le=MAX_NUMBER), BeforeValidator(integral)]
# Text a database can store (no NUL, no lone surrogate).
Text = Annotated[StrictStr, AfterValidator(_require_storable)]
