"""Synthetic but valid identifiers for the demo, the scale seed and the tests.

Resident ID numbers get a real region code, a real birth date and the
GB 11643 check digit; credit codes get the GB 32100 check character. Both are
computed with python-stdnum, never by hand. Numbers are derived from an index,
so a range of indexes gives distinct numbers without a uniqueness check.
"""

import datetime

from stdnum.cn import ric, uscc

# County codes that python-stdnum knows for every birth year from 1960 to 2008:
# Shanghai districts first, then the provinces most workers come from.
REGION_CODES = (
    "310101",
    "310104",
    "310105",
    "310106",
    "310107",
    "310109",
    "310110",
    "340200",
    "340400",
    "320100",
    "320400",
    "410200",
    "430100",
    "420100",
    "330122",
    "360121",
    "370200",
    "510121",
)
_FIRST_BIRTH_DATE = datetime.date(1965, 1, 1)
_BIRTH_DAYS = 365 * 38  # births from 1965 to about 2002
_SEQUENCES = 999  # the three-digit order code, 001..999

#: How many distinct numbers :func:`resident_id_for_index` can make.
RESIDENT_ID_CAPACITY = len(REGION_CODES) * _BIRTH_DAYS * _SEQUENCES


def resident_id_for_index(index: int, *, sex: str | None = None) -> str:
    """A valid 18-digit resident ID number, distinct for every `index` below the capacity.

    `sex` ('M' or 'F') picks the parity of the order code (odd for men); the
    numbers then stay distinct for distinct indexes of the same sex, below
    half the capacity.
    """
    per_day = _SEQUENCES // 2 if sex in ("M", "F") else _SEQUENCES
    if not 0 <= index < len(REGION_CODES) * _BIRTH_DAYS * per_day:
        raise ValueError("index out of range")
    if sex in ("M", "F"):
        # Odd order codes are men's, even ones women's: 499 of each per day.
        index, half = divmod(index, _SEQUENCES // 2)
        order = 2 * half + (1 if sex == "M" else 2)
    else:
        index, sequence = divmod(index, _SEQUENCES)
        order = sequence + 1
    index, day = divmod(index, _BIRTH_DAYS)
    region = REGION_CODES[index % len(REGION_CODES)]
    birth = _FIRST_BIRTH_DATE + datetime.timedelta(days=day)
    body = f"{region}{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code_for_index(index: int, *, region_code: str = "310104") -> str:
    """A valid 18-character unified social credit code (GB 32100), distinct per `index`.

    Shaped like the codes Shanghai issues since 2015 ("91" enterprise,
    region, then an organisation code starting "MA"), so it always contains
    letters and never looks like an 18-digit ID number.
    """
    if not 0 <= index < 31**7:
        raise ValueError("index out of range")
    digits = []
    for _position in range(7):
        index, rest = divmod(index, 31)
        digits.append(_USCC_ALPHABET[rest])
    body = f"91{region_code}MA{''.join(reversed(digits))}"
    return body + uscc.calc_check_digit(body)
