from django.db import migrations

from lms.accounts.roles import Role, grant


def grant_holidays(apps, schema_editor):
    # City regulators keep the city's holidays (Settings → 节假日安排), as they keep the
    # early-warning thresholds: every working-day deadline counts in them.
    grant(apps, Role.CITY_REGULATOR, "complaints", ["change_citycalendar"])


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_complaints_tracking_calendar"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant_holidays, migrations.RunPython.noop)]
