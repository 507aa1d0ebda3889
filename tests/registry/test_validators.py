"""Check characters of resident ID numbers (GB 11643) and credit codes (GB 32100)."""

from django.core.exceptions import ValidationError

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from lms.validators import validate_credit_code, validate_resident_id
from registry.synthetic import (
    RESIDENT_ID_CAPACITY,
    credit_code_for_index,
    resident_id_for_index,
)

# Published examples (python-stdnum's own documentation and test data).
VALID_IDS = ["360426199101010071", "11010519491231002X"]
VALID_CODES = ["91110000600037341L", "91330106673959654P"]


@pytest.mark.parametrize("number", VALID_IDS)
def test_known_valid_id_numbers_pass(number):
    assert validate_resident_id(number) == number


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("360426199101010072", "id_checksum"),  # last digit off by one
        ("11010519491231002Y", "id_checksum"),
        ("36042619910101007", "id_length"),
        ("360426199113010079", "id_invalid"),  # month 13
    ],
)
def test_known_invalid_id_numbers_fail_with_a_reason(number, code):
    with pytest.raises(ValidationError) as exc:
        validate_resident_id(number)
    assert exc.value.code == code


def test_lowercase_x_is_accepted_and_normalised():
    assert validate_resident_id("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize("code", VALID_CODES)
def test_known_valid_credit_codes_pass(code):
    assert validate_credit_code(code) == code


@pytest.mark.parametrize("code", ["91110000600037341M", "91330106673959654Q"])
def test_known_credit_codes_with_a_wrong_check_character_fail(code):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert exc.value.code == "uscc_checksum"


def test_credit_code_of_wrong_length_fails():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code("9111000060003734")
    assert exc.value.code == "uscc_length"


def test_credit_code_with_a_wrong_check_character_fails():
    good = credit_code_for_index(42)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    wrong = good[:-1] + next(c for c in alphabet if c != good[-1])
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(wrong)
    assert exc.value.code == "uscc_checksum"


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=RESIDENT_ID_CAPACITY - 1))
def test_every_synthetic_id_number_is_valid(index):
    number = resident_id_for_index(index)
    assert ric.is_valid(number)
    assert validate_resident_id(number) == number


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=RESIDENT_ID_CAPACITY - 1),
    st.integers(min_value=0, max_value=16),
    st.integers(min_value=1, max_value=9),
)
def test_changing_any_single_digit_breaks_the_check_digit(index, position, delta):
    number = resident_id_for_index(index)
    digit = (int(number[position]) + delta) % 10
    mutated = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_resident_id(mutated)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=31**7 - 1))
def test_every_synthetic_credit_code_is_valid_and_never_all_digits(index):
    code = credit_code_for_index(index)
    assert validate_credit_code(code) == code
    assert not code[:17].isdigit()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789Xx", min_size=0, max_size=20))
def test_validator_never_crashes_on_arbitrary_input(text):
    try:
        result = validate_resident_id(text)
    except ValidationError:
        return
    assert ric.is_valid(result)


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))
def test_distinct_indexes_give_distinct_numbers(a, b):
    if a != b:
        assert resident_id_for_index(a) != resident_id_for_index(b)
        assert resident_id_for_index(a, sex="F") != resident_id_for_index(b, sex="F")
