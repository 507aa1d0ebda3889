"""Grant the certificates app's permissions to the roles (groups) that use them."""

from django.db import migrations

from lms.accounts.roles import Role, grant

GRANTS = {
    Role.CITY_REGULATOR: [
        "view_certificatetype",
        "add_certificatetype",
        "change_certificatetype",
        "view_certificate",
        "revoke_certificate",
        "reissue_certificate",
        "bulk_certificate",
        "view_certificatebatch",
        "add_certificatebatch",
    ],
    Role.DISTRICT_REGULATOR: [
        "view_certificatetype",
        "view_certificate",
        "revoke_certificate",
        "reissue_certificate",
        "view_certificatebatch",
    ],
    Role.REVIEWER: ["view_certificatetype", "view_certificate", "reissue_certificate"],
    Role.AGENCY_STAFF: ["view_certificate"],
}


def forwards(apps, schema_editor):
    for role, codenames in GRANTS.items():
        grant(apps, role, "certificates", codenames)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("certificates", "0002_types_renewal_batches_lookup_page"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
