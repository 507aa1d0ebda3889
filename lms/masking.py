"""Masking (脱敏) of personal data for every public page and API.

These are the only functions that turn a worker's name, ID number, phone or
policy number into something shown to the public.
"""


def mask_name(name: str | None) -> str:
    """张三 → 张*, 张小明 → 张*明, 欧阳小明 → 欧**明; Latin names keep the first letter."""
    name = (name or "").strip()
    if not name:
        return ""
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(number: str | None) -> str:
    """310101199001011234 → 310***********1234 (first 3 and last 4 kept)."""
    number = (number or "").strip()
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_phone(phone: str | None) -> str:
    """13812345678 → 138****5678."""
    phone = (phone or "").strip()
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_tail(value: str | None, keep: int = 4) -> str:
    """Any identifier (policy number, contact) with only its last `keep` characters shown."""
    value = (value or "").strip()
    if len(value) <= keep:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]
