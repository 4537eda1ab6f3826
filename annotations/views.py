"""Pages: the codebook, activity and counts, agreement, and bulk review.

Every page needs a signed-in user with a role (middleware); pages that write
also need Curator (codebook) or Annotator (bulk tagging), checked by
``role_required`` here and again by the service. Views validate the form,
call one service, and redirect with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.models import Project
from accounts.projects import request_project
from accounts.roles import Role, role_required
from annotations import rounds, selectors, services, undo
from annotations.forms import (
    AgreementForm,
    BulkTagForm,
    MergeForm,
    MoveForm,
    RoundForm,
    ThemeForm,
    apply_errors,
    parse_item,
    parse_item_list,
)
from annotations.models import (
    CODEBOOK_ORDER,
    Activity,
    Annotation,
    CodingRound,
    Theme,
)
from corpus.models import Paragraph

# --- codebook ---------------------------------------------------------------


def codebook(request: HttpRequest) -> HttpResponse:
    """The codebook tree; after a reorder (``?moved=<slug>&direction=``) the
    button just pressed keeps the focus, so a keyboard user can press again."""
    context = {
        "nodes": selectors.theme_tree(request_project(request)),
        "moved": request.GET.get("moved", ""),
        "direction": request.GET.get("direction", ""),
    }
    return render(request, "annotations/codebook.html", context)


def project_theme(
    request: HttpRequest, slug: str, themes: QuerySet[Theme] | None = None
) -> Theme:
    """The current project's theme ``slug`` (from ``themes``, default all);
    404 otherwise, whether it does not exist or is another project's."""
    rows = Theme.objects.all() if themes is None else themes
    return get_object_or_404(rows.filter(project=request_project(request)), slug=slug)


REORDER_STEPS = {"up": -1, "down": 1}


@require_POST
@role_required(Role.CURATOR)
def theme_reorder(request: HttpRequest, slug: str) -> HttpResponse:
    """Move the theme one place up or down among its siblings."""
    theme = project_theme(request, slug)
    direction = request.POST.get("direction", "")
    if direction not in REORDER_STEPS:
        return HttpResponseBadRequest("direction must be up or down.")
    try:
        services.theme_reorder(
            actor=request.user, theme=theme, step=REORDER_STEPS[direction]
        )
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    messages.success(request, f"Moved {theme.name} {direction}.")
    query = urlencode({"moved": slug, "direction": direction})
    # No #fragment: a page opened at a fragment skips autofocus (HTML spec),
    # and the focused button scrolls into view anyway.
    return redirect(f"{reverse('annotations:codebook')}?{query}")


def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    theme = project_theme(
        request, slug, selectors.theme_counts(request_project(request))
    )
    recent = (
        rounds.visible_annotations(
            Annotation.objects.anchored().filter(themes=theme),
            request.user,
            request_project(request),
        )
        .for_display()
        .order_by("-created")[:30]
    )
    context = {
        "theme": theme,
        "recent": recent,
        "merge_form": MergeForm(source=theme),
        "move_form": MoveForm(theme=theme),
        "ancestors": selectors.theme_ancestors(theme),
        "children": theme.children.order_by(*CODEBOOK_ORDER),
        "memos": theme.memos.select_related("author"),
    }
    return render(request, "annotations/theme_detail.html", context)


@require_POST
@role_required(Role.CURATOR)
def theme_move(request: HttpRequest, slug: str) -> HttpResponse:
    """Put the theme under another (or at the top level: an empty parent)."""
    theme = project_theme(request, slug)
    form = MoveForm(request.POST, theme=theme)
    if not form.is_valid():
        messages.error(request, "Choose a theme of the codebook, or none.")
        return redirect("annotations:theme_detail", slug=slug)
    parent = form.cleaned_data["parent"]
    where = f"under {parent.name}" if parent else "to the top level"
    return _run_codebook_change(
        request,
        lambda: services.theme_move(
            actor=request.user,
            theme=theme,
            parent=parent,
            version=posted_version(request),
        ),
        failed=slug,
        done=(slug, f"Moved {theme.name} {where}."),
    )


def posted_version(request: HttpRequest) -> int | None:
    """The theme version a curation form was rendered with (None: not sent,
    or not a number: then the change is not checked against it)."""
    value = request.POST.get("version", "")
    return int(value) if value.isascii() and value.isdigit() else None


def _run_codebook_change(
    request: HttpRequest,
    change: Callable[[], object],
    failed: str,
    done: tuple[str, str] | Callable[[object], tuple[str, str]],
) -> HttpResponse:
    """Run a codebook service; its refusal (a stale version too) is a message
    on the ``failed`` theme's page, its success ``done`` (the theme to show,
    the message)."""
    try:
        outcome = change()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("annotations:theme_detail", slug=failed)
    except services.VersionConflict as error:
        messages.error(request, f"{error} The page now shows the current version.")
        return redirect("annotations:theme_detail", slug=failed)
    slug, message = done(outcome) if callable(done) else done
    messages.success(request, message)
    return redirect("annotations:theme_detail", slug=slug)


@role_required(Role.CURATOR)
def theme_new(request: HttpRequest) -> HttpResponse:
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            theme = services.theme_create(
                actor=request.user, project=request_project(request), **fields
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Added the theme {theme.name}.")
            return redirect("annotations:theme_detail", slug=theme.slug)
    return render(request, "annotations/theme_form.html", {"form": form})


@role_required(Role.CURATOR)
def theme_edit(request: HttpRequest, slug: str) -> HttpResponse:
    theme = project_theme(request, slug)
    initial = {f: getattr(theme, f) for f in ThemeForm.base_fields}
    form = ThemeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            theme = services.theme_update(
                actor=request.user, theme=theme, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        except services.VersionConflict as error:
            return _theme_conflict(request, form, error)
        else:
            messages.success(request, f"Saved the theme {theme.name}.")
            return redirect("annotations:theme_detail", slug=theme.slug)
    context = {"form": form, "theme": theme}
    return render(request, "annotations/theme_form.html", context)


def _theme_conflict(
    request: HttpRequest, form: ThemeForm, error: services.VersionConflict
) -> HttpResponse:
    """409: both versions side by side; the form keeps the person's text and
    now carries the current version, so saving again replaces theirs."""
    current = error.current
    rows = [
        {
            "label": form.fields[name].label or name.capitalize(),
            "yours": form.cleaned_data[name],
            "current": getattr(current, name),
        }
        for name in ("name", "description", "inclusion", "exclusion", "colour")
    ]
    data = request.POST.copy()
    data["version"] = str(current.version)
    conflict = {
        "message": str(error),
        "expected": error.expected,
        "current": current,
        "rows": rows,
    }
    context = {"form": ThemeForm(data), "theme": current, "conflict": conflict}
    return render(request, "annotations/theme_form.html", context, status=409)


CONFIRMED = "yes"


def _confirmed(request: HttpRequest) -> bool:
    """A codebook change acts only on the POST of its confirmation page."""
    return request.method == "POST" and request.POST.get("confirm") == CONFIRMED


def _confirm_page(
    request: HttpRequest,
    theme: Theme,
    title: str,
    lines: list[str],
    button: str,
    hidden: dict[str, str] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    """What a merge, retirement or deletion will do, and the button to do it.
    The theme version the person saw travels on, so confirming a change to a
    theme someone edited meanwhile is a conflict, not a silent overwrite."""
    hidden = dict(hidden or {})
    seen = request.POST.get("version") or request.GET.get("version")
    if seen:
        hidden["version"] = seen
    context = {
        "theme": theme,
        "title": title,
        "lines": lines,
        "button": button,
        "hidden": sorted(hidden.items()),
        "refusal": refusal,
        "confirm": CONFIRMED,
    }
    return render(request, "annotations/theme_confirm.html", context, status=status)


@role_required(Role.CURATOR)
def theme_merge(request: HttpRequest, slug: str) -> HttpResponse:
    """GET ``?target=slug``: what the merge will do; POST with ``confirm``: do it
    (a POST without it shows the same page and changes nothing)."""
    source = project_theme(request, slug)
    data = request.POST if request.method == "POST" else request.GET
    form = MergeForm(data, source=source)
    if not form.is_valid():
        message = "Choose an active theme of the codebook to merge into."
        if request.method == "POST":
            messages.error(request, message)
            return redirect("annotations:theme_detail", slug=slug)
        title = f"Merge {source.name}"
        return _confirm_page(request, source, title, [], "", refusal=message)
    target = form.cleaned_data["target"]
    if not _confirmed(request):
        return _confirm_page(
            request,
            source,
            f"Merge {source.name} into {target.name}?",
            selectors.theme_merge_preview(source, target),
            f"Merge into {target.name}",
            hidden={"target": target.slug},
        )
    return _run_codebook_change(
        request,
        lambda: services.theme_merge(
            actor=request.user,
            source=source,
            target=target,
            version=posted_version(request),
        ),
        failed=slug,
        done=lambda moved: (
            target.slug,
            f"Merged {source.name} into {target.name} ({moved} annotations).",
        ),
    )


@role_required(Role.CURATOR)
def theme_retire(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: what retiring will do; POST ``retired=1`` with ``confirm``: retire
    (without it: the same page); POST ``retired=0``: restore at once."""
    theme = project_theme(request, slug)
    retired = request.POST.get("retired") != "0"
    if retired and not _confirmed(request):
        return _confirm_page(
            request,
            theme,
            f"Retire {theme.name}?",
            selectors.theme_retire_preview(theme),
            "Retire",
            hidden={"retired": "1"},
            refusal=f"{theme.name} is retired already." if theme.retired else "",
        )
    try:
        services.theme_retire(
            actor=request.user,
            theme=theme,
            retired=retired,
            version=posted_version(request),
        )
    except services.VersionConflict as error:
        messages.error(request, f"{error} The page now shows the current version.")
        return redirect("annotations:theme_detail", slug=slug)
    word = "Retired" if retired else "Restored"
    messages.success(request, f"{word} the theme {theme.name}.")
    return redirect("annotations:theme_detail", slug=slug)


@role_required(Role.CURATOR)
def theme_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: what deleting will do (or why it cannot); POST with ``confirm``:
    delete (without it: the same page)."""
    theme = project_theme(request, slug)
    lines, refusal = selectors.theme_delete_preview(theme)
    if refusal or not _confirmed(request):
        title = f"Delete {theme.name}?"
        return _confirm_page(request, theme, title, lines, "Delete", refusal=refusal)
    try:
        services.theme_delete(actor=request.user, theme=theme)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("annotations:theme_detail", slug=slug)
    messages.success(request, f"Deleted the theme {theme.name}.")
    return redirect("annotations:codebook")


# --- working together -------------------------------------------------------


def activity(request: HttpRequest) -> HttpResponse:
    """The log, a page at a time (``before``/``after`` an entry id, ``size``),
    filtered by ``user``, ``theme`` and ``action``; counts; orphans. A bad
    paging or action parameter is a 400 with a message on the page."""
    project = request_project(request)
    person = None
    if request.GET.get("user"):
        # Only the project's people: another account's name is "not found".
        person = get_object_or_404(
            selectors.people(project), username=request.GET["user"]
        )
    slug = request.GET.get("theme")
    theme = project_theme(request, slug) if slug else None
    query, problem = activity_query(request, project)
    page = selectors.activity_page(
        project,
        actor=person,
        theme=theme,
        viewer=request.user,  # type: ignore[arg-type]
        **({} if problem else query),
    )
    filters = {"user": person.username if person else None, "theme": slug}
    filters["action"] = query.get("verb")
    context = {
        "page": page,
        "entries": [(e, undo.can_undo(request.user, project, e)) for e in page.entries],
        "problem": problem,
        "person": person,
        "theme_filter": theme,
        "verb": query.get("verb", ""),
        "verbs": Activity.Verb.choices,
        "filters": urlencode({k: v for k, v in filters.items() if v}),
        "people": selectors.people(project).order_by("username"),
        "themes": list(selectors.theme_counts(project)),
        "documents": selectors.document_counts(project),
        "orphans": selectors.orphaned_annotations(project)[:50],
    }
    status = 400 if problem else 200
    return render(request, "annotations/activity.html", context, status=status)


def activity_query(
    request: HttpRequest, project: Project | None
) -> tuple[dict[str, Any], str]:
    """The paging and action parameters, or a message saying what is wrong."""
    query: dict[str, Any] = {}
    verb = request.GET.get("action", "")
    if verb and verb not in Activity.Verb.values:
        return query, f"Unknown action “{verb[:40]}”: choose one from the list."
    if verb:
        query["verb"] = verb
    size = request.GET.get("size", "")
    if size:
        if not size.isdigit() or not 1 <= int(size) <= selectors.ACTIVITY_PAGE_MAX:
            most = selectors.ACTIVITY_PAGE_MAX
            return query, f"size must be a number from 1 to {most}."
        query["size"] = int(size)
    for key in ("before", "after"):
        value = request.GET.get(key, "")
        if not value:
            continue
        cursor = None
        if value.isdigit() and len(value) <= 12:
            cursor = Activity.objects.filter(project=project, pk=int(value)).first()
        if cursor is None:
            return query, "That place in the log is unknown; start from the newest."
        query[key] = cursor
    if "before" in query and "after" in query:
        return query, "Use either before or after, not both."
    return query, ""


def activity_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what undoing the entry means (changes nothing); POST: undo it."""
    project = request_project(request)
    entry = get_object_or_404(
        Activity.objects.select_related("actor", "undone_by"), project=project, pk=pk
    )
    allowed = undo.can_undo(request.user, project, entry)
    if request.method != "POST":
        context = {"entry": entry, "allowed": allowed}
        return render(request, "annotations/activity_undo.html", context)
    if not roles.can_annotate(request.user, project):
        raise PermissionDenied("Viewers cannot undo changes.")
    try:
        undo.activity_undo(actor=request.user, entry=entry)
    except ValidationError as error:
        messages.error(request, "Not undone: " + " ".join(error.messages))
    else:
        messages.success(request, f"Undone: {entry.summary}")
    return redirect("annotations:activity")


def agreement(request: HttpRequest) -> HttpResponse:
    """Per-theme agreement for the chosen coders, documents or round, by
    paragraph or sentence; ``?theme=slug`` lists where that theme's coders
    differ. A blind round's coder sees it from their own annotations only."""
    project = request_project(request)
    chosen = None
    if request.GET.get("theme"):
        chosen = project_theme(request, request.GET["theme"])
    data = request.GET.copy() if request.GET else None
    if data is not None and not data.get("unit"):
        data["unit"] = "paragraph"  # the radio shows the default as chosen
    form = AgreementForm(data, project=project)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "report": [], "chosen": chosen, "detail": None}
        return render(request, "annotations/agreement.html", context, status=400)
    report = selectors.agreement_report(project, scope=_scope(request, form))
    detail = next((row for row in report if row.theme == chosen), None)
    query = request.GET.copy()
    query.pop("theme", None)
    context = {
        "report": report,
        "chosen": chosen,
        "detail": detail,
        "form": form,
        "query": query.urlencode(),
    }
    return render(request, "annotations/agreement.html", context)


def _scope(request: HttpRequest, form: AgreementForm) -> selectors.AgreementScope:
    data = form.cleaned_data if form.is_bound else {}
    return selectors.AgreementScope(
        coders=frozenset(u.username for u in data.get("coders") or ()),
        documents=frozenset(d.pk for d in data.get("documents") or ()),
        coding_round=data.get("coding_round"),
        unit=data.get("unit") or "paragraph",
        origins=form.origins() if form.is_bound else selectors.DEFAULT_ORIGINS,
        viewer=request.user,  # type: ignore[arg-type]
    )


# --- blind coding rounds ----------------------------------------------------


@role_required(Role.CURATOR)
def coding_rounds(request: HttpRequest) -> HttpResponse:
    """The project's rounds (open ones first) and the form that opens one."""
    project = request_project(request)
    form = RoundForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            opened = rounds.round_open(
                actor=request.user,  # type: ignore[arg-type]
                project=project,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                documents=list(form.cleaned_data["documents"]),
                coders=list(form.cleaned_data["coders"]),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Opened the blind round {opened.name}.")
            return redirect("annotations:rounds")
    rows = CodingRound.objects.filter(project=project).order_by("-closed", "-opened")
    context = {
        "form": form,
        "rounds": [rounds.round_summary(r) for r in rows.select_related("opened_by")],
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "annotations/rounds.html", context, status=status)


@require_POST
@role_required(Role.CURATOR)
def coding_round_close(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        CodingRound.objects.filter(project=request_project(request)), pk=pk
    )
    try:
        rounds.round_close(actor=request.user, coding_round=found)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Closed the round {found.name}: all is visible.")
    return redirect("annotations:rounds")


# --- bulk review (tagging search results) -----------------------------------


@dataclass(frozen=True)
class ReviewItem:
    key: str
    paragraph: Paragraph
    before: str
    quote: str
    after: str
    problem: str = ""


@role_required(Role.ANNOTATOR)
def bulk_review(request: HttpRequest) -> HttpResponse:
    """Show what will be tagged (GET), then tag it on confirmation (POST).

    ``?paragraphs=1,2,3`` tags whole paragraphs, ``&spans=4:10-52`` spans;
    ``&theme=slug`` preselects the theme. The search page links here.
    """
    source = request.POST if request.method == "POST" else request.GET
    # A comma list (``?paragraphs=1,2``) or repeated fields (checked boxes).
    query = {key: ",".join(source.getlist(key)) for key in ("paragraphs", "spans")}
    keys, problems = parse_item_list(query["paragraphs"], query["spans"])
    items, missing = _review_items(request_project(request), keys)
    problems += missing
    valid = [item.key for item in items if not item.problem]
    initial = {"theme": request.GET.get("theme"), "item": valid}
    form = BulkTagForm(
        request.POST if request.method == "POST" else None,
        items=valid,
        project=request_project(request),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        done = _bulk_tag(request, form)
        if done is not None:
            return done
    context = {"form": form, "items": items, "problems": problems, "query": query}
    return render(request, "annotations/bulk_review.html", context)


def _bulk_tag(request: HttpRequest, form: BulkTagForm) -> HttpResponse | None:
    theme = form.cleaned_data["theme"]
    try:
        outcome = services.annotations_bulk_create(
            author=request.user,
            project=request_project(request),
            theme=theme.slug,
            items=form.spans(),
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        apply_errors(form, error)
        return None
    skipped = f" ({outcome.skipped} already tagged, skipped)" if outcome.skipped else ""
    messages.success(
        request,
        f"Tagged {len(outcome.created)} passages with {theme.name}{skipped}.",
    )
    return redirect(reverse("annotations:activity"))


def _review_items(
    project: Project | None, keys: list[str]
) -> tuple[list[ReviewItem], list[str]]:
    """Each key with its paragraph's text split around the span to be tagged
    (another project's paragraph "does not exist", like a made-up id)."""
    spans = [parse_item(key) for key in keys]
    records = Paragraph.objects.in_project(project).select_related("document")
    paragraphs = records.in_bulk({span.paragraph for span in spans})
    items, problems = [], []
    for key, span in zip(keys, spans, strict=True):
        paragraph = paragraphs.get(span.paragraph)
        if paragraph is None:
            problems.append(f"Paragraph {span.paragraph} does not exist.")
            continue
        text = paragraph.text
        start = 0 if span.start is None else span.start
        end = len(text) if span.end is None else span.end
        problem = ""
        if not 0 <= start < end <= len(text):
            problem = f"The span {start}–{end} is outside this paragraph."
            start = end = 0
        parts = (text[:start], text[start:end], text[end:])
        items.append(ReviewItem(key, paragraph, *parts, problem=problem))
    return items, problems
