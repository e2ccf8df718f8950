import re
from pathlib import Path

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


def test_every_variable_the_settings_read_is_in_env_example():
    root = Path(__file__).resolve().parents[2]
    source = (root / "kaya" / "settings.py").read_text()
    read = set(re.findall(r'env_\w+\(\s*"([A-Z][A-Z0-9_]*)"', source))
    read |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z][A-Z0-9_]*)"', source))
    example = (root / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))

    assert len(read) > 40  # the patterns above still find the settings' reads
    assert sorted(read - documented) == []
