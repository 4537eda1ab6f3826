"""The request type of views that read ``request.htmx``.

django-htmx's middleware adds ``htmx`` to every request; a view that reads it
takes an ``HtmxHttpRequest`` so the type checker knows (django-htmx's advice).
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
