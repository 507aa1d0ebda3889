"""Editors may lock the pages they are working on (and so unlock their own locks).

Moderators keep the right to unlock anyone's lock.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from lms.accounts.roles import Role

    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")

    root = Page.objects.filter(depth=1).order_by("path").first()
    editors = Group.objects.filter(name=Role.EDITOR).first()
    lock = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename="lock_page"
    ).first()
    if root is None or editors is None or lock is None:
        return
    GroupPagePermission.objects.get_or_create(group=editors, page=root, permission=lock)


def backwards(apps, schema_editor):
    from lms.accounts.roles import Role

    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.filter(
        group__name=Role.EDITOR, permission__codename="lock_page", page__depth=1
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("cms", "0003_editorial_workflow")]

    operations = [migrations.RunPython(forwards, backwards)]
