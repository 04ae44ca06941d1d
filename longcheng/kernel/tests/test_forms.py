"""The shared form fields: yuan text read into integer fen within the ledger's bound, and a form's
refusal as a KernelError whose message names the field."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.forms import YuanField, attempt, clean, refusal, yuan_text
from longcheng.kernel.ledger.money import MAX_AMOUNT_FEN


class _Form(forms.Form):
    amount = YuanField(label="金额")
    spent = YuanField(label="支出", required=False, allow_zero=True)
    reason = forms.CharField(label="理由", min_length=4)


@pytest.mark.parametrize(("text", "fen"), [("1,234.56", 123456), ("¥20", 2000), ("300元", 30000), ("0.01", 1),
                                           (yuan_text(MAX_AMOUNT_FEN), MAX_AMOUNT_FEN)])
def test_yuan_text_is_read_into_fen(text: str, fen: int) -> None:
    assert YuanField().clean(text) == fen
    assert yuan_text(fen) == f"{fen // 100}.{fen % 100:02d}"


@pytest.mark.parametrize("text", ["abc", "1.001", "-5", "0", "NaN", "1E+999999", yuan_text(MAX_AMOUNT_FEN + 1)])
def test_yuan_field_refuses_what_the_ledger_refuses(text: str) -> None:
    with pytest.raises(forms.ValidationError) as refused:
        YuanField().clean(text)
    assert refused.value.code == "invalid_amount"


def test_an_empty_optional_amount_is_none_and_zero_only_when_allowed() -> None:
    assert YuanField(required=False).clean("  ") is None
    assert YuanField(allow_zero=True).clean("0") == 0
    with pytest.raises(forms.ValidationError):
        YuanField().clean("")


def test_a_refusal_names_the_field_in_its_message() -> None:
    with translation.override("zh-hans"):
        form = _Form({"amount": "12.5", "reason": "太短"})
        assert not form.is_valid()
        error = refusal(form)
    assert isinstance(error, KernelError) and error.field == "reason"
    assert str(error.message).startswith("理由：") and "4" in str(error.message)
    assert error.status == 400


def test_one_value_through_one_field() -> None:
    assert clean(YuanField(label="金额"), "8.80", name="amount") == 880
    with pytest.raises(KernelError) as refused:
        clean(forms.IntegerField(label="年份"), "二〇二六年", name="year")
    assert refused.value.field == "year" and str(refused.value.message).startswith("年份")


def test_a_page_step_runs_the_action_only_for_a_valid_form() -> None:
    ran: list[dict[str, object]] = []

    def act(data: dict[str, object]) -> str:
        ran.append(data)
        return "done"

    result, error = attempt(_Form({"amount": "12.50", "reason": "too short"}), act)
    assert (result, error) == ("done", None) and ran[0]["amount"] == 1250

    ran.clear()
    result, error = attempt(_Form({"amount": "abc", "reason": "long enough"}), act)
    assert result is None and ran == [] and error is not None and error.field == "amount"


def test_a_page_step_returns_the_actions_refusal_but_raises_not_found() -> None:
    def refuse(_data: object) -> None:
        raise KernelError("no", field="reason")

    _result, error = attempt(_Form({"amount": "1", "reason": "long enough"}), refuse)
    assert error is not None and error.field == "reason"

    def hidden(_data: object) -> None:
        raise NotFound(field="case")

    with pytest.raises(NotFound):
        attempt(_Form({"amount": "1", "reason": "long enough"}), hidden)
