"""factory_boy factories for the corpus models."""

from __future__ import annotations

import hashlib

import factory

from corpus.models import Document, Paragraph


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    source_name = factory.Sequence(lambda n: f"{n:03d}_source.txt")
    slug = factory.LazyAttribute(
        lambda d: d.source_name.rsplit(".", 1)[0].replace("_", "-")
    )
    iri = factory.LazyAttribute(lambda d: f"urn:gloss:document:{d.slug}")
    content_hash = factory.LazyAttribute(
        lambda d: hashlib.sha256(d.source_name.encode()).hexdigest()
    )
    title = factory.Sequence(lambda n: f"Security cooperation, part {n}")
    authors = factory.LazyFunction(lambda: ["Ana Ortiz", "Ben Clarke"])
    affiliation = "Suffolk University"
    year = 2010
    language = "en"


class ParagraphFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paragraph

    document = factory.SubFactory(DocumentFactory)
    position = factory.Sequence(lambda n: n)
    kind = Paragraph.Kind.PARAGRAPH
    section = "Introduction"
    page = 1
    lang = "en"
    text = factory.Sequence(lambda n: f"Paragraph number {n} about bilateralism.")
