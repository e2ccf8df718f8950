import pytest
from django.core.exceptions import ImproperlyConfigured

from kaya.env import env_bool, env_int, env_list
from kaya.throttles import parse_rate


def test_env_bool_accepts_common_spellings(monkeypatch):
    monkeypatch.setenv("KAYA_FLAG", "Yes")
    assert env_bool("KAYA_FLAG", False) is True
    monkeypatch.setenv("KAYA_FLAG", "off")
    assert env_bool("KAYA_FLAG", True) is False


def test_env_bool_fails_fast_on_garbage(monkeypatch):
    monkeypatch.setenv("KAYA_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="KAYA_FLAG"):
        env_bool("KAYA_FLAG", False)


def test_env_int_fails_fast(monkeypatch):
    monkeypatch.setenv("KAYA_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="integer"):
        env_int("KAYA_NUM", 1)
    monkeypatch.setenv("KAYA_NUM", "-1")
    with pytest.raises(ImproperlyConfigured, match=">= 0"):
        env_int("KAYA_NUM", 1, minimum=0)


def test_env_list_splits_and_strips(monkeypatch):
    monkeypatch.setenv("KAYA_LIST", " a.example, b.example ,,")
    assert env_list("KAYA_LIST") == ["a.example", "b.example"]


def test_throttle_rates_accept_multi_unit_periods():
    assert parse_rate("100/15m") == (100, 900)
    assert parse_rate("5/h") == (5, 3600)
    with pytest.raises(ImproperlyConfigured):
        parse_rate("100 per minute")
