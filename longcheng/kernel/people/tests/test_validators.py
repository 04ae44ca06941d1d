"""The resident ID and credit-code validators: every rule named, and properties over many inputs."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from longcheng.kernel.errors import KernelError
from longcheng.kernel.orgs.validators import validate_uscc
from longcheng.kernel.people.validators import (
    gender_of,
    mask_phone,
    mask_resident_id,
    validate_phone,
    validate_resident_id,
)

# The rule names are checked in English; Chinese is the default and has its own tests.
pytestmark = pytest.mark.usefixtures("english")

REGIONS = ["320400", "320402", "320404", "320411", "320412", "320413", "320481", "320483", "110105"]


def make_id(region: str, birth: dt.date, seq: int) -> str:
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 12, 31))


@given(region=st.sampled_from(REGIONS), birth=births, seq=st.integers(0, 999))
def test_every_well_formed_id_is_accepted_and_round_trips(region: str, birth: dt.date, seq: int) -> None:
    number = make_id(region, birth, seq)
    assert validate_resident_id(number.lower()) == number
    assert gender_of(number) == ("M" if seq % 2 else "F")
    masked = mask_resident_id(number)
    assert masked[:4] == number[:4] and masked[-4:] == number[-4:] and set(masked[4:-4]) == {"*"}


@given(region=st.sampled_from(REGIONS), birth=births, seq=st.integers(0, 999), wrong=st.sampled_from("0123456789X"))
def test_a_wrong_check_character_is_always_refused(region: str, birth: dt.date, seq: int, wrong: str) -> None:
    number = make_id(region, birth, seq)
    if wrong == number[-1]:
        return
    with pytest.raises(KernelError) as info:
        validate_resident_id(number[:-1] + wrong)
    assert info.value.field == "resident_id"
    assert "check character" in str(info.value.message)


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("", "required"),
        ("32041219500101001", "18 characters"),
        ("3204121950010100AX", "digits"),
        ("320412195002300011", "birth date"),  # 30 February
        ("990000195001010019", "region code"),
        ("320412195001010010", "check character"),
    ],
)
def test_each_rule_is_named_in_the_message(value: str, rule: str) -> None:
    with pytest.raises(KernelError) as info:
        validate_resident_id(value)
    assert rule in str(info.value.message)
    assert info.value.field == "resident_id"


def test_a_future_birth_date_is_refused() -> None:
    number = make_id("320412", dt.date(2030, 1, 1), 1)
    with pytest.raises(KernelError, match="future"):
        validate_resident_id(number, today=dt.date(2026, 11, 22))


def test_an_elder_with_a_code_retired_before_their_birth_year_is_accepted() -> None:
    # 320483 (Wujin as a county-level city) existed 1995-2002; numbers issued then keep it for life.
    assert validate_resident_id(make_id("320483", dt.date(1950, 3, 4), 12))


ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@given(
    head=st.text("0123456789", min_size=8, max_size=8),
    tail=st.text(ALPHABET, min_size=9, max_size=9),
)
def test_uscc_with_a_computed_check_character_is_accepted(head: str, tail: str) -> None:
    body = head + tail
    number = body + uscc.calc_check_digit(body + "0")
    assert validate_uscc(number.lower()) == number


@pytest.mark.parametrize(
    ("value", "rule"),
    [("", "required"), ("91320412MA1", "18 characters"), ("9132A412MA1MA1MA1X", "digits"),
     ("91320412MA1MA1MAIX", "except I, O, S, V and Z"), ("913204127203961230", "check character")],
)
def test_uscc_rules_are_named(value: str, rule: str) -> None:
    with pytest.raises(KernelError) as info:
        validate_uscc(value)
    assert rule in str(info.value.message)
    assert info.value.field == "uscc"


def test_phones_are_validated_and_masked() -> None:
    assert validate_phone("+86 138 0013 8000") == "13800138000"
    assert validate_phone("0519-88886666") == "0519-88886666"
    assert mask_phone("13800138000") == "138****8000"
    with pytest.raises(KernelError) as info:
        validate_phone("12345")
    assert info.value.field == "phone"
