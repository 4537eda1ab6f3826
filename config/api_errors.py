"""Schema violations (pydantic's error list, as ninja reports it) worded for a
person, in the API's error shape.

Each violation becomes one sentence naming the field; the sentences are joined
into ``error`` and grouped by field in ``errors``:

>>> error = schema_error([
...     {"type": "missing", "loc": ("body", "payload", "start"), "msg": ""},
...     {"type": "int_type", "loc": ("query", "limit"), "msg": ""},
...     {"type": "extra_forbidden", "loc": ("body", "payload", "theme"), "msg": ""},
... ])
>>> error.status, error.message
(400, '“start” is required. “limit” must be a whole number. Unknown field(s): theme.')
>>> error.errors["theme"]
['Unknown field(s): theme.']

Faults the description cannot show (text a database cannot store, a check
across fields) are content the data refuse, not a broken request: a 422 when
they are all there is (config/api.py).

>>> schema_error([{"type": "value_error", "loc": ("body", "payload", "items", 0),
...                "msg": "", "ctx": {"error": "Give both."}}]).status
422
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from accounts.api_fields import UNSTORABLE, WHOLE_NUMBER, ApiError

BODY_ROOT = ("body", "payload")  # where ninja puts a whole-body schema
# Lists whose every fault (not a list, a bad item, too many) has one message.
LIST_SHAPES = {"themes": "a list of theme slugs", "items": "a list of objects"}
LIST_ITEMS = {"themes": "theme", "items": "passage"}  # for "Pick at least one …"
INT_FAULTS = {"int_type", "int_parsing", "int_from_float", WHOLE_NUMBER}
BOUND_FAULTS = {"greater_than_equal", "less_than_equal"}
UNSTORABLE_TEXT = "contains a NUL or an unpaired surrogate character"
Violation = Mapping[str, Any]
# A model's own check across fields, and text no database can store.
CONTENT_FAULTS = {"value_error", UNSTORABLE, "string_unicode"}


def schema_error(violations: Sequence[Violation]) -> ApiError:
    """One refusal for all the violations of one request: a 400, or a 422 when
    every violation is one the description cannot show."""
    errors: dict[str, list[str]] = {}
    for violation in violations:
        path = _path(violation["loc"])
        message = describe(violation, path)
        messages = errors.setdefault(".".join(map(str, path)) or "body", [])
        if message not in messages:
            messages.append(message)
    sentences = dict.fromkeys(m for ms in errors.values() for m in ms)
    content_only = all(v["type"] in CONTENT_FAULTS for v in violations)
    return ApiError(
        422 if content_only and violations else 400, " ".join(sentences), errors
    )


def _path(loc: Sequence[Any]) -> tuple[Any, ...]:
    """The field's place in the request: body fields without the ninja
    wrapper, query and path fields by name."""
    if tuple(loc[:2]) == BODY_ROOT:
        return tuple(loc[2:])
    return tuple(loc[1:])


def describe(violation: Violation, path: tuple[Any, ...]) -> str:
    """The sentence for one violation at ``path``."""
    kind, ctx = violation["type"], violation.get("ctx") or {}
    if not path:
        return "The body must be a JSON object."
    if kind == "value_error":  # a model's own check; its message is the sentence
        return str(ctx.get("error"))
    names = [part for part in path if isinstance(part, str)]
    if names[0] in LIST_SHAPES:
        if kind == "extra_forbidden":
            return f"Unknown field(s) in an item: {names[-1]}."
        if kind == "too_short" and len(path) == 1:
            return f"Pick at least one {LIST_ITEMS[names[0]]}."
        if len(path) <= 2:  # the list itself or one of its items
            most = f" (at most {ctx['max_length']})" if kind == "too_long" else ""
            return f"“{names[0]}” must be {LIST_SHAPES[names[0]]}{most}."
    field = f"“{names[-1]}”"
    for kinds, wording in _WORDINGS:
        if kind in kinds:
            return wording(field, ctx)
    return f"{field}: {violation['msg']}."


def _bound(field: str, ctx: Mapping[str, Any]) -> str:
    for key, words in (("ge", "at least"), ("le", "at most")):
        if key in ctx:
            return f"{field} must be a whole number {words} {ctx[key]}."
    return f"{field} must be a whole number."


_WORDINGS: list[tuple[set[str], Callable[[str, Mapping[str, Any]], str]]] = [
    ({"missing"}, lambda field, ctx: f"{field} is required."),
    (INT_FAULTS, lambda field, ctx: f"{field} must be a whole number."),
    (BOUND_FAULTS, _bound),
    ({"extra_forbidden"}, lambda field, ctx: f"Unknown field(s): {field[1:-1]}."),
    ({"string_type"}, lambda field, ctx: f"{field} must be a string."),
    (
        {"string_too_long"},
        lambda field, ctx: (
            f"{field} is too long (at most {ctx.get('max_length')} characters)."
        ),
    ),
    (
        {"literal_error", "enum"},
        lambda field, ctx: f"{field} must be one of {ctx.get('expected')}.",
    ),
    (
        {UNSTORABLE, "string_unicode"},  # pydantic refuses a lone surrogate itself
        lambda field, ctx: f"{field} {UNSTORABLE_TEXT}.",
    ),
    ({"value_error"}, lambda field, ctx: f"{ctx.get('error')}"),
]
