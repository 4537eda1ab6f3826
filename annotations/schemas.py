"""The API's request and response schemas for themes and annotations.

Requests are validated against these (pydantic, through django-ninja) and the
OpenAPI description at /api/openapi.json is generated from them, so the two
cannot drift. Request schemas forbid unknown fields: a typo is a 400, not a
silently ignored change. Offsets are Python code points into the paragraph's
text, end exclusive (README, "Text and offsets").
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from annotated_types import MaxLen, MinLen
from ninja import Schema
from pydantic import ConfigDict, Field, model_validator

from accounts.api_fields import BodyInt, Text
from annotations.services import BULK_MAX_ITEMS

NOTE_MAX_LENGTH = 5000
MAX_THEMES = 50

# (annotated_types bounds, not Field(): they hold inside ``X | None`` too.)
Slug = Annotated[Text, MaxLen(100)]
ThemeSlugs = Annotated[list[Slug], MinLen(1), MaxLen(MAX_THEMES)]


class RequestSchema(Schema):
    model_config = ConfigDict(extra="forbid")


# --- requests ---------------------------------------------------------------


class AnnotationIn(RequestSchema):
    paragraph: BodyInt = Field(description="The paragraph's id.")
    start: BodyInt
    end: BodyInt = Field(description="Exclusive; greater than start.")
    themes: ThemeSlugs = Field(description="Theme slugs (case does not matter).")
    note: Text = Field("", max_length=NOTE_MAX_LENGTH)
    quote: Text | None = Field(
        None, description="If given, must equal the text at start..end."
    )
    origin: Literal["manual", "search"] = Field(
        "manual",
        description="How it was made: the reader (manual) or a search result's "
        "tag button (search); agreement leaves search tags out unless asked.",
    )


class AnnotationPatch(RequestSchema):
    """Only the fields given change; a span changes with both start and end."""

    start: BodyInt | None = None
    end: BodyInt | None = None
    themes: ThemeSlugs | None = None
    note: Annotated[Text, MaxLen(NOTE_MAX_LENGTH)] | None = None
    quote: Text | None = None
    version: BodyInt | None = Field(
        None,
        description=(
            "The annotation's version you read (its ``version``). If someone "
            "changed it since, the answer is 409 with both versions and nothing "
            "changes. Without it, the last write wins."
        ),
    )


class SpanIn(RequestSchema):
    """A passage to tag; without start and end, the whole paragraph."""

    paragraph: BodyInt
    start: BodyInt | None = None
    end: BodyInt | None = None

    @model_validator(mode="after")
    def _both_ends_or_neither(self) -> SpanIn:
        if (self.start is None) != (self.end is None):
            raise ValueError(
                "Give both “start” and “end”, or neither (whole paragraph)."
            )
        return self


class BulkIn(RequestSchema):
    theme: Slug = Field(description="A theme slug.")
    items: list[SpanIn] = Field(min_length=1, max_length=BULK_MAX_ITEMS)
    note: Text = Field("", max_length=NOTE_MAX_LENGTH)


# --- responses --------------------------------------------------------------


class ThemeOut(Schema):
    slug: str
    name: str
    description: str
    inclusion: str
    exclusion: str
    colour: str = Field(pattern="^#[0-9a-fA-F]{6}$")
    guid: UUID
    retired: bool
    parent: str | None = Field(
        description="The parent theme's slug (null: top level).",
    )
    version: int = Field(description="Bumped by every change of the theme.")


class ThemeList(Schema):
    results: list[ThemeOut] = Field(description="Every theme, retired ones last.")


class AuthorOut(Schema):
    username: str
    name: str


class AnnotationOut(Schema):
    """A span of one paragraph (none once re-ingestion could not place it)."""

    id: int
    url: str
    document: str = Field(description="The document's slug.")
    paragraph: int | None
    position: int | None
    link: str | None = Field(description="The reading page at the paragraph.")
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    themes: list[str]
    note: str
    author: AuthorOut
    created: datetime
    updated: datetime
    orphaned: bool = Field(description="Re-ingestion could not place it.")
    can_change: bool = Field(description="Whether the caller may edit or delete it.")
    version: int = Field(
        description="Bumped by every edit; send it back to edit or delete safely."
    )


class AnnotationPage(Schema):
    count: int
    next_offset: int | None = Field(description="The next page's offset, if any.")
    results: list[AnnotationOut]


class BulkOut(Schema):
    created: list[AnnotationOut]
    skipped: int = Field(description="Passages that already had the theme.")


class ConflictOut(Schema):
    """409: the annotation changed since the version you sent; nothing changed."""

    error: str
    errors: dict[str, list[str]] = Field(default_factory=dict)
    yours: dict[str, object] = Field(
        description="What you sent, with the version you had read."
    )
    current: AnnotationOut = Field(description="The annotation as it is now.")


class ReaderOut(Schema):
    username: str
    name: str


class LiveOut(Schema):
    """What changed on a document's annotations after ``since``, and who reads it."""

    cursor: int = Field(description="Send it as ``since`` next time.")
    reset: bool = Field(
        description="Too much changed: reload the whole list (GET /api/annotations)."
    )
    annotations: list[AnnotationOut] = Field(
        description="Created or edited since: add, or replace by id."
    )
    removed: list[int] = Field(
        description="Ids deleted (or no longer visible to you) since: drop them."
    )
    readers: list[ReaderOut] = Field(
        description="Others who had the reading page open in the last 30 seconds."
    )
