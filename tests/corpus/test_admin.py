"""Admin: metadata is editable (authors one per line); records are read-only."""

from __future__ import annotations

import pytest

from tests.factories import DocumentFactory, ParagraphFactory

pytestmark = pytest.mark.django_db


def test_edit_document_metadata(admin_client):
    document = DocumentFactory(title="", authors=[], year=None)
    url = f"/admin/corpus/document/{document.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    response = admin_client.post(
        url,
        {
            "title": "Obstacles",
            "authors": "Roberto Domínguez\n\n  Rafael Velázquez \n",
            "affiliation": "Suffolk University",
            "year": "2012",
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "Obstacles"
    assert document.authors == ["Roberto Domínguez", "Rafael Velázquez"]
    assert document.year == 2012
    form = admin_client.get(url).content.decode()
    assert "Roberto Domínguez\nRafael Velázquez" in form


def test_fixed_identity_fields_cannot_be_changed(admin_client):
    document = DocumentFactory(slug="fixed", source_name="fixed.txt")
    admin_client.post(
        f"/admin/corpus/document/{document.pk}/change/",
        {"title": "T", "authors": "", "slug": "other", "source_name": "other.txt"},
    )
    document.refresh_from_db()
    assert (document.slug, document.source_name) == ("fixed", "fixed.txt")


def test_paragraphs_are_listed_filtered_and_read_only(admin_client):
    paragraph = ParagraphFactory(kind="footnote", text="A footnote on trust.")
    ParagraphFactory(kind="paragraph", text="Body text.")
    listing = admin_client.get(
        "/admin/corpus/paragraph/", {"kind__exact": "footnote", "q": "trust"}
    )
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "A footnote on trust." in html and "Body text." not in html
    url = f"/admin/corpus/paragraph/{paragraph.pk}/change/"
    assert admin_client.get(url).status_code == 200  # viewable
    admin_client.post(url, {"text": "changed"})
    paragraph.refresh_from_db()
    assert paragraph.text == "A footnote on trust."
    assert admin_client.get("/admin/corpus/paragraph/add/").status_code == 403


# --- saving and deleting go through corpus.curation ------------------------


def _indexed_document():
    from search.backend import get_backend

    document = DocumentFactory(slug="indexed", title="Old title")
    for position in range(3):
        ParagraphFactory(document=document, position=position)
    get_backend().rebuild()
    return document


def _assert_index_in_step() -> None:
    from search import outbox
    from search.backend import get_backend

    outbox.drain()
    drift = get_backend().drift()
    assert drift.clean, drift


def test_admin_save_reindexes_and_logs(admin_client):
    from annotations.models import Activity

    document = _indexed_document()
    response = admin_client.post(
        f"/admin/corpus/document/{document.pk}/change/",
        {
            "title": "New title",
            "authors": "Ana",
            "affiliation": "",
            "year": "2011",
            "language": "en",
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.authors) == ("New title", ["Ana"])
    _assert_index_in_step()  # before the fix, the index kept "Old title"
    assert Activity.objects.filter(verb="document-edited").exists()


def test_admin_shows_the_services_validation_errors(admin_client):
    document = _indexed_document()
    response = admin_client.post(
        f"/admin/corpus/document/{document.pk}/change/",
        {"title": "T", "authors": "", "year": "0", "language": "english"},
    )
    assert response.status_code == 200  # the form again, with errors
    html = response.content.decode()
    assert "from 1 to 9999" in html and "language code" in html
    document.refresh_from_db()
    assert document.title == "Old title"


def test_admin_delete_removes_annotations_and_index_entries(admin_client):
    from annotations.models import Annotation
    from corpus.models import Document
    from tests.factories import AnnotationFactory

    document = _indexed_document()
    AnnotationFactory(paragraph=document.paragraphs.first())
    url = f"/admin/corpus/document/{document.pk}/delete/"
    assert admin_client.get(url).status_code == 200  # the confirmation page
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Document.objects.exists() and not Annotation.objects.exists()
    _assert_index_in_step()


def test_admin_bulk_delete_goes_through_the_service(admin_client):
    from annotations.models import Activity
    from corpus.models import Document

    first = _indexed_document()
    second = DocumentFactory(slug="second")
    ParagraphFactory(document=second, position=0)
    response = admin_client.post(
        "/admin/corpus/document/",
        {
            "action": "delete_selected",
            "_selected_action": [first.pk, second.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Document.objects.exists()
    _assert_index_in_step()
    assert Activity.objects.filter(verb="document-deleted").count() == 2


def test_records_cannot_be_deleted_in_the_admin(admin_client):
    paragraph = ParagraphFactory()
    url = f"/admin/corpus/paragraph/{paragraph.pk}/delete/"
    assert admin_client.get(url).status_code == 403


def test_the_add_address_leads_to_the_upload_page(admin_client):
    response = admin_client.get("/admin/corpus/document/add/", follow=True)
    assert response.redirect_chain[-1][0] == "/documents/upload/"
    assert "Documents are added on the upload page." in response.content.decode()


def test_taggits_unused_tag_admin_is_not_offered(admin_client):
    assert admin_client.get("/admin/taggit/tag/").status_code == 404
    assert "/admin/taggit/" not in admin_client.get("/admin/").content.decode()
