"""WhatsApp texts and wa.me links: the +62 form without the plus, every character encoded."""

from datetime import date, time
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from portal.invitations.whatsapp import invitation_text, whatsapp_link, whatsapp_number


@pytest.mark.parametrize(("phone", "number"), [
    ("+6281234567890", "6281234567890"),
    ("0812-3456-7890", "6281234567890"),
    ("62 812 3456 7890", "6281234567890"),
    ("(0380) 821234", None),  # a Kupang landline: no WhatsApp
    ("12", None),
    ("", None),
    (None, None),
])
def test_whatsapp_numbers_are_mobile_numbers_in_62_form_without_the_plus(phone, number):
    assert whatsapp_number(phone) == number


def test_the_link_encodes_line_breaks_ampersands_asterisks_and_emoji():
    text = "Rapat *Koperasi* & UMKM\n🗓 Kamis? #1 100%"
    link = whatsapp_link(text, "+6281234567890")

    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/6281234567890")
    assert parts.query.startswith("text=") and "&" not in parts.query.removeprefix("text=")
    for raw in (" ", "\n", "*", "&", "#", "?", "🗓"):
        assert raw not in parts.query
    assert "%0A" in parts.query and "%26" in parts.query and "100%25" in parts.query
    assert unquote(parts.query.removeprefix("text=")) == text
    assert parse_qs(parts.query)["text"] == [text]


def test_a_group_link_names_no_number_and_a_landline_gets_none():
    assert whatsapp_link("Halo semua").startswith("https://wa.me/?text=Halo%20semua")
    assert whatsapp_link("Halo", "(0380) 821234") is None


def test_the_text_names_the_event_its_first_session_in_wita_and_the_link(app, make_event):
    event = make_event(title="Rapat Koordinasi Koperasi", sessions=[(date(2026, 12, 3), time(9), time(12)),
                                                                   (date(2026, 12, 4), time(9), time(12))])
    event.contact_name, event.contact_phone = "Ibu Maria", "081234567890"

    text = invitation_text(event, "https://portal.test/undangan/abc", addressee="KSP Sehati")

    assert text.startswith("Yth. Pengurus KSP Sehati,")
    assert "*Rapat Koordinasi Koperasi*" in text
    assert "Kamis, 3 Desember 2026, 09.00 WITA (2 sesi)" in text
    assert "https://portal.test/undangan/abc" in text
    assert "Ibu Maria, 081234567890" in text
