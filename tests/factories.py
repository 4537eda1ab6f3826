"""factory_boy factories for the corpus and annotations models.

Annotation and user factories write rows directly (fast test setup); tests of
behaviour go through ``annotations.services`` like the app does.
"""

from __future__ import annotations

import hashlib
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from accounts import services
from accounts.models import Project
from accounts.roles import Role
from annotations.anchoring import quote_at
from annotations.models import Annotation, Theme
from corpus.models import Document, Paragraph

PASSWORD = "correct-horse-battery-staple"


def first_project() -> Project:
    """Where factories put things unless told: the first project (made by the
    accounts migration), as the app does for un-scoped commands."""
    return Project.objects.first_project()


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Study {n}")
    slug = factory.LazyAttribute(lambda p: slugify(p.name))


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    project = factory.LazyFunction(first_project)

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


class UserFactory(factory.django.DjangoModelFactory):
    """A user; ``role=Role.CURATOR`` gives a role in the first project (none
    by default); ``project=`` names another project for it."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Coder{n}")
    last_name = "Test"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create: bool, extracted: Role | None, **kwargs: Any) -> None:
        if create and extracted is not None:
            project = kwargs.get("project") or first_project()
            services.membership_set(user=self, project=project, role=extracted)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("project", "slug")

    project = factory.LazyFunction(first_project)
    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.LazyAttribute(lambda t: slugify(t.name))
    description = factory.LazyAttribute(lambda t: f"What {t.name} means.")
    colour = "#2f5d8a"


class AnnotationFactory(factory.django.DjangoModelFactory):
    """An annotation on a span (whole paragraph by default) with ``themes``."""

    class Meta:
        model = Annotation
        skip_postgeneration_save = True

    paragraph = factory.SubFactory(ParagraphFactory)
    document = factory.LazyAttribute(lambda a: a.paragraph.document)
    author = factory.SubFactory(UserFactory, role=Role.ANNOTATOR)
    start = 0
    end = factory.LazyAttribute(lambda a: len(a.paragraph.text))
    quote = factory.LazyAttribute(lambda a: a.paragraph.text[a.start : a.end])
    prefix = factory.LazyAttribute(
        lambda a: quote_at(a.paragraph.text, a.start, a.end).prefix
    )
    suffix = factory.LazyAttribute(
        lambda a: quote_at(a.paragraph.text, a.start, a.end).suffix
    )
    last_position = factory.LazyAttribute(lambda a: a.paragraph.position)

    @factory.post_generation
    def themes(self, create: bool, extracted: list[Theme] | None, **kwargs: Any):
        if create:
            self.themes.set(extracted or [ThemeFactory()])
