"""The proctor role (监考员) and who manages stations and sittings.

Regulators manage stations and sittings and book workers; proctors read the
sittings they run (the admin scopes them to their own). The "Proctors" group
is created here by ``grant``, like the other roles' groups.
"""

from django.db import migrations

from lms.accounts.roles import grant

MANAGE = [
    f"{action}_{model}"
    for model in ("station", "sitting", "booking")
    for action in ("add", "change", "delete", "view")
] + ["view_incident"]


def grant_permissions(apps, schema_editor):
    for role in ("City regulators", "District regulators"):
        grant(apps, role, "sittings", MANAGE)
    grant(apps, "Proctors", "sittings", ["view_sitting", "view_booking", "view_incident"])
    # Proctors are staff: the admin (and so the second factor) is where they work.
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    Group.objects.get(name="Proctors").permissions.add(access_admin)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("sittings", "0001_stations_sittings_bookings"),
    ]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
