"""Seed the role groups and the starting codebook.

The three seed themes have fixed GUIDs so every installation exports them
under the same identifiers (REFI-QDA interchange). Reversing removes only
seed themes that no annotation uses.
"""

from django.db import migrations

ROLES = ["Viewer", "Annotator", "Curator", "Admin"]

SEED_THEMES = [
    {
        "name": "Sovereignty",
        "slug": "sovereignty",
        "colour": "#d97706",
        "guid": "6f1c2a4e-3b7d-4e0a-9c51-2d8f0b6a1e01",
        "description": (
            "Claims about a state's exclusive authority over its territory, borders, "
            "forces and policy choices, as they bear on security cooperation: "
            "invoking, defending, conditioning or negotiating national autonomy "
            "in dealings with the other North American states."
        ),
        "inclusion": (
            "Explicit appeals to sovereignty, national autonomy, self-determination "
            "or non-intervention; objections to foreign agents, troops, aircraft or "
            "surveillance operating on national soil; limits placed on cooperation "
            "to keep decisions at home (e.g. Mexico's restrictions on armed U.S. "
            "agents, Canadian worries that perimeter security or data sharing cedes "
            "control over who enters Canada); past interventions (1846–48, "
            "Veracruz 1914) invoked to frame what is acceptable today."
        ),
        "exclusion": (
            "A country or government merely named as an actor, with no claim about "
            "authority or autonomy; 'national security' as a policy field; economic "
            "integration with no claim about control (see bilateralism for the "
            "shape of the relationship); constitutional matters internal to one "
            "state."
        ),
    },
    {
        "name": "Distrust",
        "slug": "distrust",
        "colour": "#dc2626",
        "guid": "6f1c2a4e-3b7d-4e0a-9c51-2d8f0b6a1e02",
        "description": (
            "A lack of confidence between governments, agencies or officials — doubt "
            "about a partner's intentions, competence, integrity or reliability — "
            "presented as a cause, an obstacle or a feature of security cooperation."
        ),
        "inclusion": (
            "Fear that partner agencies are corrupt or infiltrated by organised "
            "crime; reluctance to share intelligence or to vet joint units; "
            "suspicion of hidden agendas or unilateral action; mutual recrimination "
            "(arms trafficking, drug demand, 'Fast and Furious', leaked cables); "
            "historical grievances cited as reasons for caution; surveys showing "
            "that publics or elites mistrust the partner. Statements that trust has "
            "grown are coded only when they contrast it with earlier distrust."
        ),
        "exclusion": (
            "Policy disagreements not framed as doubt about the partner's "
            "trustworthiness (code their substance instead); citizens' mistrust of "
            "their own institutions with no cross-border relationship at stake; "
            "generic uncertainty about threats."
        ),
    },
    {
        "name": "Bilateralism",
        "slug": "bilateralism",
        "colour": "#2563eb",
        "guid": "6f1c2a4e-3b7d-4e0a-9c51-2d8f0b6a1e03",
        "description": (
            "Security cooperation organised between pairs of states (U.S.–Mexico, "
            "U.S.–Canada, Canada–Mexico) rather than trilaterally or "
            "multilaterally: its agreements, institutions and practices, and the "
            "preference for two-country arrangements over regional ones."
        ),
        "inclusion": (
            "Bilateral agreements and programmes (the Mérida Initiative, the Smart "
            "Border accords, Beyond the Border, NORAD, the 21st Century Border); "
            "'dual bilateralism' and hub-and-spoke arrangements centred on the "
            "United States; arguments that trilateral efforts (the SPP) failed or "
            "gave way to bilateral ones; bilateral summits, working groups and "
            "joint bodies."
        ),
        "exclusion": (
            "Multilateral or hemispheric frameworks (OAS, UN, the Conference of "
            "Defense Ministers of the Americas) unless contrasted with bilateral "
            "ones; trilateral initiatives described on their own terms; one "
            "state's unilateral policies."
        ),
    },
]


def seed(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Theme = apps.get_model("annotations", "Theme")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    for fields in SEED_THEMES:
        if not Theme.objects.filter(slug=fields["slug"]).exists():
            Theme.objects.create(**fields)


def unseed(apps, schema_editor):
    Theme = apps.get_model("annotations", "Theme")
    slugs = [fields["slug"] for fields in SEED_THEMES]
    Theme.objects.filter(slug__in=slugs, tagged_annotations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
