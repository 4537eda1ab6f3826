"""A person who is not a member of a project cannot learn that its material
exists, whatever their role elsewhere: every page and API endpoint, asked
about another project's document, record, annotation, theme, memo, job or
person, answers exactly as it does for one that does not exist (same status,
same body once the identifier itself is set aside), changes nothing, and no
listing of their own project shows any of it.

The people: one per role in project A (the first project); project B holds
the secrets. The role × member matrix within one project is
``tests/annotations/test_permissions.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from accounts import services as account_services
from accounts.models import Project
from accounts.roles import Role
from annotations.models import (
    Activity,
    Annotation,
    CodingRound,
    ConsensusDecision,
    Memo,
    Theme,
)
from corpus.models import Document, IngestJob, Paragraph
from tests.factories import (
    AnnotationFactory,
    DocumentFactory,
    ParagraphFactory,
    ProjectFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = [Role.VIEWER, Role.ANNOTATOR, Role.CURATOR, Role.ADMIN]

# Words that exist only in project B: none may appear in any answer to A's people.
SECRETS = [
    "Zanzibar",
    "clandestine",
    "Clandestine",
    "xylophonic",
    "beatrix",
    "Covert memo",
]


@dataclass
class Secret:
    """Project B's material, and made-up identifiers of the same shapes."""

    project: Project
    document: Document
    paragraph: Paragraph
    annotation: Annotation
    theme: Theme
    memo: Memo
    job: IngestJob
    coding_round: CodingRound | None = None


@pytest.fixture
def secret(db: None) -> Secret:
    project = ProjectFactory(name="Hidden study", slug="hidden")
    author = UserFactory(username="beatrix", role=Role.ANNOTATOR, role__project=project)
    document = DocumentFactory(
        project=project, slug="zanzibar-treaty", title="Zanzibar treaty papers"
    )
    # Explicit ids of the same length as the made-up ones (MADE_UP) and unlike
    # any number a page shows, so that setting them aside sets nothing else aside.
    paragraph = ParagraphFactory(
        pk=870001,
        document=document,
        position=0,
        text="A xylophonic clause of the treaty.",
    )
    theme = ThemeFactory(project=project, slug="clandestine", name="Clandestine")
    annotation = AnnotationFactory(
        pk=870002, paragraph=paragraph, author=author, themes=[theme]
    )
    memo = Memo.objects.create(
        pk=870003, project=project, author=author, text="Covert memo."
    )
    job = IngestJob.objects.create(
        pk=870004,
        project=project,
        file="uploads/zanzibar.txt",
        original_name="zanzibar.txt",
        size=10,
        sha256="0" * 64,
        status=IngestJob.Status.FAILED,
    )
    second = UserFactory(
        username="beatrix2", role=Role.ANNOTATOR, role__project=project
    )
    coding_round = CodingRound.objects.create(
        pk=870005, project=project, name="Zanzibar round", opened_by=author
    )
    coding_round.documents.set([document])
    coding_round.coders.set([author, second])
    # B's consensus layer: a settled unit no listing of A may show.
    ConsensusDecision.objects.create(
        project=project,
        paragraph=paragraph,
        theme=theme,
        present=True,
        decided_by=author,
        decided_at=annotation.created,
    )
    # An entry of B's log that its curators could undo (undo and history).
    Activity.objects.create(
        pk=870006,
        project=project,
        actor=author,
        verb=Activity.Verb.THEME_RETIRED,
        summary="retired the theme Clandestine",
        snapshot={"theme": theme.pk, "retired": False},
    )
    return Secret(
        project, document, paragraph, annotation, theme, memo, job, coding_round
    )


@pytest.fixture
def own_project(db: None) -> dict[str, Any]:
    """Project A's own material, so that its pages have something to list."""
    document = DocumentFactory(slug="own-doc", title="Security cooperation")
    paragraph = ParagraphFactory(document=document, position=0, text="Sovereignty.")
    theme = ThemeFactory(slug="sovereignty", name="Sovereignty")
    annotator = UserFactory(username="ana", role=Role.ANNOTATOR)
    AnnotationFactory(paragraph=paragraph, author=annotator, themes=[theme])
    return {"document": document, "paragraph": paragraph, "theme": theme}


# Each probe: a request with a placeholder {x} for the identifier, and how to
# fill it with B's real one or a made-up one of the same shape.
WORD = "word"
ROUND = "round"
DOC, PARA, ANN, THEME, MEMO, JOB, PERSON = (
    "document",
    "paragraph",
    "annotation",
    "theme",
    "memo",
    "job",
    "person",
)
MADE_UP = {
    DOC: "no-such-doc",
    PARA: "987654",
    ANN: "987655",
    THEME: "no-such-theme",
    MEMO: "987656",
    JOB: "987657",
    PERSON: "nobody-here",
    WORD: "quombulative",
    ROUND: "987658",
    "activity": "987659",
}


def b_value(secret: Secret, kind: str) -> str:
    return {
        DOC: secret.document.slug,
        PARA: str(secret.paragraph.pk),
        ANN: str(secret.annotation.pk),
        THEME: secret.theme.slug,
        MEMO: str(secret.memo.pk),
        JOB: str(secret.job.pk),
        PERSON: "beatrix",
        WORD: "xylophonic",
        ROUND: str(secret.coding_round.pk),  # type: ignore[union-attr]
        "activity": "870006",
    }[kind]


def _api(method: str, url: str, body: Any = None) -> Callable[[Client], Any]:
    def send(client: Client) -> Any:
        call = getattr(client, method)
        if body is None:
            return call(url)
        return call(url, json.dumps(body), content_type="application/json")

    return send


class _OwnParagraph:
    """A's own record's id, read when the request is encoded (not when the
    probe is built: the route coverage test replays probes without a database)."""

    def __str__(self) -> str:
        return str(Paragraph.objects.get(document__slug="own-doc").pk)


# (name, kind, request builder given the identifier)
PROBES: list[tuple[str, str, Callable[[str], Callable[[Client], Any]]]] = [
    # pages: reads
    ("reading page", DOC, lambda x: lambda c: c.get(f"/documents/{x}/")),
    ("curating page", DOC, lambda x: lambda c: c.get(f"/documents/{x}/?curate=1")),
    ("original file", DOC, lambda x: lambda c: c.get(f"/documents/{x}/original/")),
    ("theme page", THEME, lambda x: lambda c: c.get(f"/codebook/{x}/")),
    ("activity of", PERSON, lambda x: lambda c: c.get("/activity/", {"user": x})),
    ("agreement on", THEME, lambda x: lambda c: c.get("/agreement/", {"theme": x})),
    (
        "agreement of round",
        ROUND,
        lambda x: lambda c: c.get("/agreement/", {"coding_round": x}),
    ),
    (
        "agreement of document",
        DOC,
        lambda x: lambda c: c.get("/agreement/", {"documents": x}),
    ),
    (
        "agreement of coder",
        PERSON,
        lambda x: lambda c: c.get("/agreement/", {"coders": x}),
    ),
    (
        "close round",
        ROUND,
        lambda x: lambda c: c.post(f"/agreement/rounds/{x}/close/"),
    ),
    (
        "bulk review of",
        PARA,
        lambda x: lambda c: c.get("/annotations/bulk-review/", {"paragraphs": x}),
    ),
    (
        "export by theme",
        THEME,
        lambda x: lambda c: c.get("/export/", {"format": "csv", "theme": x}),
    ),
    (
        "export by document",
        DOC,
        lambda x: lambda c: c.get("/export/", {"format": "csv", "document": x}),
    ),
    (
        "export by person",
        PERSON,
        lambda x: lambda c: c.get("/export/", {"format": "csv", "user": x}),
    ),
    ("upload job", JOB, lambda x: lambda c: c.get(f"/documents/upload/jobs/{x}/")),
    # Search (page, API, typo, prefix, facets): tests/search/test_projects.py
    # and the backend contract suite, which manage the index between tests.
    (
        "passages of theme",
        THEME,
        lambda x: lambda c: c.get("/analysis/passages/", {"theme": x}),
    ),
    ("codeline of", DOC, lambda x: lambda c: c.get(f"/analysis/codeline/{x}/")),
    ("KWIC of", WORD, lambda x: lambda c: c.get("/analysis/kwic/", {"keyword": x})),
    (
        "delete memo",
        MEMO,
        lambda x: lambda c: c.post(f"/analysis/memos/{x}/delete/"),
    ),
    # adjudication (reads, then the decision itself)
    ("queue of theme", THEME, lambda x: lambda c: c.get("/adjudicate/", {"theme": x})),
    (
        "queue of document",
        DOC,
        lambda x: lambda c: c.get("/adjudicate/", {"document": x}),
    ),
    ("queue of coder", PERSON, lambda x: lambda c: c.get("/adjudicate/", {"coder": x})),
    (
        "consensus passages of theme",
        THEME,
        lambda x: (
            lambda c: c.get("/analysis/passages/", {"theme": x, "layer": "consensus"})
        ),
    ),
    (
        "consensus export by theme",
        THEME,
        lambda x: (
            lambda c: c.get(
                "/export/", {"format": "csv", "theme": x, "layer": "consensus"}
            )
        ),
    ),
    (
        "settle paragraph",
        PARA,
        lambda x: (
            lambda c: c.post(
                "/adjudicate/decide/",
                {"paragraph": x, "theme": "sovereignty", "decision": "keep"},
            )
        ),
    ),
    (
        "settle with theme",
        THEME,
        lambda x: (
            lambda c: c.post(
                "/adjudicate/decide/",
                {"paragraph": _OwnParagraph(), "theme": x, "decision": "keep"},
            )
        ),
    ),
    # pages: writes
    (
        "edit document",
        DOC,
        lambda x: lambda c: c.post(f"/documents/{x}/edit/", {"title": "T"}),
    ),
    ("delete document", DOC, lambda x: lambda c: c.post(f"/documents/{x}/delete/")),
    (
        "edit theme",
        THEME,
        lambda x: (
            lambda c: c.post(
                f"/codebook/{x}/edit/", {"name": "Renamed", "colour": "#123456"}
            )
        ),
    ),
    (
        "retire theme",
        THEME,
        lambda x: lambda c: c.post(f"/codebook/{x}/retire/", {"retired": "1"}),
    ),
    (
        "merge theme",
        THEME,
        lambda x: lambda c: c.post(f"/codebook/{x}/merge/", {"target": "sovereignty"}),
    ),
    (
        "merge into theme",
        THEME,
        lambda x: lambda c: c.post("/codebook/sovereignty/merge/", {"target": x}),
    ),
    ("move theme", THEME, lambda x: lambda c: c.post(f"/codebook/{x}/move/", {})),
    (
        "reorder theme",
        THEME,
        lambda x: lambda c: c.post(f"/codebook/{x}/reorder/", {"direction": "up"}),
    ),
    (
        "bulk tag",
        PARA,
        lambda x: (
            lambda c: c.post(
                "/annotations/bulk-review/",
                {"paragraphs": x, "theme": "sovereignty", "item": [x]},
            )
        ),
    ),
    (
        "retry upload",
        JOB,
        lambda x: lambda c: c.post(f"/documents/upload/jobs/{x}/retry/"),
    ),
    (
        "switch to project",
        DOC,  # any slug: the project's own is checked below with "hidden"
        lambda x: lambda c: c.post("/accounts/project/", {"project": x}),
    ),
    # undo and history
    ("undo page", "activity", lambda x: lambda c: c.get(f"/activity/{x}/undo/")),
    ("undo", "activity", lambda x: lambda c: c.post(f"/activity/{x}/undo/")),
    ("log before", "activity", lambda x: lambda c: c.get("/activity/", {"before": x})),
    ("log after", "activity", lambda x: lambda c: c.get("/activity/", {"after": x})),
    ("log about theme", THEME, lambda x: lambda c: c.get("/activity/", {"theme": x})),
    (
        "merge confirmation",
        THEME,
        lambda x: lambda c: c.get(f"/codebook/{x}/merge/", {"target": "sovereignty"}),
    ),
    (
        "merge into confirmation",
        THEME,
        lambda x: lambda c: c.get("/codebook/sovereignty/merge/", {"target": x}),
    ),
    (
        "confirmed merge into",
        THEME,
        lambda x: (
            lambda c: c.post(
                "/codebook/sovereignty/merge/", {"target": x, "confirm": "yes"}
            )
        ),
    ),
    (
        "retire confirmation",
        THEME,
        lambda x: lambda c: c.get(f"/codebook/{x}/retire/"),
    ),
    (
        "confirmed retire",
        THEME,
        lambda x: (
            lambda c: c.post(
                f"/codebook/{x}/retire/", {"retired": "1", "confirm": "yes"}
            )
        ),
    ),
    ("delete theme page", THEME, lambda x: lambda c: c.get(f"/codebook/{x}/delete/")),
    (
        "delete theme",
        THEME,
        lambda x: lambda c: c.post(f"/codebook/{x}/delete/", {"confirm": "yes"}),
    ),
    # curation of a record: B's record under A's own document, or B's document
    *[
        (
            f"{action} record",
            PARA,
            lambda x, action=action, data=data: (
                lambda c: c.post(f"/documents/own-doc/records/{x}/{action}/", data)
            ),
        )
        for action, data in [
            ("hide", {}),
            ("show", {}),
            ("kind", {"kind": "heading"}),
            ("merge", {"joiner": "space"}),
            ("split", {"point": "custom", "offset": "3"}),
        ]
    ],
    (
        "record of document",
        DOC,
        lambda x: lambda c: c.post(f"/documents/{x}/records/870001/hide/"),
    ),
    # API
    ("API annotation", ANN, lambda x: _api("get", f"/api/annotations/{x}")),
    (
        "API live updates of",
        DOC,
        lambda x: lambda c: c.get(f"/api/documents/{x}/live", {"since": 0}),
    ),
    (
        "API edit annotation with a version",
        ANN,
        lambda x: _api("patch", f"/api/annotations/{x}", {"note": "n", "version": 1}),
    ),
    (
        "API delete annotation with a version",
        ANN,
        lambda x: _api("delete", f"/api/annotations/{x}?version=1"),
    ),
    (
        "API edit annotation",
        ANN,
        lambda x: _api("patch", f"/api/annotations/{x}", {"note": "mine now"}),
    ),
    ("API delete annotation", ANN, lambda x: _api("delete", f"/api/annotations/{x}")),
    (
        "API list by document",
        DOC,
        lambda x: lambda c: c.get("/api/annotations", {"document": x}),
    ),
    (
        "API list by paragraph",
        PARA,
        lambda x: lambda c: c.get("/api/annotations", {"paragraph": x}),
    ),
    (
        "API list by theme",
        THEME,
        lambda x: lambda c: c.get("/api/annotations", {"theme": x}),
    ),
    (
        "API list by person",
        PERSON,
        lambda x: lambda c: c.get("/api/annotations", {"user": x}),
    ),
    (
        "API annotate",
        PARA,
        lambda x: _api(
            "post",
            "/api/annotations",
            {"paragraph": int(x), "start": 0, "end": 3, "themes": ["sovereignty"]},
        ),
    ),
    (
        "API annotate with theme",
        THEME,
        lambda x: _api(
            "post",
            "/api/annotations",
            {"paragraph": -1, "start": 0, "end": 3, "themes": [x]},
        ),
    ),
    (
        "API bulk tag",
        PARA,
        lambda x: _api(
            "post",
            "/api/annotations/bulk",
            {"theme": "sovereignty", "items": [{"paragraph": int(x)}]},
        ),
    ),
]

# Pages and endpoints of project A that list things: none may show B's.
LISTINGS = [  # (page, the least role that may open it)
    ("/", Role.VIEWER),
    ("/documents/", Role.VIEWER),
    ("/documents/own-doc/", Role.VIEWER),
    ("/codebook/", Role.VIEWER),
    ("/codebook/sovereignty/", Role.VIEWER),
    ("/activity/", Role.VIEWER),
    ("/agreement/", Role.VIEWER),
    ("/agreement/rounds/", Role.CURATOR),
    ("/export/", Role.VIEWER),
    ("/export/?format=csv", Role.VIEWER),
    ("/export/?format=qdpx", Role.VIEWER),
    ("/documents/upload/", Role.CURATOR),
    ("/annotations/bulk-review/", Role.ANNOTATOR),
    ("/api/themes", Role.VIEWER),
    ("/api/annotations", Role.VIEWER),
    ("/api/documents/own-doc/live", Role.VIEWER),
    ("/analysis/", Role.VIEWER),
    ("/analysis/passages/", Role.VIEWER),
    ("/analysis/passages/?layer=consensus", Role.VIEWER),
    ("/adjudicate/", Role.VIEWER),
    ("/adjudicate/?status=settled", Role.VIEWER),
    ("/export/?format=w3c&layer=consensus&agreed=1", Role.VIEWER),
    ("/analysis/matrix/", Role.VIEWER),
    ("/analysis/co-occurrence/", Role.VIEWER),
    ("/analysis/memos/", Role.VIEWER),
    ("/analysis/charts/?chart=coders&format=csv", Role.VIEWER),
    ("/accounts/settings/", Role.VIEWER),
    ("/accounts/team/", Role.ADMIN),
]


def state() -> tuple:
    """Everything a write could change."""
    return (
        list(
            Annotation.objects.values_list("id", "note", "start", "end").order_by("id")
        ),
        list(Theme.objects.values_list("id", "name", "retired", "parent", "position")),
        list(Memo.objects.values_list("id", "text")),
        Activity.objects.count(),
        list(Paragraph.objects.values_list("id", "position", "kind", "text", "hidden")),
        list(Document.objects.values_list("id", "title")),
        list(IngestJob.objects.values_list("id", "status", "attempts")),
        list(ConsensusDecision.objects.values_list("id", "present", "theme")),
    )


def body_of(response: Any) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


VARYING = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), "CSRF"),
    (re.compile(r'"csrfToken": "[^"]+"'), "CSRF"),
    (re.compile(r"gloss-excerpts-\d{4}-\d\d-\d\d"), "FILE"),
]


def comparable(response: Any, identifier: str) -> tuple[int, str, str]:
    """Status, content type and body with the identifier and per-request
    noise (CSRF masks, dated file names) set aside."""
    text = body_of(response).replace(identifier, "<X>")
    for pattern, stand_in in VARYING:
        text = pattern.sub(stand_in, text)
    location = response.get("Location", "").replace(identifier, "<X>")
    return response.status_code, response.get("Content-Type", ""), text + location


def client_for(role: Role) -> Client:
    user = UserFactory(username=f"a-{role.label.lower()}", role=role)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.label)
@pytest.mark.parametrize(("name", "kind", "probe"), PROBES, ids=[p[0] for p in PROBES])
def test_another_projects_material_answers_like_nothing_at_all(
    secret: Secret, own_project: dict, role: Role, name: str, kind: str, probe: Any
) -> None:
    client = client_for(role)
    before = state()
    real, fake = b_value(secret, kind), MADE_UP[kind]

    asked_about_b = probe(real)(client)
    after_b = state()
    asked_about_nothing = probe(fake)(client)

    assert after_b == before, f"{name}: asking about B's {kind} changed something"
    assert asked_about_b.status_code < 500
    assert comparable(asked_about_b, real) == comparable(asked_about_nothing, fake), (
        f"{name} as {role.label}: B's {kind} is told apart from a made-up one"
    )
    told = body_of(asked_about_b).replace(real, "<X>")  # the person's own words
    for word in SECRETS:
        assert word not in told, f"{name}: shows {word!r}"


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.label)
@pytest.mark.parametrize(("url", "least"), LISTINGS, ids=[u for u, _ in LISTINGS])
def test_the_own_projects_listings_show_nothing_of_another(
    secret: Secret, own_project: dict, role: Role, url: str, least: Role
) -> None:
    response = client_for(role).get(url)
    assert response.status_code == (200 if role >= least else 403), url
    text = body_of(response)
    for word in [*SECRETS, "Hidden study", str(secret.document.iri)]:
        assert word not in text, f"{url} as {role.label} shows {word!r}"


def test_a_non_member_cannot_switch_into_the_project(secret: Secret) -> None:
    user = UserFactory(role=Role.ADMIN)
    client = Client()
    client.force_login(user)
    response = client.post("/accounts/project/", {"project": "hidden"})
    assert response.status_code == 404
    assert "Hidden study" not in body_of(response)
    assert client.get("/documents/zanzibar-treaty/").status_code == 404


def test_a_token_works_in_its_own_project_only(secret: Secret) -> None:
    """A member of both projects, with a token made for A: B's annotation is
    not found through it (the session's project does not matter to a token)."""
    user = UserFactory(role=Role.CURATOR)
    account_services.membership_set(user=user, project=secret.project, role=Role.ADMIN)
    token = account_services.api_token_create(
        user=user, project=Project.objects.first_project()
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = Client().get(f"/api/annotations/{secret.annotation.pk}", **auth)
    assert response.status_code == 404
    assert "xylophonic" not in body_of(response)


def test_a_member_of_both_sees_each_project_after_switching(secret: Secret) -> None:
    user = UserFactory(role=Role.VIEWER)
    account_services.membership_set(user=user, project=secret.project, role=Role.VIEWER)
    client = Client()
    client.force_login(user)
    assert "Zanzibar" not in body_of(client.get("/documents/"))
    assert client.post("/accounts/project/", {"project": "hidden"}).status_code == 302
    assert "Zanzibar" in body_of(client.get("/documents/"))
    assert client.get("/documents/zanzibar-treaty/").status_code == 200
