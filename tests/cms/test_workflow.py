"""Editors' workflow: submit → moderator approves; scheduled publishing; revisions; locking."""

import datetime

from django.core.management import call_command
from django.utils import timezone

from wagtail.models import Page, Workflow, WorkflowState

import pytest
import time_machine

from cms.models import NewsPage
from lms.accounts.roles import Role
from tests.lms.factories import StaffUserFactory

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return StaffUserFactory(roles=[Role.MODERATOR])


def test_the_moderation_workflow_covers_the_whole_tree(home):
    workflow = home.get_workflow()
    assert workflow is not None and workflow.name == "内容审核流程"
    assert workflow == Workflow.objects.get(workflow_pages__page=Page.get_first_root_node())
    task = workflow.tasks.get().specific
    assert [g.name for g in task.groups.all()] == [Role.MODERATOR]


def test_editors_may_edit_but_not_publish_moderators_may_publish(news_index, editor, moderator):
    item = factories.news_page(news_index)
    editor_perms = item.permissions_for_user(editor)
    assert editor_perms.can_edit() and not editor_perms.can_publish()
    assert item.permissions_for_user(moderator).can_publish()
    assert NewsPage.can_create_at(news_index)
    assert news_index.permissions_for_user(editor).can_add_subpage()


def test_editor_submits_and_moderator_approves(client, news_index, editor, moderator):
    draft = NewsPage(title="待审核的通知", slug="pending", live=False, owner=editor)
    news_index.add_child(instance=draft)
    draft.save_revision(user=editor)
    state = draft.get_workflow().start(draft, editor)
    assert client.get("/news/pending/").status_code == 404

    task_state = state.current_task_state
    assert task_state.task.specific.user_can_access_editor(draft, moderator)
    assert task_state.task.specific.get_actions(draft, moderator)
    assert not task_state.task.specific.get_actions(draft, editor)
    task_state.task.specific.on_action(task_state, moderator, "approve")

    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    draft.refresh_from_db()
    assert draft.live
    assert client.get("/news/pending/").status_code == 200


def test_publishing_can_be_scheduled(client, news_index):
    item = NewsPage(title="明天发布", slug="tomorrow", live=False)
    news_index.add_child(instance=item)
    go_live = timezone.now() + datetime.timedelta(days=1)
    item.go_live_at = go_live
    item.save_revision().publish()
    item.refresh_from_db()
    assert not item.live
    assert client.get("/news/tomorrow/").status_code == 404

    call_command("publish_scheduled")
    assert client.get("/news/tomorrow/").status_code == 404
    with time_machine.travel(go_live + datetime.timedelta(minutes=5)):
        call_command("publish_scheduled")
    item.refresh_from_db()
    assert item.live
    assert client.get("/news/tomorrow/").status_code == 200


def test_expiry_takes_a_page_down(client, news_index):
    item = factories.news_page(news_index, slug="expiring")
    item.expire_at = timezone.now() + datetime.timedelta(hours=1)
    item.save_revision().publish()
    with time_machine.travel(item.expire_at + datetime.timedelta(minutes=1)):
        call_command("publish_scheduled")
    assert client.get("/news/expiring/").status_code == 404


def test_every_publication_keeps_a_revision_to_compare(news_index):
    item = factories.news_page(news_index, title="第一版")
    item.title = "第二版"
    item.save_revision().publish()
    titles = [r.as_object().title for r in item.revisions.order_by("created_at", "pk")]
    assert titles == ["第一版", "第二版"]


def test_a_locked_page_cannot_be_edited_by_someone_else(news_index, editor, moderator):
    item = factories.news_page(news_index)
    item.locked, item.locked_by, item.locked_at = True, moderator, timezone.now()
    item.save(update_fields=["locked", "locked_by", "locked_at"])
    lock = item.get_lock()
    assert lock is not None
    assert lock.for_user(editor)
    assert not lock.for_user(moderator)
    assert item.permissions_for_user(moderator).can_unlock()
    assert not item.permissions_for_user(editor).can_unlock()


def test_an_editor_locks_the_page_being_edited_and_may_lift_that_lock(
    news_index, editor, moderator
):
    item = factories.news_page(news_index)
    assert item.permissions_for_user(editor).can_lock()
    item.locked, item.locked_by, item.locked_at = True, editor, timezone.now()
    item.save(update_fields=["locked", "locked_by", "locked_at"])
    assert item.get_lock().for_user(moderator)  # others cannot edit it meanwhile
    assert not item.get_lock().for_user(editor)
    assert item.permissions_for_user(editor).can_unlock()
