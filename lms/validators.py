"""Check-character validation of Chinese identifiers, through python-stdnum.

Resident ID numbers (居民身份证号, GB 11643) and unified social credit codes
(统一社会信用代码, GB 32100) are validated by their check characters, with a
message in the user's language. Never hand-roll the check digit.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc


def normalize_id_number(value: str) -> str:
    return ric.compact(value or "").upper()


def validate_resident_id(value: str) -> str:
    """Return the compact ID number or raise ValidationError with a plain-Chinese reason."""
    number = normalize_id_number(value)
    try:
        return ric.validate(number)
    except stdnum_exceptions.InvalidLength as exc:
        raise ValidationError(
            _("身份证号应为 18 位，请核对后重新输入。"), code="id_length"
        ) from exc
    except stdnum_exceptions.InvalidChecksum as exc:
        raise ValidationError(
            _("身份证号校验位不正确，请核对最后一位（可能是数字或 X）。"), code="id_checksum"
        ) from exc
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError(
            _("身份证号格式不正确（出生日期或地区码无效），请核对后重新输入。"), code="id_invalid"
        ) from exc


def id_birth_date(number: str) -> datetime.date:
    return ric.get_birth_date(normalize_id_number(number))


def id_sex(number: str) -> str:
    """'M' or 'F', from the 17th digit (odd for men, even for women)."""
    return "M" if int(normalize_id_number(number)[16]) % 2 else "F"


def normalize_credit_code(value: str) -> str:
    return uscc.compact(value or "").upper()


def validate_credit_code(value: str) -> str:
    """Return the compact credit code or raise ValidationError with a plain-Chinese reason."""
    code = normalize_credit_code(value)
    try:
        return uscc.validate(code)
    except stdnum_exceptions.InvalidLength as exc:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，请核对后重新输入。"), code="uscc_length"
        ) from exc
    except stdnum_exceptions.InvalidChecksum as exc:
        raise ValidationError(
            _("统一社会信用代码校验位不正确，请核对最后一位。"), code="uscc_checksum"
        ) from exc
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError(
            _("统一社会信用代码格式不正确，请核对后重新输入。"), code="uscc_invalid"
        ) from exc
