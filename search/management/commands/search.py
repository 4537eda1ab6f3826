"""``manage.py search [--project P] [--theme T] [--document D] [--lang L]
[--kind K] [--limit N] [--page P] [--sort S] [--json] QUERY``: the search
service from the shell, in one project (default: the first)."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.projects import add_project_argument, project_named
from search.query import QuerySyntaxError
from search.services import SearchRequestError, SearchResult, search_paragraphs

MARK = re.compile(r"<mark[^>]*>(.*?)</mark>", re.S)


class Command(BaseCommand):
    help = "Search the paragraph records; --json prints what GET /api/search returns."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "query", nargs="+", help="the query (words may be separate arguments)"
        )
        for name in ("theme", "document", "lang", "kind"):
            parser.add_argument(
                f"--{name}",
                action="append",
                default=[],
                help=f"filter by {name} (repeatable)",
            )
        parser.add_argument(
            "--limit",
            type=int,
            default=20,
            help="results per page (default 20, at most 100)",
        )
        parser.add_argument("--page", type=int, default=1)
        parser.add_argument(
            "--sort", default="relevance", choices=["relevance", "document"]
        )
        parser.add_argument("--json", action="store_true", help="print the API's JSON")
        add_project_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        filters = {
            n: options[n] for n in ("theme", "document", "lang", "kind") if options[n]
        }
        project = project_named(options.get("project"))
        try:
            result = search_paragraphs(
                project=project,
                query=" ".join(options["query"]),
                filters=filters,
                page=options["page"],
                page_size=options["limit"],
                sort=options["sort"],
            )
        except (QuerySyntaxError, SearchRequestError) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(
                json.dumps(result.as_json(), ensure_ascii=False, indent=2)
            )
        else:
            self.stdout.write(readable(result))


def readable(result: SearchResult) -> str:
    """A numbered list with [matches] in brackets, for a terminal."""
    lines = []
    if result.notice:
        lines.append(result.notice)
    if result.corrected_query:
        lines.append(
            f"No results for “{result.query}”;"
            f" showing results for “{result.corrected_query}”."
        )
    lines.append(
        f"{result.total} result{'s' if result.total != 1 else ''} for “{result.query}”"
        f" (page {result.page} of {result.page_count})"
    )
    first = (result.page - 1) * result.page_size + 1
    for number, row in enumerate(result.rows, start=first):
        p = row.paragraph
        where = " · ".join(x for x in (p.document.display_title, p.section) if x)
        place = f"{p.document.slug} ¶{p.position}, {p.kind}, score {row.score:.2f}"
        lines.append(f"\n{number}. {where}  [{place}]")
        lines.append(f"   {plain(str(row.highlight))}")
        lines.append(f"   {row.url}")
    return "\n".join(lines)


def plain(highlight: str) -> str:
    """The highlight's HTML as text: matches in [brackets], entities decoded."""
    text = MARK.sub(r"[\1]", highlight)
    return html.unescape(re.sub(r"\s+", " ", text)).strip()
