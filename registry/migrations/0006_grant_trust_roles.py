"""Grant the household-trust permissions: agencies enter insurance, regulators moderate."""

from django.db import migrations

from lms.accounts.roles import grant

PERMISSIONS = {
    "Agency staff": [
        "view_insurance",
        "add_insurance",
        "view_servicevisit",
        "view_visitrating",
    ],
    "Reviewers": ["view_insurance", "view_servicevisit", "view_visitrating"],
    "City regulators": [
        "view_insurance",
        "view_servicevisit",
        "view_visitrating",
        "moderate_visitrating",
    ],
    "District regulators": [
        "view_insurance",
        "view_servicevisit",
        "view_visitrating",
        "moderate_visitrating",
    ],
}


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("registry")
    if not hasattr(app_config, "models_module"):
        app_config.models_module = None
    for role, codenames in PERMISSIONS.items():
        grant(apps, role, "registry", codenames)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_insurance_visits_ratings"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
