"""Grant the registry's model permissions to the roles and start the card sequence."""

from django.db import migrations

from lms.accounts.roles import grant

VIEW_ALL = [
    "view_agency",
    "view_branch",
    "view_worker",
    "view_filing",
    "view_employment",
    "view_creditrecord",
    "view_cardbatch",
    "view_issuedcard",
]
PERMISSIONS = {
    "Agency staff": [
        "view_agency",
        "view_branch",
        "view_worker",
        "add_worker",
        "change_worker",
        "view_filing",
        "view_employment",
        "add_employment",
        "change_employment",
        "view_creditrecord",
        "view_rosterimport",
        "add_rosterimport",
    ],
    "Reviewers": [*VIEW_ALL, "change_filing", "change_agency", "add_cardbatch", "view_rosterimport"],
    "City regulators": [*VIEW_ALL, "add_creditrecord", "change_creditrecord"],
    "District regulators": [*VIEW_ALL, "add_creditrecord", "change_creditrecord"],
}


def forwards(apps, schema_editor):
    # lms.accounts.roles.grant reads models_module, which the migration
    # state's app config stub lacks; give it one first.
    app_config = apps.get_app_config("registry")
    if not hasattr(app_config, "models_module"):
        app_config.models_module = None
    for role, codenames in PERMISSIONS.items():
        grant(apps, role, "registry", codenames)
    CardSequence = apps.get_model("registry", "CardSequence")
    CardSequence.objects.get_or_create(prefix="SHJZ")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_cards_rosters_lookup_pages"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
