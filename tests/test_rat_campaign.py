"""The RAT season campaign: the cooperatives without a verified RAT for book year N get a
numbered letter each, emailed as a PDF built by the worker where an address exists, printable
all at once with an address list; WhatsApp texts; each letter or text in the contact log."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.cooperatives.models import CooperativeStatus
from portal.extensions import db
from portal.mail.delivery import send_pending
from portal.revival import campaign, services
from portal.revival.models import Contact, ContactChannel
from tests.pdfs import pdf_page_count, pdf_text, save_pdf_page

TODAY = date(2026, 1, 15)
CLOCK = pytest.mark.app_config(PORTAL_CLOCK=lambda: datetime(2026, 1, 15, 2, tzinfo=UTC))


@pytest.fixture
def season(make_cooperative, organiser):
    sehati = make_cooperative(name="KSP Sehati", email="sehati@example.org", phone="081234567890",
                              status=CooperativeStatus.INACTIVE, status_reason="x", village="Oelnasi")
    flobamora = make_cooperative(name="Koperasi Flobamora", email="flobamora@example.org")
    tanpa = make_cooperative(name="KUD Tanpa Email", district="Semau", address="Jl. Pantai 3")
    done = make_cooperative(name="KSP Sudah RAT", email="sudah@example.org")
    services.save_rat(organiser, done, {"book_year": 2025, "is_held": True, "held_on": date(2026, 1, 10),
                                        "members_present": 10, "members_total": 12}, TODAY)
    db.session.commit()
    return sehati, flobamora, tanpa


def _letters():
    return list(db.session.scalars(select(Contact).where(Contact.channel == ContactChannel.LETTER)
                                   .order_by(Contact.id)))


def test_each_cooperative_without_a_verified_rat_gets_its_own_numbered_letter(app, season, organiser, smtp):
    sent = campaign.send_reminder_letters(organiser, 2025, TODAY)
    db.session.commit()
    assert (sent.letters, sent.emailed) == (3, 2)
    letters = _letters()
    numbers = [contact.letter_number for contact in letters]
    assert numbers == ["001/DISKOP/I/2026", "002/DISKOP/I/2026", "003/DISKOP/I/2026"]
    assert {contact.cooperative.name for contact in letters} == {"KSP Sehati", "Koperasi Flobamora", "KUD Tanpa Email"}
    assert all(contact.campaign_year == 2025 for contact in letters)

    send_pending("test")

    received = {}
    for message in smtp.received:
        [(name, data)] = [(n, d) for n, d in message.attachments().items() if n.endswith(".pdf")]
        received[message.rcpt_tos[0]] = (name, " ".join(pdf_text(data).split()), data)
    by_name = {contact.cooperative.name: contact.letter_number for contact in letters}
    assert set(received) == {"sehati@example.org", "flobamora@example.org"}
    assert by_name["KSP Sehati"] in received["sehati@example.org"][1]
    assert by_name["Koperasi Flobamora"] in received["flobamora@example.org"][1]
    assert by_name["Koperasi Flobamora"] not in received["sehati@example.org"][1]
    assert "Yth. Ketua KSP Sehati" in received["sehati@example.org"][1]
    assert "tahun buku 2025" in received["sehati@example.org"][1]
    save_pdf_page(received["sehati@example.org"][2], "rat-reminder-letter")


def test_sending_again_numbers_only_the_new_ones(app, season, organiser, make_cooperative):
    campaign.send_reminder_letters(organiser, 2025, TODAY)
    make_cooperative(name="KSP Baru")
    again = campaign.send_reminder_letters(organiser, 2025, TODAY)
    assert (again.letters, again.already) == (1, 3)
    assert _letters()[-1].letter_number == "004/DISKOP/I/2026"


def test_the_filters_narrow_the_list(app, season, organiser):
    sent = campaign.send_reminder_letters(organiser, 2025, TODAY, status="inactive")
    assert sent.letters == 1 and _letters()[0].cooperative.name == "KSP Sehati"


def test_one_printable_pdf_holds_the_address_list_and_every_letter(app, season, organiser):
    campaign.send_reminder_letters(organiser, 2025, TODAY)
    data = campaign.render_all_letters(2025)
    text = " ".join(pdf_text(data).split())
    assert pdf_page_count(data) >= 4
    assert "Jl. Pantai 3" in text and "Semau" in text
    assert all(number in text for number in ("001/DISKOP/I/2026", "002/DISKOP/I/2026", "003/DISKOP/I/2026"))
    save_pdf_page(data, "rat-campaign-address-list")


def test_whatsapp_texts_link_to_wa_me_and_are_recorded(app, season, organiser):
    sehati = season[0]
    text, link = campaign.whatsapp_texts([sehati], 2025)[sehati.id]
    assert "KSP Sehati" in text and "2025" in text and link.startswith("https://wa.me/6281234567890?text=")
    contact = campaign.record_whatsapp(organiser, sehati, 2025, TODAY)
    assert (contact.channel, contact.campaign_year) == (ContactChannel.WHATSAPP, 2025)


@CLOCK
def test_the_organiser_runs_the_campaign_from_its_page(client, logged_in, season, count_queries):
    logged_in(Role.ORGANISER)
    page = client.get("/rat/campaign?year=2025")
    assert page.status_code == 200 and "KUD Tanpa Email" in page.text and "KSP Sudah RAT" not in page.text
    assert "https://wa.me/6281234567890" in page.text
    asked = client.post("/rat/campaign/letters", data={"year": "2025"})
    assert 'data-testid="confirm"' in asked.text and _letters() == []
    assert client.post("/rat/campaign/letters", data={"year": "2025", "confirmed": "1"}).status_code == 302
    assert len(_letters()) == 3
    pdf = client.get("/rat/campaign/letters.pdf?year=2025")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    with count_queries() as statements:
        client.get("/rat/campaign?year=2025")
    assert len(statements) < 15


def test_a_board_member_cannot_run_the_campaign(client, login, make_cooperative, make_board_user):
    login(client, make_board_user(make_cooperative()))
    assert client.get("/rat/campaign").status_code == 403
    assert client.post("/rat/campaign/letters", data={"year": "2025", "confirmed": "1"}).status_code == 403
    assert client.get("/rat/campaign/letters.pdf").status_code == 403


def test_a_run_capped_at_its_limit_leaves_the_rest_to_the_next_run(app, season, organiser, monkeypatch):
    """The cap counts the letters still to write, not those written before: a second run with a
    cap of two writes the third letter (it once found the same two again and wrote none)."""
    monkeypatch.setattr(campaign, "MAX_LETTERS_PER_RUN", 2)
    first = campaign.send_reminder_letters(organiser, 2025, TODAY)
    second = campaign.send_reminder_letters(organiser, 2025, TODAY)
    assert (first.letters, second.letters, second.already) == (2, 1, 2)
