"""Check-character validation of Chinese identifiers, through python-stdnum.

Resident ID numbers (居民身份证号, GB 11643) and unified social credit codes
(统一社会信用代码, GB 32100) are validated by their check characters, with a
message in the user's language. Never hand-roll the check digit.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc


def normalize_id_number(value: str) -> str:
    return ric.compact(value or "").upper()


def _validate(module, value: str, messages: dict[str, str]) -> str:
    """Run python-stdnum's `module.validate`, turning its errors into Chinese messages."""
    try:
        return module.validate(value)
    except stdnum_exceptions.InvalidLength as exc:
        raise ValidationError(messages["length"], code=messages["code"] + "_length") from exc
    except stdnum_exceptions.InvalidChecksum as exc:
        raise ValidationError(messages["checksum"], code=messages["code"] + "_checksum") from exc
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError(messages["invalid"], code=messages["code"] + "_invalid") from exc


_ID_MESSAGES = {
    "code": "id",
    "length": _("身份证号应为 18 位，请核对后重新输入。"),
    "checksum": _("身份证号校验位不正确，请核对最后一位（可能是数字或 X）。"),
    "invalid": _("身份证号格式不正确（出生日期或地区码无效），请核对后重新输入。"),
}
_USCC_MESSAGES = {
    "code": "uscc",
    "length": _("统一社会信用代码应为 18 位，请核对后重新输入。"),
    "checksum": _("统一社会信用代码校验位不正确，请核对最后一位。"),
    "invalid": _("统一社会信用代码格式不正确，请核对后重新输入。"),
}


def validate_resident_id(value: str) -> str:
    """Return the compact ID number or raise ValidationError with a plain-Chinese reason."""
    return _validate(ric, normalize_id_number(value), _ID_MESSAGES)


def id_birth_date(number: str) -> datetime.date:
    return ric.get_birth_date(normalize_id_number(number))


def id_birth_province(number: str) -> str:
    """The province (or municipality) of the ID's address code, "" when stdnum does not know it."""
    try:
        place = ric.get_birth_place(normalize_id_number(number))
    except (stdnum_exceptions.ValidationError, KeyError, ValueError):
        return ""
    return (place or {}).get("province", "")


def id_sex(number: str) -> str:
    """'M' or 'F', from the 17th digit (odd for men, even for women)."""
    return "M" if int(normalize_id_number(number)[16]) % 2 else "F"


def normalize_credit_code(value: str) -> str:
    return uscc.compact(value or "").upper()


def validate_credit_code(value: str) -> str:
    """Return the compact credit code or raise ValidationError with a plain-Chinese reason."""
    return _validate(uscc, normalize_credit_code(value), _USCC_MESSAGES)


_MOBILE = re.compile(r"1[3-9]\d{9}")
_MOBILE_NOISE = re.compile(r"[\s\-()（）\u00a0]")


def normalize_mobile(value: str) -> str:
    """A mainland mobile number as its 11 digits: spaces, dashes and a +86 / 0086 prefix dropped.

    Returns "" for empty input; raises ValidationError with a plain-Chinese
    reason when what is left is not an 11-digit mobile number.
    """
    digits = _MOBILE_NOISE.sub("", value or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    if digits and not _MOBILE.fullmatch(digits):
        raise ValidationError(_("请输入 11 位手机号码，例如 13812345678。"), code="invalid_mobile")
    return digits
