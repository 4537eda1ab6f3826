"""Pages of the analysis workspace: thin views over ``analysis.selectors``.

Every page is a read (any role); writing a memo needs Annotator. Query
strings are checked by the forms: an unknown theme, coder or document, or a
bad choice, is a 400 page that says which.

Every page shows the current project's material only
(``accounts.projects.request_project``): another project's theme or document
is unknown here, with the same message or 404 as one that does not exist.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.models import Project
from accounts.projects import request_project
from accounts.roles import Role, role_required
from analysis import charts, selectors, tables
from analysis.forms import KwicForm, MemoForm, PassageFilterForm
from annotations import services
from annotations.models import Annotation
from corpus.models import Document

PAGE_SIZE = 25


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "analysis/index.html")


# --- coded passages ---------------------------------------------------------


@dataclass(frozen=True)
class PassageRow:
    """A passage as listed: its paragraph split around the quote, and the
    group it is listed in (a heading starts where the group changes)."""

    annotation: Annotation
    before: str
    quote: str
    after: str
    reader_url: str
    group_key: Any = None
    group_label: str = ""


def passages(request: HttpRequest) -> HttpResponse:
    project = request_project(request)
    form = PassageFilterForm(request.GET, project=project)
    if not form.is_valid():
        return _bad_filters(request, "analysis/passages.html", form)
    filters = form.filters()
    if form.cleaned_data["layer"] == "consensus":
        return _consensus_passages(request, project, form, filters)
    order = form.cleaned_data["order"] or "reading"
    # by default, document order reads by document; a date order is one list
    group = form.cleaned_data["group"] or ("document" if order == "reading" else "none")
    matching = selectors.passages_matching(project, filters)
    listing = selectors.passage_listing(project, filters, group, order, matching)
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": [passage_row(item, group) for item in page.object_list],
        # grouped by theme, the pages list (theme, passage) pairs
        "total": matching.count() if group == "theme" else page.paginator.count,
        "paragraphs": selectors.paragraph_count(matching),
        "query": _query_without(request, "page"),
        "export_query": _export_query(request, project, form.cleaned_data["theme"]),
        "export_skips": _export_skips(form.cleaned_data),
    }
    return render(request, "analysis/passages.html", context)


def _consensus_passages(
    request: HttpRequest, project: Project | None, form: Any, filters: Any
) -> HttpResponse:
    """The passages page on the consensus layer: the settled units."""
    listing = selectors.consensus_listing(project, filters)
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    export = _export_query(request, project, form.cleaned_data["theme"])
    context = {
        "form": form,
        "page": page,
        "decisions": page.object_list,
        "total": page.paginator.count,
        "query": _query_without(request, "page"),
        "export_query": "&".join(q for q in (export, "layer=consensus") if q),
        "consensus": True,
    }
    return render(request, "analysis/passages.html", context)


# The passages page's names for the export page's filters (it calls coders
# ``user``); the themes go separately (the export does not roll them up).
EXPORT_FILTERS = {
    "coder": "user",
    "document": "document",
    "since": "since",
    "until": "until",
    "query": "query",
}


def _export_query(request: HttpRequest, project: Project | None, themes: Any) -> str:
    """Every filter of these passages that the export page understands; each
    theme with its sub-themes, named, since the export takes a theme alone."""
    params = {"theme": selectors.slugs_with_descendants(project, list(themes))}
    for ours, theirs in EXPORT_FILTERS.items():
        params[theirs] = [value for value in request.GET.getlist(ours) if value]
    return urlencode({k: v for k, v in params.items() if v}, doseq=True)


def _export_skips(data: dict[str, Any]) -> list[str]:
    """The filters set here that the export cannot apply (said on the link)."""
    skipped = {
        "all of the themes (the export takes any of them)": data["mode"] == "and",
        "words in the quote": bool(data["q"]),
        "language": bool(data["language"]),
        "kind of record": bool(data["kind"]),
    }
    return [label for label, is_set in skipped.items() if is_set]


def passage_row(item: Any, group: str = "none") -> PassageRow:
    """A listing row from a passage, or (grouped by theme) a theme's tag."""
    annotation = item.content_object if group == "theme" else item
    paragraph = annotation.paragraph
    assert paragraph is not None  # coded passages are anchored
    text, start, end = paragraph.text, annotation.start, annotation.end
    key, label = None, ""
    if group == "theme":
        key, label = item.tag_id, item.tag.name
    elif group == "document":
        key, label = annotation.document_id, annotation.document.display_title
    return PassageRow(
        annotation,
        text[:start],
        text[start:end],
        text[end:],
        reader_url(paragraph),
        key,
        label,
    )


def reader_url(paragraph: Any, document_slug: str | None = None) -> str:
    """The record on the reading page, marked (``?hl=``) and scrolled to."""
    slug = document_slug or paragraph.document.slug
    position = paragraph if isinstance(paragraph, int) else paragraph.position
    base = reverse("corpus:document_detail", kwargs={"slug": slug})
    return f"{base}?hl={position}#p-{position}"


def _bad_filters(request: HttpRequest, template: str, form: Any) -> HttpResponse:
    return render(request, template, {"form": form, "invalid": True}, status=400)


def _query_without(request: HttpRequest, key: str) -> str:
    query = request.GET.copy()
    query.pop(key, None)
    return query.urlencode()


def passages_url(**params: Any) -> str:
    """The coded passages page for ``params`` (lists repeat the key)."""
    return reverse("analysis:passages") + "?" + urlencode(params, doseq=True)


# --- matrices ---------------------------------------------------------------


@dataclass(frozen=True)
class GridCell:
    value: int
    label: str
    url: str
    shade: int


@dataclass(frozen=True)
class GridRow:
    theme: Any
    depth: int
    cells: list[GridCell]


def matrix(request: HttpRequest) -> HttpResponse:
    """Code × document (``?by=document``, default) or × coder (``?by=coder``);
    ``?measure=share`` shows the share of each document's paragraphs."""
    by = request.GET.get("by", "document")
    measure = request.GET.get("measure", "passages")
    if by not in selectors.MATRIX_COLUMNS or measure not in ("passages", "share"):
        return HttpResponseBadRequest(
            "by must be document or coder; measure must be passages or share."
        )
    if by == "coder":
        measure = "passages"  # a share of paragraphs is a document's figure
    built = selectors.code_matrix(
        request_project(request), by, shares=measure == "share"
    )
    key = "document" if by == "document" else "coder"
    grid = [_matrix_row(built, row, key, measure) for row in built.rows]
    context = {"matrix": built, "grid": grid, "by": by, "measure": measure}
    return render(request, "analysis/matrix.html", context)


def _matrix_row(built: selectors.Matrix, row: Any, key: str, measure: str) -> GridRow:
    theme = built.themes[row.node]
    cells = []
    for column in built.columns:
        value = built.cells.get((theme.pk, column.pk), 0)
        share = built.shares.get((theme.pk, column.pk), 0.0)
        label = f"{share:.0%}" if measure == "share" else str(value)
        name = column.slug if key == "document" else column.get_username()
        url = passages_url(theme=theme.slug, **{key: name})
        shown = share * 100 if measure == "share" else value
        highest = 100 if measure == "share" else built.highest
        cells.append(GridCell(value, label, url, tables.shade(shown, highest)))
    return GridRow(theme, row.depth, cells)


def co_occurrence(request: HttpRequest) -> HttpResponse:
    """Theme × theme: paragraphs (default) or passages coded with both."""
    measure = request.GET.get("measure", "paragraph")
    if measure not in ("paragraph", "passage"):
        return HttpResponseBadRequest("measure must be paragraph or passage.")
    built = selectors.co_occurrence(request_project(request), measure)
    grid = []
    for row in built.rows:
        theme = built.themes[row.node]
        cells = [
            _pair_cell(built, theme, built.themes[other.node], measure)
            for other in built.rows
        ]
        grid.append(GridRow(theme, row.depth, cells))
    context = {"built": built, "grid": grid, "measure": measure}
    return render(request, "analysis/co_occurrence.html", context)


def _pair_cell(built: selectors.CoOccurrence, a: Any, b: Any, measure: str) -> GridCell:
    value = built.cells.get((a.pk, b.pk), 0)
    slugs = [a.slug] if a.pk == b.pk else [a.slug, b.slug]
    url = passages_url(theme=slugs, mode="and", within=measure)
    shade = tables.shade(value, built.highest) if a.pk != b.pk else 0
    return GridCell(value, str(value), url, shade)


# --- codelines --------------------------------------------------------------


def codeline(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Every document's strip, or (``slug``) one document's, theme by theme."""
    project = request_project(request)
    documents = None
    if slug is not None:
        # another project's document is as unknown as a missing one: a 404
        found = get_object_or_404(Document.objects.in_project(project), slug=slug)
        documents = Document.objects.filter(pk=found.pk)
    lines, themes = selectors.codelines(project, documents)
    strips = [
        {
            "document": line.document,
            "length": line.length,
            "rows": [
                _codeline_row(themes[pk], positions, line.document)
                for pk, positions in line.marks.items()
            ],
        }
        for line in lines
    ]
    context = {"strips": strips, "one": slug is not None}
    return render(request, "analysis/codeline.html", context)


def _codeline_row(theme: Any, positions: list[int], document: Document) -> dict:
    """A theme's marks as ready markup: a document has thousands of records,
    and a template loop per mark took seconds where this takes milliseconds."""
    base = reverse("corpus:document_detail", kwargs={"slug": document.slug})
    urls = [(f"{base}?hl={p}#p-{p}", p) for p in positions]
    marks = format_html_join(
        "",
        '<a href="{0}" aria-label="record {1}"><rect class="codeline-mark"'
        ' data-position="{1}" x="{1}" y="0" width="1" height="1" fill="{2}">'
        "<title>{3}: record {1}</title></rect></a>",
        ((url, p, theme.colour, theme.name) for url, p in urls),
    )
    links = format_html_join(", ", '<a href="{}">{}</a>', urls)
    return {"theme": theme, "count": len(positions), "marks": marks, "links": links}


# --- charts -----------------------------------------------------------------


def chart_page(request: HttpRequest) -> HttpResponse:
    """The three charts, each with its table; ``?chart=<key>&format=csv``
    downloads one chart's numbers."""
    project = request_project(request)
    if request.GET.get("format") == "csv":
        key = request.GET.get("chart", "")
        if key not in selectors.CHARTS:
            return HttpResponseBadRequest(
                "chart must be one of: " + ", ".join(selectors.CHARTS)
            )
        return _chart_csv(selectors.CHARTS[key](project))
    shown = []
    for chart in selectors.all_charts(project):
        rows = charts.table_rows(chart)
        # charts.svg escapes every text it writes
        drawing = mark_safe(charts.svg(chart))  # noqa: S308
        shown.append(
            {"chart": chart, "svg": drawing, "head": rows[0], "rows": rows[1:]}
        )
    return render(request, "analysis/charts.html", {"charts": shown})


def _chart_csv(chart: charts.Chart) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="chart-{chart.key}.csv"'
    csv.writer(response).writerows(charts.table_rows(chart))
    return response


# --- KWIC -------------------------------------------------------------------


def kwic(request: HttpRequest) -> HttpResponse:
    """Lines aligned on the keyword; ``?format=csv`` downloads them."""
    project = request_project(request)
    if "keyword" not in request.GET:
        form = KwicForm(project=project)
        return render(request, "analysis/kwic.html", {"form": form})
    form = KwicForm(request.GET, project=project)
    if not form.is_valid():
        return _bad_filters(request, "analysis/kwic.html", form)
    data = form.cleaned_data
    found = selectors.concordance(
        project,
        data["keyword"],
        data["scope"] or "corpus",
        form.filters(),
        data["sort"] or "position",
    )
    lines = [
        (
            line,
            found.places[line.key],
            reader_url(
                found.places[line.key].position, found.places[line.key].document_slug
            ),
        )
        for line in found.lines
    ]
    if request.GET.get("format") == "csv":
        return _kwic_csv(lines)
    context = {
        "form": form,
        "lines": lines,
        "truncated": found.truncated,
        "query": _query_without(request, "sort"),
    }
    return render(request, "analysis/kwic.html", context)


def _kwic_csv(lines: list[tuple]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kwic.csv"'
    writer = csv.writer(response)
    writer.writerow(["document", "record", "left", "keyword", "right", "link"])
    for line, place, url in lines:
        writer.writerow(
            [
                place.document_slug,
                place.position,
                line.left,
                line.keyword,
                line.right,
                url,
            ]
        )
    return response


# --- memos ------------------------------------------------------------------


def memos(request: HttpRequest) -> HttpResponse:
    """The memos (filter by subject kind and words); a form to write one."""
    subject = request.GET.get("subject", "")
    if subject and subject not in selectors.MEMO_SUBJECTS:
        return HttpResponseBadRequest(
            "subject must be one of: " + ", ".join(selectors.MEMO_SUBJECTS)
        )
    query = request.GET.get("q", "").strip()[:200]
    initial = {"subject": request.GET.get("about", "")}
    form = MemoForm(initial=initial, project=request_project(request))
    return _memo_page(request, form, subject, query)


def _memo_page(
    request: HttpRequest,
    form: MemoForm,
    subject: str = "",
    query: str = "",
    status: int = 200,
) -> HttpResponse:
    rows = selectors.memos(request_project(request), subject, query)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "subject": subject, "q": query}
    return render(request, "analysis/memos.html", context, status=status)


@require_POST
@role_required(Role.ANNOTATOR)
def memo_new(request: HttpRequest) -> HttpResponse:
    form = MemoForm(request.POST, project=request_project(request))
    if form.is_valid():
        try:
            services.memo_create(
                author=request.user,
                project=request_project(request),
                text=form.cleaned_data["text"],
                **form.cleaned_data["subject"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "Saved the memo.")
            return redirect("analysis:memos")
    return _memo_page(request, form, status=400)


@require_POST
@role_required(Role.ANNOTATOR)
def memo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    # another project's memo is as unknown as a missing one: a 404
    memo = get_object_or_404(selectors.project_memos(request_project(request)), pk=pk)
    services.memo_delete(actor=request.user, memo=memo)
    messages.success(request, "Deleted the memo.")
    return redirect("analysis:memos")
