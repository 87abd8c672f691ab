"""The surat undangan: letterhead, number, Indonesian date, addressee, sessions, signatory."""

from datetime import date, time

import pytest

from portal.accounts.models import Role, User
from portal.events.models import Event
from portal.extensions import db
from portal.invitations import services
from portal.invitations.letters import addressee_line, render_letter
from portal.invitations.selection import BY_HAND, Selection
from portal.mail.delivery import send_pending
from portal.settings.services import ROMAN_MONTHS, get_office_settings
from tests.concurrency import run_together
from tests.invitation_fixtures import invitations_of
from tests.pdfs import pdf_text, save_pdf_page

ROMAN = dict(enumerate(ROMAN_MONTHS, start=1))


def test_the_letter_carries_number_date_addressee_sessions_and_signatory(app, make_event):
    settings = get_office_settings()
    settings.signatory_name, settings.signatory_nip = "Drs. Yohanes Nope, M.Si", "196805121990031007"
    event = make_event(title="Pelatihan Pembukuan Koperasi", sessions=[(date(2026, 12, 3), time(9), time(12)),
                                                                       (date(2026, 12, 4), time(13), time(16))])
    event.contact_name, event.contact_phone = "Ibu Maria Bana", "081234567890"

    filename, content_type, data = render_letter(event, number="007/DISKOP/XI/2026", dated=date(2026, 11, 24),
                                                 addressee=addressee_line("KSP Sehati Oelamasi"),
                                                 what_to_bring="laptop dan buku kas")

    assert content_type == "application/pdf" and filename.endswith(".pdf")
    text = " ".join(pdf_text(data).split())
    for expected in ("PEMERINTAH KABUPATEN KUPANG", "007/DISKOP/XI/2026", "Oelamasi, 24 November 2026",
                     "Undangan Pelatihan", "Yth. Ketua KSP Sehati Oelamasi",
                     "Kamis, 3 Desember 2026", "09.00–12.00 WITA", "Jumat, 4 Desember 2026", "13.00–16.00 WITA",
                     "laptop dan buku kas", "Ibu Maria Bana", "Drs. Yohanes Nope, M.Si", "NIP 19680512 199003 1 007"):
        assert expected in text, expected
    save_pdf_page(data, "invitation-letter")


def test_addressee_lines_for_cooperatives_and_organisations(app):
    assert addressee_line("Koperasi Serba Usaha Sehati") == "Ketua Koperasi Serba Usaha Sehati"
    assert addressee_line("KSP Sehati") == "Ketua KSP Sehati"
    assert addressee_line("Sehati Oelamasi") == "Ketua Koperasi Sehati Oelamasi"
    assert addressee_line(None, "Bank NTT Cabang Oelamasi") == "Pimpinan Bank NTT Cabang Oelamasi"


def test_each_invitation_email_carries_its_own_copy_of_the_rounds_numbered_letter(
        invitable_event, make_invitee, invite, smtp):
    event = invitable_event(title="Rapat Koordinasi Koperasi")
    first = make_invitee(name="KSP Sehati Oelamasi", email="sehati@example.org", board=())
    second = make_invitee(name="Koperasi Serba Usaha Flobamora", email="flobamora@example.org", board=())
    sent = invite(event, [first, second])
    assert sent.letter_number == f"001/DISKOP/{ROMAN[sent.letter_dated.month]}/{sent.letter_dated.year}"

    send_pending("test")

    letters = {}
    for received in smtp.received:
        [(name, data)] = [(n, d) for n, d in received.attachments().items() if n.endswith(".pdf")]
        letters[received.rcpt_tos[0]] = " ".join(pdf_text(data).split())
    assert all(sent.letter_number in text for text in letters.values()) and len(letters) == 2
    assert "Yth. Ketua KSP Sehati Oelamasi" in letters["sehati@example.org"]
    assert "Yth. Ketua Koperasi Serba Usaha Flobamora" in letters["flobamora@example.org"]
    assert "Flobamora" not in letters["sehati@example.org"]


@pytest.mark.postgres
def test_two_rounds_sent_at_once_never_share_a_letter_number(app, invitable_event, make_invitee, organiser):
    event = invitable_event()
    cooperatives = [make_invitee() for _ in range(2)]
    event_id, organiser_id, ids = event.id, organiser.id, [c.id for c in cooperatives]

    def send(i):
        actor = db.session.get(User, organiser_id)
        selection = Selection(mode=BY_HAND, cooperative_ids=[ids[i]])
        return services.send_invitations(actor, db.session.get(Event, event_id), selection).letter_number

    numbers = run_together(app, 2, send)

    assert all(isinstance(number, str) for number in numbers), numbers
    assert len(set(numbers)) == 2


def test_the_letter_is_downloadable_by_organisers_and_through_the_invitation_link_only(
        client, logged_in, invitable_event, make_invitee, invite):
    event = invitable_event()
    sent = invite(event, [make_invitee(name="KSP Sehati Oelamasi")])
    [invitation] = invitations_of(event)

    page = client.get(f"/events/{event.id}/invitation/{invitation.token}")
    assert f"/events/{event.id}/invitation/{invitation.token}/letter.pdf" in page.text
    response = client.get(f"/events/{event.id}/invitation/{invitation.token}/letter.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert sent.letter_number in pdf_text(response.data)
    assert client.get(f"/events/{event.id}/invitation/{invitation.token}x/letter.pdf").status_code == 404
    assert client.get(f"/organiser/invitations/{invitation.id}/letter.pdf").status_code in (302, 401)

    logged_in(Role.ORGANISER)
    response = client.get(f"/organiser/invitations/{invitation.id}/letter.pdf")
    assert response.status_code == 200 and "KSP Sehati Oelamasi" in pdf_text(response.data)


def test_a_board_member_cannot_take_letters_through_the_organiser_pages(client, logged_in, invitable_event,
                                                                        make_invitee, invite):
    event = invitable_event()
    invite(event, [make_invitee()])
    [invitation] = invitations_of(event)
    logged_in(Role.BOARD)
    assert client.get(f"/organiser/invitations/{invitation.id}/letter.pdf").status_code == 403


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LETTER_RATE_LIMIT="2 per minute")
def test_letters_through_the_link_are_rate_limited(client, invitable_event, make_invitee, invite):
    event = invitable_event()
    invite(event, [make_invitee()])
    [invitation] = invitations_of(event)
    url = f"/events/{event.id}/invitation/{invitation.token}/letter.pdf"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]


def test_a_cooperative_s_recipients_share_one_letter_built_once_per_pass(
        app, invitable_event, make_invitee, invite, smtp, monkeypatch):
    """The worker builds a deferred attachment once for the messages that carry the same one (the
    same renderer, arguments and snapshot): a cooperative's address and its board members'."""
    from portal.invitations import letters as letter_module
    from portal.seams import ATTACHMENT_RENDERERS

    built = []
    real = letter_module.render_invitation_letter

    def counting(**kwargs):
        built.append(kwargs["invitation_id"])
        return real(**kwargs)

    seams = app.extensions["portal_seams"]
    monkeypatch.setitem(seams, ATTACHMENT_RENDERERS, [(name, counting if name == "invitations.letter" else renderer)
                                                      for name, renderer in seams[ATTACHMENT_RENDERERS]])
    event = invitable_event(title="Rapat Koordinasi Koperasi")
    board = (("Yohanes Bani", "yohanes@example.org"), ("Maria Tefa", "maria@example.org"))
    sehati = make_invitee(name="KSP Sehati Oelamasi", email="sehati@example.org", board=board)
    flobamora = make_invitee(name="KSU Flobamora", email="flobamora@example.org", board=())
    invite(event, [sehati, flobamora])
    assert send_pending("test")["sent"] == 4
    assert len(built) == 2, built
    pdfs = {r.rcpt_tos[0]: [d for n, d in r.attachments().items() if n.endswith(".pdf")][0] for r in smtp.received}
    assert pdfs["sehati@example.org"] == pdfs["maria@example.org"] == pdfs["yohanes@example.org"]
    assert "Flobamora" in " ".join(pdf_text(pdfs["flobamora@example.org"]).split())
