# Documents and upload jobs belong to a project; every existing one goes to
# the first project (accounts 0001). Names, slugs and IRIs become unique per
# project.

import django.db.models.deletion
from django.db import migrations, models


def into_first_project(apps, schema_editor):
    Project = apps.get_model("accounts", "Project")
    # accounts 0001 made it; a database emptied since (a flush) gets it again.
    first = Project.objects.order_by("pk").first() or Project.objects.create(
        name="Main project", slug="main"
    )
    for name in ("Document", "IngestJob"):
        apps.get_model("corpus", name).objects.update(project=first)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("corpus", "0004_ingest_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="project",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="documents", to="accounts.project"),
        ),
        migrations.AddField(
            model_name="ingestjob",
            name="project",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="ingest_jobs", to="accounts.project"),
        ),
        migrations.RunPython(into_first_project, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="document",
            name="project",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="documents", to="accounts.project"),
        ),
        migrations.AlterField(
            model_name="ingestjob",
            name="project",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="ingest_jobs", to="accounts.project"),
        ),
        migrations.AlterField(
            model_name="document",
            name="iri",
            field=models.CharField(editable=False, help_text="Stable identifier used in exports and citations.", max_length=500, verbose_name="IRI"),
        ),
        migrations.AlterField(
            model_name="document",
            name="slug",
            field=models.SlugField(editable=False, max_length=255),
        ),
        migrations.AlterField(
            model_name="document",
            name="source_name",
            field=models.CharField(help_text="File name the document came from.", max_length=255),
        ),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.UniqueConstraint(fields=("project", "source_name"), name="document_unique_source_name"),
        ),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.UniqueConstraint(fields=("project", "slug"), name="document_unique_slug"),
        ),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.UniqueConstraint(fields=("project", "iri"), name="document_unique_iri"),
        ),
    ]
