"""Create one group per role and let every staff role into the Wagtail admin.

Each app grants its own model permissions to these groups in a migration of
its own (lms.accounts.roles.grant).
"""

from django.db import migrations

STAFF_GROUPS = ["Editors", "Moderators", "Reviewers", "City regulators", "District regulators", "Agency staff"]
ALL_GROUPS = STAFF_GROUPS + ["Workers"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    for name in ALL_GROUPS:
        group, _created = Group.objects.get_or_create(name=name)
        if name in STAFF_GROUPS:
            group.permissions.add(access_admin)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=["Reviewers", "City regulators", "District regulators", "Agency staff", "Workers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
