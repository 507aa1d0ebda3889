"""Household-service cards (家政卡): one card, one number per person, singly or in batches."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lms.audit import audit
from registry.models import (
    Agency,
    CardBatch,
    CardSequence,
    Filing,
    FilingStatus,
    IssuedCard,
    Worker,
)
from registry.selectors.filings import workers_ready_for_cards
from registry.services.changes import card_events
from registry.services.common import door_checks_deferred, public_changed, signed_in_user

CARD_PREFIX = "SHJZ"


def _next_card_number() -> str:
    """The next card number; the sequence row stays locked until the transaction ends."""
    try:
        sequence = CardSequence.objects.select_for_update().get(prefix=CARD_PREFIX)
    except CardSequence.DoesNotExist:
        try:
            with transaction.atomic():
                CardSequence.objects.create(prefix=CARD_PREFIX)
        except IntegrityError:
            pass  # created by a concurrent transaction
        sequence = CardSequence.objects.select_for_update().get(prefix=CARD_PREFIX)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"{CARD_PREFIX}{sequence.last_value:08d}"


def _issue_one(worker: Worker, *, acting_user, batch: CardBatch | None) -> IssuedCard:
    locked = Worker.objects.select_for_update().get(pk=worker.pk)
    if locked.card_number:
        raise ValidationError(
            _("该服务员已有家政卡（卡号 %(card)s），一人一卡，不能重复发卡。")
            % {"card": locked.card_number},
            code="card_exists",
        )
    status = (
        Filing.objects.filter(worker=locked, is_current=True)
        .values_list("status", flat=True)
        .first()
    )
    if status != FilingStatus.APPROVED:
        raise ValidationError(_("备案通过（已登记）后才能发卡。"), code="not_approved")
    number = _next_card_number()
    card = IssuedCard.objects.create(
        number=number, worker=locked, batch=batch, issued_by=signed_in_user(acting_user)
    )
    locked.card_number = number
    locked.card_issued_at = card.issued_at
    locked.save(update_fields=["card_number", "card_issued_at"])
    public_changed(locked.pk)
    worker.card_number, worker.card_issued_at = locked.card_number, locked.card_issued_at
    card.worker = locked
    audit(
        locked,
        "registry.card_issue",
        user=acting_user,
        data={"card_number": number, "batch": batch.pk if batch else None},
    )
    return card


@transaction.atomic
def card_issue(*, worker: Worker, acting_user) -> IssuedCard:
    """Issue the worker's card (一人一卡一号): once, only when approved, never a reused number."""
    card = _issue_one(worker, acting_user=acting_user, batch=None)
    card_events([card], {card.worker_id: card.worker})
    return card


@transaction.atomic
def card_issue_batch(
    *,
    agency: Agency,
    acting_user,
    workers: Iterable[Worker] | None = None,
    collected_by: str = "",
    note: str = "",
) -> CardBatch:
    """Issue cards to an agency's approved workers in one batch (集体领卡).

    With `workers`, only those (each must belong to the agency, be approved
    and have no card yet); without, every approved worker of the agency
    still waiting for a card. All or nothing.
    """
    if workers is None:
        targets = list(workers_ready_for_cards(agency=agency))
    else:
        targets = list(workers)
        foreign = [w for w in targets if w.agency_id != agency.pk]
        if foreign:
            raise ValidationError(
                _("所选服务员中有 %(n)d 人不属于该企业。") % {"n": len(foreign)},
                code="batch_foreign",
            )
    if not targets:
        raise ValidationError(_("该企业没有待发卡的已登记服务员。"), code="batch_empty")
    batch = CardBatch.objects.create(
        agency=agency,
        collected_by=(collected_by or "").strip()[:50],
        note=(note or "").strip()[:255],
        issued_by=signed_in_user(acting_user),
    )
    with door_checks_deferred():
        cards = [
            _issue_one(worker, acting_user=acting_user, batch=batch)
            for worker in sorted(targets, key=lambda w: w.pk)
        ]
    card_events(cards, {card.worker_id: card.worker for card in cards})
    batch.card_count = len(targets)
    batch.save(update_fields=["card_count"])
    audit(
        batch,
        "registry.card_issue_batch",
        user=acting_user,
        data={"agency": agency.pk, "count": batch.card_count, "collected_by": batch.collected_by},
    )
    return batch
