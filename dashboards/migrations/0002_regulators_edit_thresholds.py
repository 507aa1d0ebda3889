from django.db import migrations

from lms.accounts.roles import Role, grant


def grant_thresholds(apps, schema_editor):
    # City regulators edit the early-warning thresholds in the admin (Settings).
    grant(apps, Role.CITY_REGULATOR, "dashboards", ["change_supervisionsettings"])


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_reminders_exports_snapshots_warnings_reports"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant_thresholds, migrations.RunPython.noop)]
