"""A worker's login: who a verified mobile number is, first sign-in, linking, a new number.

lms.accounts checks SMS codes; these answer who a verified mobile number is
(settings.PHONE_LOGIN_FIND / PHONE_LOGIN_PENDING / PHONE_LOGIN_ACTIVATE name them).
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.roles import Role
from lms.audit import audit
from lms.masking import mask_phone
from lms.validators import normalize_mobile
from registry.models import Worker
from registry.services.common import public_changed


def worker_login_for_phone(*, phone: str):
    """The active login proved for `phone`, or None (not yet activated, or not filed).

    Only a login that carries the number counts: a login made without it (at a
    station's kiosk, from a paper ticket) has not been through the first sign-in,
    so the number alone must not open it — the ID tail is asked first.
    """
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(phone=phone, is_active=True).first()


def worker_activation_pending(*, phone: str) -> bool:
    """Whether a filed worker with `phone` has no login proved for it yet (the first
    sign-in then confirms them with the ID tail): no login, or one without the number."""
    return (
        Worker.objects.filter(phone=phone)
        .filter(Q(user__isnull=True) | Q(user__phone__isnull=True))
        .exists()
    )


def worker_login_activate(*, phone: str, id_last4: str):
    """First sign-in: create the login of the filed worker with `phone` and this ID tail.

    The caller has proved the number by SMS code; the ID tail proves the
    person, so a number mistyped on somebody else's filing opens nothing.
    Returns the (new or existing) login, or None when no unlinked worker with
    this number has this ID tail. Two concurrent first sign-ins link exactly
    one login: the worker row is locked and the phone is unique among logins.
    """
    from django.contrib.auth import get_user_model

    User = get_user_model()
    with transaction.atomic():
        worker = (
            Worker.objects.select_for_update()
            .filter(phone=phone, id_last4=(id_last4 or "").strip().upper())
            .order_by("-created_at")
            .first()
        )
        if worker is None:
            return None
        if worker.user_id is not None:
            login = worker.user
            if login.phone is None and not User.objects.filter(phone=phone).exists():
                # A kiosk login, now proved by SMS and the ID tail: it answers to the number.
                login.phone = phone
                login.save(update_fields=["phone"])
                audit(login, "lms.account_activate", user=login, data={"worker": worker.pk})
            return login
        login = User.objects.filter(phone=phone).first()
        if login is None:
            login = User(username=f"w{phone}", phone=phone, name=worker.name)
            login.set_unusable_password()
            login.save()
            audit(login, "lms.account_activate", user=login, data={"worker": worker.pk})
        worker_link_login(worker=worker, login=login, acting_user=login)
    return login


@transaction.atomic
def worker_link_login(*, worker: Worker, login, acting_user=None) -> Worker:
    """Link a worker's phone login to the filed worker (one login per worker)."""
    worker.user = login
    worker.save(update_fields=["user"])
    group = Group.objects.filter(name=Role.WORKER).first()
    if group is not None:
        login.groups.add(group)
    audit(worker, "registry.worker_link_login", user=acting_user, data={"user": login.pk})
    return worker


@transaction.atomic
def worker_change_phone(*, worker: Worker, phone: str, acting_user=None) -> Worker:
    """Give a worker a new mobile number, on the filing and on the login alike.

    The old number stops signing in at once: its unused codes die, and the
    login answers only to the new number. Refuses a number another login has.
    """
    from django.contrib.auth import get_user_model

    from lms.accounts.models import SMSCode

    phone = normalize_mobile(phone)
    if not phone:
        raise ValidationError({"phone": _("请填写手机号。")}, code="phone_required")
    old = worker.phone
    if phone == old:
        return worker
    login = worker.user
    taken = get_user_model().objects.filter(phone=phone)
    if login is not None:
        taken = taken.exclude(pk=login.pk)
    if taken.exists():
        raise ValidationError(
            {"phone": _("这个手机号已经绑定了另一个账户，请换一个号码，或联系服务站。")},
            code="phone_taken",
        )
    worker.phone = phone
    worker.save(update_fields=["phone"])
    if login is not None:
        login.phone = phone
        login.save(update_fields=["phone"])
    if old:
        SMSCode.objects.filter(phone=old, used_at__isnull=True).update(expires_at=timezone.now())
    audit(
        worker,
        "registry.worker_change_phone",
        user=acting_user,
        data={"from": mask_phone(old), "to": mask_phone(phone)},
    )
    public_changed(worker.pk)
    return worker
