"""Grant the exams app's model permissions to the roles.

Editors and moderators keep the question bank, exams and accommodations;
agency staff, reviewers and regulators read attempts (the admin scopes each
login to the workers it may see).
"""

from django.db import migrations

from lms.accounts.roles import grant

BANK = [
    f"{action}_{model}"
    for model in ("question", "questioncategory", "exam", "drawrule", "accommodation")
    for action in ("add", "change", "delete", "view")
]
READERS = ["view_attempt", "view_exam"]


def grant_permissions(apps, schema_editor):
    for role in ("Editors", "Moderators"):
        grant(apps, role, "exams", BANK + READERS)
    for role in ("Agency staff", "Reviewers", "City regulators", "District regulators"):
        grant(apps, role, "exams", READERS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("exams", "0002_draw_rule_order_eligibility_flags"),
    ]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
