"""Writes of the consent app: requests and answers, grants and their tokens, the view log.

:func:`worker_views_record` is the one way any app records that someone saw
a worker's information (a certificate scan, a live code, a lookup answer, a
full record, a partner's API read).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.audit import audit
from lms.client import client_address

from .models import (
    WORKER_VIEW_TABLE,
    ConsentGrant,
    ConsentRequest,
    RequestPause,
    ViewerKind,
    WorkerView,
)

#: Shown as the viewer of a household's scan or request (never who the household is).
HOUSEHOLD_LABEL = gettext_lazy("住户扫码")
PUBLIC_LABEL = gettext_lazy("公众查询")


# --- settings (read with defaults; documented in .env.example by the lead) -------------------


def request_seconds() -> int:
    """How long a request waits for the worker's answer (CONSENT_REQUEST_SECONDS, 2 minutes)."""
    return int(getattr(settings, "CONSENT_REQUEST_SECONDS", 120))


def pending_per_client() -> int:
    """How many pending requests one client may have at once (CONSENT_PENDING_PER_CLIENT)."""
    return int(getattr(settings, "CONSENT_PENDING_PER_CLIENT", 3))


def longest_grant_hours() -> int:
    """The longest grant a worker may give (CONSENT_LONGEST_GRANT_HOURS, 7 days)."""
    return max(1, int(getattr(settings, "CONSENT_LONGEST_GRANT_HOURS", 7 * 24)))


def retention_days() -> int:
    """How long view records and ended requests are kept (CONSENT_RETENTION_DAYS, 180)."""
    return int(getattr(settings, "CONSENT_RETENTION_DAYS", 180))


def pause_hours() -> int:
    """How long "refuse all requests" lasts (CONSENT_PAUSE_HOURS, one day)."""
    return int(getattr(settings, "CONSENT_PAUSE_HOURS", 24))


#: A replaced grant token still opens the record this long: two tabs loading at once.
TOKEN_GRACE = datetime.timedelta(seconds=15)

#: The durations offered to the worker, in hours, up to the longest allowed.
DURATION_HOURS = (1, 24, 7 * 24)


def duration_choices() -> list[tuple[int, str]]:
    """(hours, label) the worker may choose from, never longer than the setting."""
    longest = longest_grant_hours()
    hours = [h for h in DURATION_HOURS if h <= longest] or [longest]
    labels = {1: _("1 小时"), 24: _("1 天"), 7 * 24: _("7 天")}
    return [(h, labels.get(h) or _("%(n)s 小时") % {"n": h}) for h in hours]


# --- keyed hashes -----------------------------------------------------------------------------


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under SECRET_KEY, per purpose: matches, cannot be reversed."""
    return salted_hmac(f"consent.{purpose}", value, algorithm="sha256").hexdigest()


def client_hash(request) -> str:
    """The keyed hash of the request's client address ("" without a request)."""
    if request is None:
        return ""
    address = client_address(request)
    return keyed_hash("client", address) if address else ""


# --- the view log -----------------------------------------------------------------------------


def worker_views_record(
    *,
    workers,
    kind: str,
    viewer_kind: str = ViewerKind.HOUSEHOLD,
    viewer_label: str = "",
    request=None,
) -> list[WorkerView]:
    """Record that `workers` (workers or ids) were seen, one row each, in one INSERT.

    `viewer_label` is already masked (an agency's or a partner's name); a
    household or a public lookup is never named. The client's address is kept
    only as a keyed hash.
    """
    ids = sorted({w if isinstance(w, int) else w.pk for w in workers})
    if not ids:
        return []
    if not viewer_label:
        viewer_label = HOUSEHOLD_LABEL if viewer_kind == ViewerKind.HOUSEHOLD else PUBLIC_LABEL
    now = timezone.now()
    hashed = client_hash(request)
    return WorkerView.objects.bulk_create(
        [
            WorkerView(
                worker_id=pk,
                kind=kind,
                viewer_kind=viewer_kind,
                viewer_label=str(viewer_label)[:200],
                client_hash=hashed,
                viewed_at=now,
            )
            for pk in ids
        ]
    )


def worker_views_record_many(
    *, worker_ids, kind: str, viewer_kind: str, viewer_label: str, request=None
) -> int:
    """:func:`worker_views_record` for many workers at once (a partner's snapshot: 300,000
    rows), returning how many rows were written and no instances. On PostgreSQL one
    ``INSERT … SELECT unnest(…)`` (no model instances, no RETURNING); elsewhere the same
    rows through :func:`worker_views_record`."""
    ids = sorted(set(worker_ids))
    if not ids:
        return 0
    if connection.vendor != "postgresql":
        return len(
            worker_views_record(
                workers=ids,
                kind=kind,
                viewer_kind=viewer_kind,
                viewer_label=viewer_label,
                request=request,
            )
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(WORKER_VIEW_TABLE)} "  # noqa: S608 (our table name)
            "(worker_id, kind, viewer_kind, viewer_label, client_hash, viewed_at) "
            "SELECT unnest(%s::bigint[]), %s, %s, %s, %s, %s",
            [ids, kind, viewer_kind, str(viewer_label)[:200], client_hash(request), timezone.now()],
        )
        return cursor.rowcount


@transaction.atomic
def worker_view_report(*, worker, view_id: int) -> WorkerView:
    """The worker does not recognise a view: mark it, and raise a warning for the district.

    Idempotent: a second report of the same view changes nothing. The warning
    comes from the dashboards' early-warning rules, run after commit.
    """
    view = WorkerView.objects.select_for_update().filter(pk=view_id, worker=worker).first()
    if view is None:
        raise ValidationError(_("找不到这条查看记录。"))
    if view.reported_at is None:
        view.reported_at = timezone.now()
        view.save(update_fields=["reported_at"])
        audit(view, "consent.view_report", data={"kind": view.kind})
        from lms.tasks import send_task_by_name

        send_task_by_name("dashboards.tasks.warnings_evaluate")
    return view


# --- requests ---------------------------------------------------------------------------------


class RequestRefused(Exception):
    """A request that cannot be made; ``message`` says why in plain Chinese."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


def _matching_number() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def paused_until(worker, *, now=None) -> datetime.datetime | None:
    """When the worker's "refuse all requests" ends, or None when not paused."""
    now = now or timezone.now()
    pause = RequestPause.objects.filter(worker=worker, until__gt=now).first()
    return pause.until if pause else None


@transaction.atomic
def consent_request_create(
    *, worker, viewer_kind: str, request=None, agency=None, user=None
) -> tuple[ConsentRequest, str]:
    """Ask `worker` to open their full record; returns (request, browser secret).

    A household's request is bound to the asking browser by the secret (the
    caller puts it in an HttpOnly cookie); an agency's to the staff account.
    Refused (:class:`RequestRefused`) while the worker refuses all requests,
    or when this client (or staff account) already has the allowed number of
    requests waiting.
    """
    now = timezone.now()
    if paused_until(worker, now=now):
        raise RequestRefused(
            "paused", _("这位服务员暂时不接受查看完整档案的请求，请以扫码看到的信息为准。")
        )
    waiting = ConsentRequest.objects.filter(
        status=ConsentRequest.Status.PENDING, expires_at__gt=now
    )
    hashed = client_hash(request)
    if viewer_kind == ViewerKind.AGENCY:
        waiting = waiting.filter(requested_by=user)
    else:
        waiting = waiting.filter(client_hash=hashed)
    if waiting.count() >= pending_per_client():
        raise RequestRefused(
            "too_many",
            _("你已有 %(n)s 个请求在等待答复，请等服务员答复或 2 分钟后请求过期再试。")
            % {"n": pending_per_client()},
        )
    secret = secrets.token_urlsafe(32) if viewer_kind != ViewerKind.AGENCY else ""
    label = agency.name if agency is not None else HOUSEHOLD_LABEL
    consent = ConsentRequest.objects.create(
        worker=worker,
        viewer_kind=viewer_kind,
        viewer_label=str(label)[:200],
        agency=agency,
        requested_by=user if user is not None and user.is_authenticated else None,
        matching_number=_matching_number(),
        browser_hash=keyed_hash("browser", secret) if secret else "",
        client_hash=hashed,
        expires_at=now + datetime.timedelta(seconds=request_seconds()),
    )
    return consent, secret


@transaction.atomic
def consent_request_answer(
    *, worker, request_id: int, approve: bool, hours: int | None = None, acting_user=None
) -> ConsentRequest:
    """The worker's 同意 (for `hours`) or 拒绝 to one of their own waiting requests."""
    consent = (
        ConsentRequest.objects.select_for_update().filter(pk=request_id, worker=worker).first()
    )
    if consent is None:
        raise ValidationError(_("找不到这个请求。"))
    now = timezone.now()
    if consent.status != ConsentRequest.Status.PENDING:
        raise ValidationError(_("这个请求已经答复过了。"))
    if consent.expires_at <= now:
        raise ValidationError(_("这个请求已过期（2 分钟内未答复），请让对方重新请求。"))
    if not approve:
        consent.status = ConsentRequest.Status.REFUSED
        consent.answered_at = now
        consent.save(update_fields=["status", "answered_at"])
        audit(consent, "consent.refuse", user=acting_user)
        return consent
    allowed = {h for h, _label in duration_choices()}
    if hours not in allowed:
        raise ValidationError(_("请选择授权时长。"))
    consent.status = ConsentRequest.Status.APPROVED
    consent.answered_at = now
    consent.save(update_fields=["status", "answered_at"])
    ConsentGrant.objects.create(
        request=consent,
        worker=worker,
        viewer_kind=consent.viewer_kind,
        viewer_label=consent.viewer_label,
        agency=consent.agency,
        user=consent.requested_by if consent.viewer_kind == ViewerKind.AGENCY else None,
        expires_at=now + datetime.timedelta(hours=hours),
    )
    audit(consent, "consent.grant", user=acting_user, data={"hours": hours})
    return consent


@transaction.atomic
def consent_pause(*, worker, on: bool) -> datetime.datetime | None:
    """Refuse every request for ``pause_hours()`` (on), or accept them again (off).

    Pausing also refuses the requests waiting now.
    """
    if not on:
        RequestPause.objects.filter(worker=worker).delete()
        return None
    now = timezone.now()
    until = now + datetime.timedelta(hours=pause_hours())
    RequestPause.objects.update_or_create(worker=worker, defaults={"until": until})
    ConsentRequest.objects.filter(
        worker=worker, status=ConsentRequest.Status.PENDING, expires_at__gt=now
    ).update(status=ConsentRequest.Status.REFUSED, answered_at=now)
    return until


# --- grants -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantCheck:
    """The answer to a household's grant cookie: the grant, or why not.

    ``reason`` is "" (open), "missing", "invalid" (forged or unknown),
    "expired", "withdrawn" or "replayed"; ``token`` is the replacement token to
    set in the cookie (None: keep the cookie as it is).
    """

    grant: ConsentGrant | None
    reason: str
    token: str | None = None


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, keyed_hash("grant", token)


@transaction.atomic
def consent_grant_claim(*, secret: str) -> tuple[ConsentRequest | None, str | None]:
    """The asking browser collects the grant of its approved request, once.

    Returns (request, token): the token to put in the browser's cookie when
    the request was approved and not yet collected, else None.
    """
    if not secret:
        return None, None
    consent = (
        ConsentRequest.objects.select_for_update()
        .filter(browser_hash=keyed_hash("browser", secret))
        .first()
    )
    if consent is None or consent.status != ConsentRequest.Status.APPROVED:
        return consent, None
    grant = ConsentGrant.objects.select_for_update().get(request=consent)
    if grant.delivered_at is not None or grant.ended_at is not None:
        return consent, None
    token, hashed = _new_token()
    grant.token_hash = hashed
    grant.delivered_at = grant.rotated_at = timezone.now()
    grant.save(update_fields=["token_hash", "delivered_at", "rotated_at"])
    return consent, token


@transaction.atomic
def consent_grant_open(*, token: str, rotate: bool = True) -> GrantCheck:
    """Check a household's grant token; on success replace it (rotate) for the next view.

    A token replaced more than ``TOKEN_GRACE`` ago that comes back has been
    copied: the grant ends ("replayed"), so neither copy opens it again.
    """
    if not token:
        return GrantCheck(None, "missing")
    now = timezone.now()
    hashed = keyed_hash("grant", token)
    grant = ConsentGrant.objects.select_for_update().filter(token_hash=hashed).first()
    current = grant is not None
    if grant is None:
        grant = ConsentGrant.objects.select_for_update().filter(previous_token_hash=hashed).first()
        if grant is None:
            return GrantCheck(None, "invalid")
    if grant.ended_at is not None:
        return GrantCheck(grant, grant.ended_reason)
    if grant.expires_at <= now:
        return GrantCheck(grant, "expired")
    if not current:
        if grant.rotated_at and now - grant.rotated_at <= TOKEN_GRACE:
            return GrantCheck(grant, "")
        grant.ended_at = now
        grant.ended_reason = ConsentGrant.Ended.REPLAYED
        grant.save(update_fields=["ended_at", "ended_reason"])
        audit(grant, "consent.replayed")
        return GrantCheck(grant, ConsentGrant.Ended.REPLAYED)
    if not rotate:
        return GrantCheck(grant, "")
    new_token, new_hash = _new_token()
    grant.previous_token_hash = hashed
    grant.token_hash = new_hash
    grant.rotated_at = now
    grant.save(update_fields=["previous_token_hash", "token_hash", "rotated_at"])
    return GrantCheck(grant, "", new_token)


@transaction.atomic
def consent_grant_withdraw(*, worker, grant_id: int, acting_user=None) -> ConsentGrant:
    """The worker ends one of their open grants; the viewer's next request is refused."""
    grant = ConsentGrant.objects.select_for_update().filter(pk=grant_id, worker=worker).first()
    if grant is None:
        raise ValidationError(_("找不到这个授权。"))
    if grant.ended_at is None:
        grant.ended_at = timezone.now()
        grant.ended_reason = ConsentGrant.Ended.WITHDRAWN
        grant.save(update_fields=["ended_at", "ended_reason"])
        audit(grant, "consent.withdraw", user=acting_user)
    return grant


# --- retention --------------------------------------------------------------------------------


def consent_records_purge(*, now=None) -> dict[str, int]:
    """Delete view records, requests and ended grants older than ``retention_days()``.

    Idempotent; a grant still open is never deleted with its request.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=retention_days())
    views, _detail = WorkerView.objects.filter(viewed_at__lt=cutoff).delete()
    open_grants = ConsentGrant.objects.filter(ended_at__isnull=True, expires_at__gt=now)
    requests, _detail = (
        ConsentRequest.objects.filter(created_at__lt=cutoff)
        .exclude(pk__in=open_grants.values("request_id"))
        .delete()
    )
    RequestPause.objects.filter(until__lt=cutoff).delete()
    return {"views": views, "requests": requests}
