"""Agencies and their branches: filing an agency, opening a branch."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms.audit import audit
from lms.validators import validate_credit_code
from registry.models import Agency, Branch, District, Filing, FilingStatus
from registry.services.common import record_transition, signed_in_user


@transaction.atomic
def agency_create(
    *,
    name: str,
    credit_code: str,
    district: str,
    acting_user=None,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    is_demonstration_station: bool = False,
    demonstration_year: int | None = None,
    submit: bool = True,
) -> Agency:
    """File an agency: validate its credit code (GB 32100) and open its filing."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("请填写企业名称。")}, code="name_required")
    try:
        code = validate_credit_code(credit_code)
    except ValidationError as exc:
        raise ValidationError({"credit_code": exc.messages}) from exc
    if district not in District.values:
        raise ValidationError({"district": _("请选择所在区。")}, code="district")
    if is_demonstration_station and not demonstration_year:
        raise ValidationError(
            {"demonstration_year": _("示范性家政服务站须填写认定年份。")}, code="demo_year"
        )
    existing = Agency.objects.filter(credit_code=code).first()
    if existing is not None:
        raise ValidationError(
            {"credit_code": _("该统一社会信用代码已备案：%(name)s。") % {"name": existing.name}},
            code="duplicate",
        )
    agency = Agency.objects.create(
        name=name[:120],
        credit_code=code,
        district=district,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        is_demonstration_station=is_demonstration_station,
        demonstration_year=demonstration_year if is_demonstration_station else None,
        filing_status=FilingStatus.SUBMITTED,
    )
    audit(agency, "registry.agency_create", user=acting_user, data={"credit_code": code})
    if submit:
        filing = Filing.objects.create(
            agency=agency, status=FilingStatus.SUBMITTED, submitted_by=signed_in_user(acting_user)
        )
        record_transition(filing, "", FilingStatus.SUBMITTED, acting_user, "")
        audit(
            filing, "registry.filing_submit", user=acting_user, data={"to": FilingStatus.SUBMITTED}
        )
    return agency


@transaction.atomic
def branch_create(
    *,
    agency: Agency,
    name: str,
    district: str,
    address: str = "",
    phone: str = "",
    acting_user=None,
) -> Branch:
    """Open a branch (门店) of an agency; refuses an empty name or an unknown district."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("请填写门店名称。")}, code="name_required")
    if district not in District.values:
        raise ValidationError({"district": _("请选择所在区。")}, code="district")
    branch = Branch.objects.create(
        agency=agency, name=name[:120], district=district, address=address, phone=phone
    )
    audit(branch, "registry.branch_create", user=acting_user, data={"agency": agency.pk})
    return branch
