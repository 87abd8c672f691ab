"""The surat undangan: letterhead, number, Indonesian date, addressee, sessions, signatory."""

import io
from collections import OrderedDict
from datetime import date, time

import pypdf
import pytest
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.documents.pdf import fill_blank, keeping_blanks, kept_blank
from portal.events.models import Event
from portal.extensions import db
from portal.invitations import services
from portal.invitations.letters import ADDRESSEE_TEMPLATE, addressee_line, render_invitation_letter, render_letter
from portal.invitations.selection import BY_HAND, Selection
from portal.mail.delivery import RecentAttachments, send_pending
from portal.mail.models import OutboxMessage
from portal.settings.services import ROMAN_MONTHS, get_office_settings
from tests.concurrency import run_together
from tests.invitation_fixtures import invitations_of
from tests.pdfs import pdf_page_count, pdf_page_image, pdf_text, save_pdf_page

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


def _queued_letters(event_id: int) -> dict[str, tuple[int, dict]]:
    """The round's letter attachments as the worker finds them: recipient -> (invitation id, snapshot)."""
    found = {}
    for message in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
        for deferred in message.deferred_attachments or []:
            if deferred["renderer"] == "invitations.letter" and message.snapshot["event"]["id"] == event_id:
                found[message.recipient_email] = (deferred["args"]["invitation_id"], message.snapshot)
    return found


def test_copies_drawn_into_the_round_s_blank_look_and_read_as_letters_laid_out_in_full(
        app, invitable_event, make_invitee, invite):
    """Within a pass, a round's letter is laid out once and each addressee drawn into its slot: the
    same pixels as the copy laid out in full, the text in the PDF, and in the tags a paragraph of the
    addressee's section (where a screen reader reads it), marked on the page with its own MCID."""
    settings = get_office_settings()
    settings.signatory_name = "Drs. Yohanes Nope, M.Si"
    event = invitable_event(title="Pelatihan Pembukuan Koperasi", days=2)
    hostile = 'KSP "Sehati" <b>&amp; Mitra</b>'
    invite(event, [make_invitee(name=hostile, email="sehati@example.org", board=()),
                   make_invitee(name="Koperasi Serba Usaha Flobamora", email="flobamora@example.org", board=())])
    queued = _queued_letters(event.id)

    blanks = OrderedDict()
    with keeping_blanks(blanks):
        drawn = {email: render_invitation_letter(*args) for email, args in queued.items()}
    laid_out = {email: render_invitation_letter(*args) for email, args in queued.items()}  # no pass: in full
    [(blank, _copies)] = blanks.values()  # one for the round, into which both addressees fit
    assert all(fill_blank(blank, ADDRESSEE_TEMPLATE, addressee=snapshot["letter"]["addressee"]) is not None
               for _invitation, snapshot in queued.values())

    for email in queued:
        (name, kind, data), (full_name, _kind, full) = drawn[email], laid_out[email]
        assert (name, kind) == (full_name, "application/pdf") and data != full
        assert pdf_page_image(data, scale=2).tobytes() == pdf_page_image(full, scale=2).tobytes(), email
        # Sent a hundred thousand times: the blank as written, plus the lines and their font subset.
        assert data[:8] == full[:8] == b"%PDF-1.7" and len(data) < len(full) + 8_000, (len(data), len(full))
        fonts = _font_subsets(data)
        assert len({name for name, _program in fonts}) == len(set(fonts)), "no two subsets named alike"
    text = " ".join(pdf_text(drawn["sehati@example.org"][2]).split())
    assert 'Yth. Ketua KSP "Sehati" <b>&amp; Mitra</b>' in text and "Flobamora" not in text
    assert "Yth. Ketua Koperasi Serba Usaha Flobamora" in " ".join(pdf_text(drawn["flobamora@example.org"][2]).split())

    reader = pypdf.PdfReader(io.BytesIO(drawn["flobamora@example.org"][2]))
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    [document] = root["/K"]
    kinds = [child.get_object()["/S"] for child in document.get_object()["/K"]]
    [section] = [child.get_object() for child in document.get_object()["/K"] if child.get_object()["/S"] == "/Sect"]
    assert kinds.index("/Sect") < len(kinds) - 2, kinds  # where the addressee stands, before the letter's body
    [paragraph] = [child.get_object() for child in section["/K"]]
    assert paragraph["/S"] == "/P" and paragraph["/P"].get_object() == section
    page = reader.pages[0]
    nums = root["/ParentTree"]["/Nums"]
    on_page = nums[nums.index(page["/StructParents"]) + 1].get_object()
    assert on_page[paragraph["/K"]].get_object() == paragraph
    marked = [operands for operands, operator in page.get_contents().operations if operator == b"BDC"]
    assert ["/P", paragraph["/K"]] in [[tag, properties.get("/MCID")] for tag, properties in marked]


def _font_subsets(data: bytes) -> list[tuple[str, bytes]]:
    """(name, font program) of every font the first page draws with, its form XObjects' included."""
    found = []

    def walk(resources):
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            found.append((font["/BaseFont"], descriptor["/FontFile2"].get_object().get_data()))
        for form in resources.get("/XObject", {}).values():
            if (form := form.get_object()).get("/Subtype") == "/Form":
                walk(form["/Resources"])

    walk(pypdf.PdfReader(io.BytesIO(data)).pages[0]["/Resources"])
    return found


def test_an_addressee_too_long_for_the_slot_gets_its_copy_laid_out_in_full(app, invitable_event, make_invitee, invite):
    long_name = "Koperasi Serba Usaha " + " ".join(["Sehati Sejahtera Bersama Masyarakat Nelayan Oelamasi"] * 3)
    event = invitable_event()
    invite(event, [make_invitee(name=long_name, email="panjang@example.org", board=())])
    [args] = _queued_letters(event.id).values()
    blanks = OrderedDict()
    with keeping_blanks(blanks):
        _name, _kind, data = render_invitation_letter(*args)
    [(blank, _copies)] = blanks.values()
    assert fill_blank(blank, ADDRESSEE_TEMPLATE, addressee=args[1]["letter"]["addressee"]) is None
    assert long_name in " ".join(pdf_text(data).split()) and pdf_page_count(data) == 1
    _name, _kind, full = render_invitation_letter(*args)
    assert pdf_page_image(data).tobytes() == pdf_page_image(full).tobytes()


def test_blanks_are_kept_only_within_a_pass(app):
    built = []
    assert kept_blank("round", lambda: built.append(1)) is None and built == []  # outside a pass: laid out in full
    first, second = RecentAttachments(), RecentAttachments()
    for store in (first.blanks, first.blanks, second.blanks):
        with keeping_blanks(store):
            kept_blank("round", lambda: built.append(1) or "blank")
    assert built == [1, 1], "once per pass"


def test_a_blank_is_laid_out_again_after_so_many_copies(app, monkeypatch):
    """A pass that sends a whole country's round runs long: the office's images are read anew."""
    monkeypatch.setattr("portal.documents.pdf.BLANK_COPIES", 2)
    built = []
    with keeping_blanks(OrderedDict()):
        for _copy in range(5):
            kept_blank("round", lambda: built.append(1) or f"blank {len(built)}")
    assert len(built) == 3


def test_a_copy_that_cannot_be_drawn_in_is_laid_out_in_full(app, invitable_event, make_invitee, invite,
                                                            monkeypatch):
    def broken(*_args, **_kwargs):
        raise ValueError("a blank without its section")

    logged = []
    monkeypatch.setattr("portal.invitations.letters.fill_blank", broken)
    monkeypatch.setattr("portal.invitations.letters.log.exception", lambda text, *args: logged.append(text % args))
    event = invitable_event()
    invite(event, [make_invitee(name="KSP Sehati Oelamasi", email="sehati@example.org", board=())])
    [args] = _queued_letters(event.id).values()
    with keeping_blanks(OrderedDict()):
        _name, _kind, data = render_invitation_letter(*args)
    assert "Yth. Ketua KSP Sehati Oelamasi" in " ".join(pdf_text(data).split())
    assert logged == [f"drawing the addressee into invitation {args[0]}'s letter failed; laid out in full"]
