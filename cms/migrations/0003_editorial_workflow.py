"""Editors draft and submit, moderators approve and publish (Wagtail's moderation workflow).

Wagtail's own migrations create a "Moderators approval" workflow on the tree
root; this names it in Chinese and makes sure it exists with the right task
and page permissions even on a database where someone removed them. Editors
may add and change pages but not publish; moderators may publish, lock and
unlock, and edit the site settings and search promotions.
"""

from django.db import migrations

WORKFLOW_NAME = "内容审核流程"
TASK_NAME = "内容审核员审批"


def _permission(apps, app_label, codename):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    model = codename.split("_", 1)[1]
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": codename}
    )
    return permission


def forwards(apps, schema_editor):
    from lms.accounts.roles import Role, grant

    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return
    editors, _ = Group.objects.get_or_create(name=Role.EDITOR)
    moderators, _ = Group.objects.get_or_create(name=Role.MODERATOR)

    page_rights = {
        editors: ["add_page", "change_page"],
        moderators: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    }
    for group, codenames in page_rights.items():
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root, permission=_permission(apps, "wagtailcore", codename)
            )
    # Publishing goes through moderation: editors never hold publish rights.
    GroupPagePermission.objects.filter(
        group=editors, permission__codename="publish_page"
    ).delete()

    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = (
        GroupApprovalTask.objects.filter(name__in=[TASK_NAME, "Moderators approval"], active=True)
        .order_by("pk")
        .first()
    )
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME, content_type=task_type, active=True)
    else:
        task.name = TASK_NAME
        task.save(update_fields=["name"])
    task.groups.set([moderators])

    workflow = (
        Workflow.objects.filter(name__in=[WORKFLOW_NAME, "Moderators approval"]).order_by("pk").first()
    )
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    else:
        workflow.name = WORKFLOW_NAME
        workflow.active = True
        workflow.save(update_fields=["name", "active"])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})

    grant(apps, Role.MODERATOR, "cms", ["change_sitesettings"])
    grant(
        apps,
        Role.MODERATOR,
        "wagtailsearchpromotions",
        ["add_searchpromotion", "change_searchpromotion", "delete_searchpromotion"],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_portal_pages_news_and_settings"),
        ("accounts", "0002_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailsearchpromotions", "0008_query_verbose_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
