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
