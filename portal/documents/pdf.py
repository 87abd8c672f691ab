"""HTML templates to PDF with WeasyPrint, inside or outside a request (the mail worker has none).

What is the same for every document is made once per thread and reused: WeasyPrint's font
configuration (its font map, which otherwise loads and measures the fonts again for each
document) and the parsed stylesheet of each template's ``<style>`` (the same for every letter of a
round; parsed once and given to WeasyPrint as a stylesheet object). A round of letters thus pays
only for laying out and writing each letter.
"""

import contextlib
import hashlib
import io
import re
import threading
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject, NumberObject
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_MIMETYPE = "application/pdf"


class ForbiddenResource(ValueError):
    """A document asked for something outside the app's static folder; nothing is fetched."""


class LocalFetcher(URLFetcher):
    """Documents may load data: URIs and files of the static folder, never the network."""

    def __init__(self, static_folder: str, images: dict | None = None):
        super().__init__(allowed_protocols={"data", "file"})
        self.static = Path(static_folder).resolve()
        self.images = images or {}  # the document's own ``printed_image`` URLs

    def fetch(self, url, headers=None):
        if url.startswith(IMAGE_SCHEME):
            if (found := self.images.get(url)) is None:
                raise ForbiddenResource(url)
            return URLFetcherResponse(url, found[1], {"Content-Type": found[0]})
        if url.startswith("file://"):
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if not path.is_relative_to(self.static):
                raise ForbiddenResource(url)
        elif not url.startswith("data:"):
            raise ForbiddenResource(url)
        return super().fetch(url, headers)


# An office's logo, signature and stamp go into every letter of a round. Embedded as uploaded (up to
# a megabyte, thousands of pixels a side) they cost more than the letter: the HTML parser reads the
# data URI character by character and WeasyPrint compresses a PNG's pixels again for every
# document. So each is prepared once per process (``printed_image``): turned upright, scaled to
# the box a document prints it in at 300 dpi, a JPEG on white where no transparency is needed
# (which passes into the PDF as it is), and named by a short ``portal-image:`` URL. The document
# being rendered holds the images it names (``_kept.document_images``), and its ``LocalFetcher``
# answers those alone, so an image let go of by the shared store meanwhile is never missing.
PRINT_DPI = 300
PRINTED_IMAGES_KEPT = 64
PRINT_SOURCE_MAX_PIXELS = 40_000_000  # a larger upload is left out rather than decoded in every process
IMAGE_SCHEME = "portal-image:"
_printed: OrderedDict[str, tuple[str, bytes] | None] = OrderedDict()
_printed_lock = threading.Lock()


def _prepared(data: bytes, box: tuple[int, int], opaque: bool) -> tuple[str, bytes] | None:
    with Image.open(io.BytesIO(data)) as opened:
        if opened.width * opened.height > PRINT_SOURCE_MAX_PIXELS:
            return None
        icc_profile = opened.info.get("icc_profile")
        image = ImageOps.exif_transpose(opened).convert("RGBA")  # upright; palettes resample smoothly
    image.thumbnail(box, Image.Resampling.LANCZOS)
    output = io.BytesIO()
    if opaque:
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        Image.alpha_composite(white, image).convert("RGB").save(output, "JPEG", quality=92,
                                                                 icc_profile=icc_profile)
        return "image/jpeg", output.getvalue()
    image.save(output, "PNG", icc_profile=icc_profile)
    return "image/png", output.getvalue()


def printed_image(data: bytes, width_cm: float, height_cm: float, *, opaque: bool = False) -> str | None:
    """The URL under which the document being rendered (``collecting_images``) finds ``data`` (a
    PNG or JPEG the portal keeps) upright and scaled to fit ``width_cm`` by ``height_cm`` at
    ``PRINT_DPI``: a PNG with its transparency, or with ``opaque`` a JPEG on white. None for an
    image that cannot be read or has more than ``PRINT_SOURCE_MAX_PIXELS``: it is left out."""
    digest = hashlib.blake2b(data, digest_size=16)
    digest.update(f"{width_cm}x{height_cm}{opaque}".encode())
    url = IMAGE_SCHEME + digest.hexdigest()
    with _printed_lock:
        known = url in _printed
        if known:
            _printed.move_to_end(url)
            printed = _printed[url]
    if not known:
        box = (round(width_cm / 2.54 * PRINT_DPI), round(height_cm / 2.54 * PRINT_DPI))
        try:
            printed = _prepared(data, box, opaque)
        except (OSError, ValueError, Image.DecompressionBombError):
            printed = None
        with _printed_lock:
            _printed[url] = printed
            while len(_printed) > PRINTED_IMAGES_KEPT:
                _printed.popitem(last=False)
    if printed is None:
        return None
    if (document_images := getattr(_kept, "document_images", None)) is not None:
        document_images[url] = printed
    return url


@contextlib.contextmanager
def collecting_images():
    """The images ``printed_image`` names while the block runs (a document's template renders),
    by URL: what the document's ``LocalFetcher`` answers."""
    images = _kept.document_images = {}
    try:
        yield images
    finally:
        _kept.document_images = None


def logo_src(settings) -> str | None:
    """The office logo as a letterhead or certificate prints it (at most 6 by 2.2 cm)."""
    return printed_image(settings.logo, 6, 2.2, opaque=True) if settings.logo else None


# A document's one style element (documents/_page.html's), taken out to be parsed once.
STYLE = re.compile(r"<style>(.*?)</style>", re.S)
STYLESHEETS_KEPT = 32
_kept = threading.local()  # WeasyPrint's objects are not shared between threads


def _font_config() -> FontConfiguration:
    if not hasattr(_kept, "fonts"):
        _kept.fonts, _kept.stylesheets = FontConfiguration(), {}
    return _kept.fonts


def _stylesheet(text: str, base_url: str, fetcher: URLFetcher) -> CSS:
    fonts = _font_config()
    key = (text, base_url)
    if (sheet := _kept.stylesheets.get(key)) is None:
        if len(_kept.stylesheets) >= STYLESHEETS_KEPT:
            _kept.stylesheets.clear()
        sheet = _kept.stylesheets[key] = CSS(string=text, base_url=base_url, url_fetcher=fetcher, font_config=fonts)
    return sheet


def mark_src(data: bytes | None, width_cm: float, height_cm: float) -> str | None:
    """A PNG kept by the portal (the signature, the stamp) as printed in a box of ``width_cm`` by
    ``height_cm``, with its transparency."""
    return printed_image(data, width_cm, height_cm) if data else None


def _html(template_name: str, language: str, context: dict) -> tuple[HTML, list[CSS]]:
    request_context = contextlib.nullcontext() if has_request_context() else current_app.test_request_context()
    with request_context, force_locale(language), collecting_images() as images:
        html = render_template(template_name, **context)
    base_url = Path(current_app.static_folder).resolve().as_uri() + "/"
    fetcher = LocalFetcher(current_app.static_folder, images)
    styles = STYLE.findall(html)
    stylesheets = []
    if len(styles) == 1:  # the usual page: its stylesheet parsed once; any other shape as it is
        html = STYLE.sub("", html, count=1)
        stylesheets = [_stylesheet(styles[0], base_url, fetcher)]
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher), stylesheets


def render_pdf(template_name: str, *, language: str = "id", **context) -> bytes:
    """Render ``template_name`` (extending ``documents/_page.html``) in ``language`` to PDF bytes,
    tagged (headings, paragraphs, tables, reading order) so screen readers and search read it."""
    document, stylesheets = _html(template_name, language, context)
    return document.write_pdf(pdf_tags=True, stylesheets=stylesheets, font_config=_font_config())


# The copies of a round's letter differ in one place (the addressee), and laying out the rest again
# for each of a hundred thousand copies is most of what a round costs. So a document can be laid
# out once with that place left empty (``render_blank``: the element with ``id="slot"``, whose size
# must not depend on what fills it), and each copy's own lines laid out alone on a page the size of
# the slot and drawn into it with pypdf (``fill_blank``): the same pixels as the copy laid out in
# full, and in the tags a paragraph of the slot's element, where a screen reader reads it. What
# does not fit the slot is the caller's to render in full. Blanks are kept only within an enclosing
# ``keeping_blanks`` (the mail worker's pass), so an office's new logo is in the next pass's letters.
SLOT_ID = "slot"
PT_PER_CSS_PX = 0.75
BLANKS_KEPT = 4
BLANK_COPIES = 200
_blanks: ContextVar[OrderedDict | None] = ContextVar("portal_pdf_blanks", default=None)


@dataclass(frozen=True)
class Blank:
    data: bytes  # the tagged PDF with the slot empty
    page: int  # the page that holds the slot
    box: tuple[float, float, float, float]  # the slot's border box: CSS px from the page's top left

    @cached_property
    def parsed(self) -> PdfReader:
        """The blank read once (every copy is cloned from it)."""
        return PdfReader(io.BytesIO(self.data))

    @property
    def slot_size(self) -> str:
        """The slot as a CSS page size, for the template that fills it."""
        left, top, right, bottom = self.box
        return f"{right - left}px {bottom - top}px"


def render_blank(template_name: str, *, language: str = "id", **context) -> Blank:
    """``template_name`` laid out once, with its ``id="slot"`` element left as it is (empty)."""
    document, stylesheets = _html(template_name, language, context)
    laid_out = document.render(stylesheets=stylesheets, font_config=_font_config(), pdf_tags=True)
    page, box = next((number, page.anchors[SLOT_ID]) for number, page in enumerate(laid_out.pages)
                     if SLOT_ID in page.anchors)
    return Blank(laid_out.write_pdf(pdf_tags=True), page, box)


def fill_blank(blank: Blank, template_name: str, *, language: str = "id", **context) -> bytes | None:
    """The blank with ``template_name`` (laid out on a page of ``blank.slot_size``, given to it as
    ``slot_size``) drawn into its slot; None when that does not fit on one such page.

    The lines go in as a form XObject drawn by a content stream of their own, appended to the
    blank as an incremental update: the blank's bytes stay as WeasyPrint wrote them (compressed),
    and each copy adds only its lines, their font subset and the changed dictionaries."""
    document, stylesheets = _html(template_name, language, context | {"slot_size": blank.slot_size})
    lines = document.render(stylesheets=stylesheets, font_config=_font_config())
    if len(lines.pages) != 1:
        return None
    overlay = PdfReader(io.BytesIO(lines.write_pdf())).pages[0]
    writer = PdfWriter(blank.parsed, incremental=True)
    page = writer.pages[blank.page]
    form = DecodedStreamObject()
    form.set_data(overlay.get_contents().get_data())
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): ArrayObject(FloatObject(v) for v in overlay.mediabox),
                 NameObject("/Resources"): overlay["/Resources"].get_object().clone(writer)})
    _retag_fonts(form["/Resources"])
    name = NameObject("/PortalSlot")
    resources = page["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    resources["/XObject"].get_object()[name] = writer._add_object(form.flate_encode())
    left, _top, _right, bottom = blank.box
    mcid = _tag_in_slot(writer, page)
    # The blank's own content may leave its graphics state changed (WeasyPrint's flips the y axis):
    # it is drawn between q and Q, and the lines after it from the page's own state.
    save, draw = DecodedStreamObject(), DecodedStreamObject()
    save.set_data(b"q\n")
    draw.set_data(b"Q\nq 1 0 0 1 %.4f %.4f cm /P <</MCID %d>> BDC %s Do EMC Q\n" % (
        left * PT_PER_CSS_PX, float(page.mediabox.height) - bottom * PT_PER_CSS_PX, mcid, name.encode()))
    contents = page.raw_get("/Contents")  # a stream's reference, or an array of them
    contents = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(save), *contents, writer._add_object(draw)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _retag_fonts(resources) -> None:
    """Give each font subset the lines brought a tag of its own (the six letters before "+" in
    its name): WeasyPrint tags a subset by its font file, so the blank's subset of the same font
    has the same tag, and a PDF must not name two different subsets alike."""
    for font in resources.get("/Font", DictionaryObject()).get_object().values():
        font = font.get_object()
        parts = [font, *(part.get_object() for part in font.get("/DescendantFonts", []))]
        descriptors = [part["/FontDescriptor"].get_object() for part in parts if "/FontDescriptor" in part]
        program = b"".join(d[key].get_object().get_data() for d in descriptors
                           for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in d)
        digest = hashlib.blake2b(program, digest_size=6).digest()
        tag = "".join(chr(ord("A") + byte % 26) for byte in digest)
        for part, key in [*((part, "/BaseFont") for part in parts), *((d, "/FontName") for d in descriptors)]:
            if "+" in part.get(key, ""):
                part[NameObject(key)] = NameObject(f"/{tag}+{part[key].split('+', 1)[1]}")


def _tag_in_slot(writer: PdfWriter, page) -> int:
    """A paragraph added to the tags as the last child of the slot's element (the document's one
    ``Sect``), for the marked content that ``page`` will draw with the MCID returned."""
    root = writer.root_object["/StructTreeRoot"].get_object()
    nums = root["/ParentTree"].get_object()["/Nums"]
    key = page["/StructParents"]
    on_page = next(nums[n + 1].get_object() for n in range(0, len(nums), 2) if nums[n] == key)
    sections = list(_structure_elements(root, "/Sect"))
    if len(sections) != 1:
        raise ValueError(f"the blank's slot must be its one <section>, not one of {len(sections)}")
    [section] = sections
    paragraph = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/P"),
        NameObject("/P"): section.indirect_reference, NameObject("/Pg"): page.indirect_reference,
        NameObject("/K"): NumberObject(len(on_page))}))
    section["/K"].append(paragraph)
    on_page.append(paragraph)
    return len(on_page) - 1


def _structure_elements(parent, kind: str):
    children = parent.get("/K")
    for child in children if isinstance(children, ArrayObject) else [children]:
        child = child.get_object() if child is not None else None
        if isinstance(child, DictionaryObject) and "/S" in child:
            if child["/S"] == kind:
                yield child
            yield from _structure_elements(child, kind)


@contextlib.contextmanager
def keeping_blanks(store: OrderedDict | None):
    """``kept_blank`` keeps its blanks in ``store`` while the block runs (with None, none)."""
    token = _blanks.set(store)
    try:
        yield
    finally:
        _blanks.reset(token)


def kept_blank(key: str, build) -> Blank | None:
    """The blank that ``build()`` makes, kept under ``key`` by the enclosing ``keeping_blanks``
    (the last ``BLANKS_KEPT``) for ``BLANK_COPIES`` copies, then made again: a pass that sends a
    whole country's round runs for long, and the office's logo, signature and stamp are read
    anew. None outside ``keeping_blanks``, where a single copy costs less laid out in full."""
    store = _blanks.get()
    if store is None:
        return None
    kept = store.get(key)
    if kept is None or kept[1] >= BLANK_COPIES:
        kept = store[key] = [build(), 0]
    store.move_to_end(key)
    kept[1] += 1
    while len(store) > BLANKS_KEPT:
        store.popitem(last=False)
    return kept[0]
