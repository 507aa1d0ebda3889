"""Complaints for tests, filed through the service (numbers, deadlines and photos as in life)."""

import io

from PIL import Image

from complaints.selectors.subjects import (
    subject_from_card_number,
    subject_from_credit_code,
    subject_from_visit_token,
)
from complaints.services.filing import complaint_file
from tests.registry.factories import ApprovedWorkerFactory
from tests.trust.factories import visit

HOUSEHOLD_PHONE = "13912345678"


def photo_bytes(size=(800, 600), fmt="JPEG", exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, (200, 120, 40)).save(out, format=fmt, **kwargs)
    return out.getvalue()


def visit_with_token(worker=None, **kwargs):
    """A confirmed visit (of an approved worker by default) and its rating token."""
    worker = worker or ApprovedWorkerFactory()
    return visit(worker, **kwargs)


def complaint(
    *,
    token: str = "",
    card_number: str = "",
    credit_code: str = "",
    phone: str = HOUSEHOLD_PHONE,
    category: str = "quality",
    description: str = "服务员迟到两个小时，打扫不干净，态度很差。",
    photos=(),
):
    """A complaint filed the way a household files one: from a visit's link (default:
    a new visit), a card number or a credit code."""
    if card_number:
        subject = subject_from_card_number(card_number)
    elif credit_code:
        subject = subject_from_credit_code(credit_code)
    else:
        if not token:
            _visit, token = visit_with_token()
        subject = subject_from_visit_token(token)
    return complaint_file(
        subject=subject, category=category, description=description, phone=phone, photos=photos
    )
