"""Read your writes without reading everyone's: a person's next search waits
for their own pending index changes only, not for another person's backlog."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from annotations import services as annotations
from corpus.models import Document
from search import outbox
from search.backend import get_backend
from search.models import IndexOutbox
from search.services import search_paragraphs
from tests.factories import ParagraphFactory, ThemeFactory, UserFactory, first_project
from tests.search.conftest import paragraph

BACKLOG = 300  # more than a batch the drainer takes in the tests below


@pytest.fixture
def people(small_corpus: Document):
    """Ana tags; Ben has a backlog of small changes queued before her tag (one
    tag each, as a script going through the API makes them)."""
    ThemeFactory(slug="sovereignty", name="Sovereignty")
    ana, ben = UserFactory(role=Role.ANNOTATOR), UserFactory(role=Role.ANNOTATOR)
    for record in ParagraphFactory.create_batch(BACKLOG, document=small_corpus):
        outbox.enqueue([record.id], actor_id=ben.pk)
    return ana, ben


def tag(person, record, theme: str = "sovereignty") -> None:  # noqa: ANN001
    annotations.annotation_create(
        author=person, paragraph=record, start=0, end=8, themes=[theme]
    )


def found(person, query: str) -> tuple[set[int], str]:  # noqa: ANN001
    result = search_paragraphs(project=first_project(), query=query, viewer=person)
    return {row.paragraph.id for row in result.rows}, result.notice


def bens_rows(ben) -> int:  # noqa: ANN001
    return IndexOutbox.objects.filter(actor_id=ben.pk).count()


@pytest.mark.django_db
def test_a_tag_is_found_by_its_authors_next_theme_search_past_a_backlog(
    small_corpus, people
):
    """Inline drain (no drainer process): Ana's search applies her own row
    and leaves Ben's whole backlog queued (it is not hers to wait for)."""
    ana, ben = people
    record = paragraph(small_corpus, 3)
    tag(ana, record)
    assert IndexOutbox.objects.filter(actor_id=ana.pk).count() == 1  # hers
    assert found(ana, "theme:sovereignty") == ({record.id}, "")
    assert bens_rows(ben) == BACKLOG
    assert not IndexOutbox.objects.filter(actor_id=ana.pk).exists()


@pytest.mark.django_db
def test_with_a_dedicated_drainer_a_search_waits_for_its_own_rows_only(
    small_corpus, people, settings, monkeypatch
):
    """No drainer runs here, so any row waited for is never applied: Ana's
    search before she tags waits for nothing (Ben's backlog is his); after
    she tags, it waits for her row and says it is not indexed yet."""
    settings.GLOSS_SEARCH_DRAINER = "process"
    monkeypatch.setattr(outbox, "SEARCH_LOCK_WAIT", 0.2)
    ana, ben = people
    assert found(ana, "theme:sovereignty") == (set(), "")
    tag(ana, paragraph(small_corpus, 3))
    assert found(ana, "theme:sovereignty") == (set(), outbox.BEHIND_NOTICE)
    # Ben's own search does wait for his rows (the drainer is behind).
    assert found(ben, "distrust")[1] == outbox.BEHIND_NOTICE


@pytest.mark.django_db
def test_the_drainer_applies_a_waiting_persons_row_before_an_older_backlog(
    small_corpus, people, settings, monkeypatch
):
    """Ana's search rings the drainer with her id; given it, the drainer's
    next batch takes her row ahead of Ben's older rows, so her next search
    finds her tag."""
    settings.GLOSS_SEARCH_DRAINER = "process"
    monkeypatch.setattr(outbox, "SEARCH_LOCK_WAIT", 0.05)
    rings: list[int | None] = []
    monkeypatch.setattr(outbox, "ring", rings.append)
    ana, ben = people
    record = paragraph(small_corpus, 3)
    tag(ana, record)
    found(ana, "theme:sovereignty")  # waits in vain: no drainer runs
    assert rings == [ana.pk]
    backend = get_backend()
    with backend.exclusive():
        assert outbox._drain_batch(backend, batch_size=10, first={ana.pk}) == 10
    assert found(ana, "theme:sovereignty") == ({record.id}, "")
    assert bens_rows(ben) == BACKLOG - 9


@pytest.mark.django_db
def test_the_following_drainer_passes_the_people_rung_to_its_next_batch(
    monkeypatch,
):
    """What the doorbell said (``_wait``'s answer) reaches the next drain as
    the people to serve first; after a batch that applied rows it is spent."""
    heard = iter([{7}, set(), set()])
    monkeypatch.setattr(outbox, "_wait", lambda bell, seconds: next(heard, set()))
    batches: list[dict] = []

    def drain(**kwargs):  # noqa: ANN003, ANN202
        batches.append({**kwargs, "first": set(kwargs["first"])})
        return 1 if len(batches) == 1 else 0

    monkeypatch.setattr(outbox, "drain", drain)
    outbox.follow(max_idle=0.0)
    assert [b["first"] for b in batches] == [{7}, set()]
    assert {b["max_batches"] for b in batches} == {1}


@pytest.mark.django_db
def test_an_unattributed_change_is_still_waited_for(small_corpus, people):
    """A command's or an ingest's change names no one: every search waits for
    it, as before (and the index equals the database after a drain)."""
    ana, _ = people
    record = paragraph(small_corpus, 3)
    record.text = "Zebrafinch diplomacy."
    record.save()
    outbox.enqueue([record.id])
    assert found(ana, "zebrafinch") == ({record.id}, "")
    outbox.drain()
    assert outbox.pending() == 0
    assert get_backend().drift().clean


@pytest.mark.django_db
def test_a_woken_drainer_gathers_a_burst_until_someone_waits(settings):
    """Plain rings (changes committed) are gathered for the whole pause; a
    ring from a waiting search ends it, naming the person."""
    with outbox._doorbell() as bell:
        assert bell is not None
        outbox.ring()
        outbox.ring()
        assert outbox._gather(bell, 0.2) == set()  # a burst: nobody waits
        outbox.ring()
        outbox.ring(9)
        assert outbox._gather(bell, 60.0) == {9}  # (else it would pause 60 s)


@pytest.mark.django_db
def test_an_idle_drainer_woken_gathers_before_draining(monkeypatch):
    """The wiring: after an idle pause the drainer gathers (GATHER) before it
    looks again, unless the pause's rings named someone waiting."""
    calls: list[str] = []
    monkeypatch.setattr(outbox, "_wait", lambda bell, seconds: set())
    monkeypatch.setattr(outbox, "drain", lambda **kwargs: calls.append("drain") or 0)

    def gather(bell, seconds):  # noqa: ANN001, ANN202
        calls.append(f"gather {seconds}")
        return set()

    monkeypatch.setattr(outbox, "_gather", gather)
    outbox.follow(max_idle=0.01)
    assert calls[:3] == ["drain", f"gather {outbox.GATHER}", "drain"]


@pytest.mark.django_db
def test_a_curators_edit_is_theirs_to_wait_for_not_everyones(
    small_corpus, settings, monkeypatch
):
    """A merge of two records is queued as the curator's change: the
    curator's next search waits for it, another person's does not (no
    drainer runs here, so a wait is seen as the notice)."""
    from corpus import curation

    settings.GLOSS_SEARCH_DRAINER = "process"
    monkeypatch.setattr(outbox, "SEARCH_LOCK_WAIT", 0.05)
    ana, cleo = UserFactory(role=Role.ANNOTATOR), UserFactory(role=Role.CURATOR)
    curation.paragraph_merge_next(actor=cleo, paragraph=paragraph(small_corpus, 1))
    assert IndexOutbox.objects.filter(actor_id=cleo.pk).exists()
    assert not IndexOutbox.objects.filter(actor_id=None).exists()
    assert found(ana, "distrust")[1] == ""
    assert found(cleo, "distrust")[1] == outbox.BEHIND_NOTICE
