"""Let agency staff enrol their workers (the admin's bulk enrolment) and see enrolments."""

from django.db import migrations

from lms.accounts.roles import Role, grant


def grant_permissions(apps, schema_editor):
    grant(apps, Role.AGENCY_STAFF, "courses", ["add_enrolment", "view_enrolment"])


def revoke_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=Role.AGENCY_STAFF).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="courses", codename__in=["add_enrolment", "view_enrolment"]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_lesson_blocks_progress_tracking"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant_permissions, revoke_permissions)]
