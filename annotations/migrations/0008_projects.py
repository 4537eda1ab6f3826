# Projects: the codebook, memos and the activity log belong to a project, and
# API tokens and roles move to the accounts app. An installation from before
# projects becomes its first project (accounts 0001) with nothing lost:
# every theme, memo and log entry goes into it, every API token is carried
# over (same hash, hint, dates) to work in it, and every role group a person
# held becomes their membership there (the highest, as before). The role
# groups are removed afterwards: roles are memberships now.

import uuid

import django.db.models.deletion
from django.db import migrations, models

ROLE_GROUPS = {"Viewer": 1, "Annotator": 2, "Curator": 3, "Admin": 4}


def into_first_project(apps, schema_editor):
    Project = apps.get_model("accounts", "Project")
    # accounts 0001 made it; a database emptied since (a flush) gets it again.
    first = Project.objects.order_by("pk").first() or Project.objects.create(
        name="Main project", slug="main"
    )
    for name in ("Theme", "Memo", "Activity"):
        apps.get_model("annotations", name).objects.update(project=first)

    OldToken = apps.get_model("annotations", "ApiToken")
    NewToken = apps.get_model("accounts", "ApiToken")
    NewToken.objects.bulk_create(
        NewToken(
            user_id=old.user_id,
            project=first,
            key_hash=old.key_hash,
            hint=old.hint,
            created=old.created,
            last_used=old.last_used,
            expires=old.expires,
        )
        for old in OldToken.objects.order_by("pk")
    )

    Group = apps.get_model("auth", "Group")
    Membership = apps.get_model("accounts", "Membership")
    roles: dict[int, int] = {}
    for group in Group.objects.filter(name__in=ROLE_GROUPS):
        for user_id in group.user_set.values_list("pk", flat=True):
            roles[user_id] = max(roles.get(user_id, 0), ROLE_GROUPS[group.name])
    User = apps.get_model("auth", "User")
    for user_id in User.objects.filter(is_superuser=True).values_list("pk", flat=True):
        roles[user_id] = 4  # superusers were Admins whatever their groups
    Membership.objects.bulk_create(
        Membership(project=first, user_id=user_id, role=role)
        for user_id, role in sorted(roles.items())
    )
    Group.objects.filter(name__in=ROLE_GROUPS).delete()


def back_to_groups(apps, schema_editor):
    """Reverse: role groups from the first project's memberships, tokens back."""
    Group = apps.get_model("auth", "Group")
    Membership = apps.get_model("accounts", "Membership")
    names = {role: name for name, role in ROLE_GROUPS.items()}
    groups = {role: Group.objects.get_or_create(name=name)[0] for role, name in names.items()}
    first = apps.get_model("accounts", "Project").objects.order_by("pk").first()
    for membership in Membership.objects.filter(project=first):
        groups[membership.role].user_set.add(membership.user_id)
    OldToken = apps.get_model("annotations", "ApiToken")
    NewToken = apps.get_model("accounts", "ApiToken")
    OldToken.objects.bulk_create(
        OldToken(
            user_id=new.user_id,
            key_hash=new.key_hash,
            hint=new.hint,
            created=new.created,
            last_used=new.last_used,
            expires=new.expires,
        )
        for new in NewToken.objects.filter(project=first)
    )


def _project(related_name, null):
    return models.ForeignKey(
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name=related_name,
        to="accounts.project",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("annotations", "0007_theme_position"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("corpus", "0005_projects"),
    ]

    operations = [
        migrations.AddField(model_name="theme", name="project", field=_project("themes", True)),
        migrations.AddField(model_name="memo", name="project", field=_project("memos", True)),
        migrations.AddField(model_name="activity", name="project", field=_project("activity", True)),
        migrations.RunPython(into_first_project, back_to_groups),
        migrations.AlterField(model_name="theme", name="project", field=_project("themes", False)),
        migrations.AlterField(model_name="memo", name="project", field=_project("memos", False)),
        migrations.AlterField(model_name="activity", name="project", field=_project("activity", False)),
        migrations.DeleteModel(name="ApiToken"),
        migrations.AlterField(
            model_name="theme",
            name="name",
            field=models.CharField(max_length=100, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="theme",
            name="slug",
            field=models.SlugField(allow_unicode=True, max_length=100, verbose_name="slug"),
        ),
        migrations.AlterField(
            model_name="theme",
            name="guid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, help_text="REFI-QDA.", verbose_name="GUID"),
        ),
        migrations.AlterField(
            model_name="memo",
            name="guid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, help_text="REFI-QDA.", verbose_name="GUID"),
        ),
        migrations.AddConstraint(
            model_name="theme",
            constraint=models.UniqueConstraint(fields=("project", "name"), name="theme_unique_name"),
        ),
        migrations.AddConstraint(
            model_name="theme",
            constraint=models.UniqueConstraint(fields=("project", "slug"), name="theme_unique_slug"),
        ),
        migrations.AddConstraint(
            model_name="theme",
            constraint=models.UniqueConstraint(fields=("project", "guid"), name="theme_unique_guid"),
        ),
        migrations.AddConstraint(
            model_name="memo",
            constraint=models.UniqueConstraint(fields=("project", "guid"), name="memo_unique_guid"),
        ),
    ]
