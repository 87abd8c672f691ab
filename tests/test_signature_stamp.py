"""The signatory's signature and the office stamp: PNG with transparency, size-checked, placed on
the surat undangan and the certificate (image present in the PDF); without them the layout stays
as it was."""

import io
from datetime import date, time

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from portal.accounts.models import Role
from portal.certificates import documents as certificate_documents
from portal.certificates import services as certificates
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.extensions import db
from portal.invitations.letters import addressee_line, render_letter
from portal.settings.services import get_office_settings, update_office_settings
from tests.pdfs import save_pdf_page

SIGNATORY = "Drs. Yohanes Nope, M.Si"


def transparent_png(size=(420, 160), shape="line") -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if shape == "line":
        draw.line([(10, size[1] - 20), (size[0] // 2, 20), (size[0] - 10, size[1] - 30)], fill=(20, 20, 120, 255),
                  width=6)
    else:
        draw.ellipse([5, 5, size[0] - 5, size[1] - 5], outline=(90, 40, 160, 230), width=10)
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def opaque_png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (300, 120), "white").save(output, "PNG")
    return output.getvalue()


def images_of(data: bytes) -> list[tuple[int, int]]:
    return sorted(image.image.size for page in PdfReader(io.BytesIO(data)).pages for image in page.images)


def y_of(data: bytes, text: str) -> float:
    found = []

    def visit(chunk, cm, tm, font, size):
        if text in chunk:
            found.append(round(tm[5] * cm[3] + cm[5], 1))

    PdfReader(io.BytesIO(data)).pages[-1].extract_text(visitor_text=visit)
    assert found, text
    return found[0]


def give_marks(signature=True, stamp=True):
    settings = get_office_settings()
    update_office_settings(None, {}, office=settings, marks={
        "signature_image": transparent_png() if signature else False,
        "stamp_image": transparent_png((300, 300), "circle") if stamp else False})
    db.session.commit()


def letter(make_event) -> bytes:
    settings = get_office_settings()
    settings.signatory_name = SIGNATORY
    event = make_event(title="Pelatihan Pembukuan Koperasi", sessions=[(date(2026, 12, 3), time(9), time(12))])
    return render_letter(event, number="007/DISKOP/XI/2026", dated=date(2026, 11, 24),
                         addressee=addressee_line("KSP Sehati Oelamasi"))[2]


def test_the_letter_carries_signature_and_stamp_and_their_absence_keeps_the_layout(app, make_event):
    without = letter(make_event)
    assert images_of(without) == []
    give_marks()
    with_marks = letter(make_event)
    assert images_of(with_marks) == [(300, 300), (420, 160)]
    assert len(PdfReader(io.BytesIO(with_marks)).pages) == len(PdfReader(io.BytesIO(without)).pages)
    assert y_of(with_marks, SIGNATORY) == y_of(without, SIGNATORY)
    save_pdf_page(with_marks, "letter-signature-stamp")


def test_either_mark_alone_is_placed(app, make_event):
    give_marks(signature=True, stamp=False)
    assert images_of(letter(make_event)) == [(420, 160)]
    give_marks(signature=False, stamp=True)
    assert images_of(letter(make_event)) == [(300, 300)]


def test_the_certificate_carries_signature_and_stamp_and_their_absence_keeps_the_layout(organiser,
                                                                                     finished_training):
    settings = get_office_settings()
    settings.signatory_name = SIGNATORY
    t = finished_training([["present", "present", "present"]])
    [certificate] = certificates.issue_certificates(organiser, t.event.id, utcnow())
    db.session.commit()
    without = certificate_documents.certificate_pdf(certificate)
    give_marks()
    with_marks = certificate_documents.certificate_pdf(certificate)
    assert (300, 300) in images_of(with_marks) and (420, 160) in images_of(with_marks)
    assert len(images_of(with_marks)) == len(images_of(without)) + 2
    assert y_of(with_marks, SIGNATORY) == y_of(without, SIGNATORY)
    save_pdf_page(with_marks, "certificate-signature-stamp")


@pytest.mark.parametrize("data", [opaque_png(), b"\xff\xd8\xff not a png", transparent_png((4000, 100)),
                                  transparent_png((40, 40))])
def test_an_opaque_wrong_or_oddly_sized_image_is_refused(app, data):
    with pytest.raises(RuleViolation) as refused:
        update_office_settings(None, {}, office=get_office_settings(), marks={"signature_image": data})
    assert refused.value.field == "signature_image"


def test_the_administrator_uploads_and_removes_them_on_the_settings_page(client, login, make_user):
    admin = make_user(Role.ADMIN)
    login(client, admin)
    page = client.get("/admin/settings/")
    form = {name: value for name, value in _fields(page.text)}
    response = client.post("/admin/settings/", data=form | {
        "signature_image": (io.BytesIO(transparent_png()), "ttd.png"),
        "stamp_image": (io.BytesIO(opaque_png()), "stempel.png")}, content_type="multipart/form-data")
    assert response.status_code == 200 and "is-invalid" in response.text
    assert get_office_settings().signature_image is None
    response = client.post("/admin/settings/", data=form | {
        "signature_image": (io.BytesIO(transparent_png()), "ttd.png")}, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert get_office_settings().signature_image is not None
    assert 'data-testid="signature_image-preview"' in client.get("/admin/settings/").text
    client.post("/admin/settings/", data=form | {"remove_signature_image": "y"})
    db.session.expire_all()
    assert get_office_settings().signature_image is None


def _fields(html: str):
    import re

    for name, value in re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', html):
        if not name.startswith("remove_"):
            yield name, value
    for name, value in re.findall(r'<textarea[^>]*name="([a-z_]+)"[^>]*>([^<]*)</textarea>', html):
        yield name, value.strip()


def test_large_uploads_are_printed_at_their_size_on_paper_and_the_logo_as_a_jpeg(app, make_event):
    """A scanned logo, signature and stamp of thousands of pixels go into the PDF at 300 dpi of
    the box they are printed in: the letter stays small and WeasyPrint does not compress the
    upload's pixels again for every letter of a round."""
    logo = io.BytesIO()
    Image.new("RGB", (1500, 1500), (200, 30, 30)).save(logo, "PNG")
    settings = get_office_settings()
    settings.logo, settings.logo_mimetype = logo.getvalue(), "image/png"
    update_office_settings(None, {}, office=settings, marks={
        "signature_image": transparent_png((1800, 640)), "stamp_image": transparent_png((1000, 1000), "circle")})
    db.session.commit()
    data = letter(make_event)
    sizes = images_of(data)
    assert (260, 260) in sizes, "the letterhead's 2.2 cm at 300 dpi"
    assert (331, 331) in sizes, "the stamp's 2.8 cm"
    assert [size for size in sizes if size[0] == 650 and size[1] <= 260], "the signature within 5.5 by 2.2 cm"
    filters = {str(xobject.get_object().get("/Filter")) for page in PdfReader(io.BytesIO(data)).pages
               for xobject in page["/Resources"]["/XObject"].values()}
    assert "/DCTDecode" in filters, "the logo passes into the PDF as a JPEG"
    assert len(data) < 150 * 1024


def test_a_new_logo_shows_in_the_next_letter_of_the_same_process(app, make_event):
    settings = get_office_settings()
    colours = []
    for colour in ((200, 30, 30), (30, 30, 200)):
        logo = io.BytesIO()
        Image.new("RGB", (900, 900), colour).save(logo, "PNG")
        settings.logo, settings.logo_mimetype = logo.getvalue(), "image/png"
        db.session.commit()
        page = PdfReader(io.BytesIO(letter(make_event))).pages[0]
        colours.append(page.images[0].image.convert("RGB").getpixel((100, 100)))
    assert colours[0][0] > 150 > colours[1][0] and colours[1][2] > 150, colours


def test_a_logo_of_more_pixels_than_any_letter_prints_is_refused_at_upload(app):
    huge = io.BytesIO()
    Image.new("1", (7000, 300)).save(huge, "PNG")
    with pytest.raises(RuleViolation) as refused:
        update_office_settings(None, {}, logo=huge.getvalue())
    assert refused.value.field == "logo"
    assert str(refused.value.message) == "Logo paling besar 6000 piksel per sisi."
    assert get_office_settings().logo is None
