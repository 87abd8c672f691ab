"""An export shows one phone number per row: each distinct number is parsed once, not twice per
row (phonenumbers' parse was a third of a 50,000-row XLSX export's time)."""

import phonenumbers

from portal.accounts import services


def test_a_number_is_parsed_once_however_often_it_is_shown(monkeypatch):
    calls = []
    real = phonenumbers.parse

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(phonenumbers, "parse", counting)
    services._display_phone.cache_clear()
    for _ in range(3):
        assert services.display_phone("0812 3456 7890") == "0812-3456-7890"
    assert services.display_phone("+44 20 7946 0958") == "+44 20 7946 0958"
    assert services.display_phone("tanya kantor") == "tanya kantor"
    assert services.display_phone("  ") is None and services.display_phone(None) is None
    assert len(calls) <= 3, calls
