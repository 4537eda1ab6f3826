# Projects, memberships and API tokens, and the first project: an
# installation from before projects becomes this one project (the corpus,
# codebook, annotations, memos, tokens and roles move into it in
# corpus 0005 and annotations 0008).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FIRST_PROJECT = {"name": "Main project", "slug": "main"}


def create_first_project(apps, schema_editor):
    Project = apps.get_model("accounts", "Project")
    if not Project.objects.exists():
        Project.objects.create(**FIRST_PROJECT)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Project",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, unique=True)),
                ("slug", models.SlugField(max_length=100, unique=True)),
                ("description", models.TextField(blank=True)),
                ("created", models.DateTimeField(auto_now_add=True)),
            ],
            options={"ordering": ["name", "pk"]},
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("role", models.PositiveSmallIntegerField(choices=[(1, "Viewer"), (2, "Annotator"), (3, "Curator"), (4, "Admin")])),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("project", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to="accounts.project")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "ordering": ["project", "user__username"],
                "constraints": [models.UniqueConstraint(fields=("project", "user"), name="membership_one_per_project")],
            },
        ),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("hint", models.CharField(editable=False, help_text="First characters, to tell apart.", max_length=12)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("last_used", models.DateTimeField(blank=True, editable=False, null=True)),
                ("expires", models.DateTimeField(editable=False, help_text="Refused from then on (GLOSS_API_TOKEN_DAYS).")),
                ("project", models.ForeignKey(help_text="The project the token's requests work in.", on_delete=django.db.models.deletion.CASCADE, related_name="api_tokens", to="accounts.project")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="api_tokens", to=settings.AUTH_USER_MODEL)),
            ],
            options={"verbose_name": "API token"},
        ),
        migrations.RunPython(create_first_project, migrations.RunPython.noop),
    ]
