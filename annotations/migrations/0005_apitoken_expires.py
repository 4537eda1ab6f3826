# Tokens expire (GLOSS_API_TOKEN_DAYS). Tokens made before this migration get
# the same lifetime, counted from when they were made.

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models


def expire_existing(apps, schema_editor):
    ApiToken = apps.get_model("annotations", "ApiToken")
    lifetime = timedelta(days=settings.GLOSS_API_TOKEN_DAYS)
    for token in ApiToken.objects.filter(expires__isnull=True).only("created"):
        ApiToken.objects.filter(pk=token.pk).update(expires=token.created + lifetime)


class Migration(migrations.Migration):

    dependencies = [
        ("annotations", "0004_curation_verbs"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(expire_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires",
            field=models.DateTimeField(
                editable=False, help_text="Refused from then on (GLOSS_API_TOKEN_DAYS)."
            ),
        ),
    ]
