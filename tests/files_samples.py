"""Small files to upload: a real PDF, a photo with metadata, and impostors."""

import io

from PIL import Image
from pypdf import PdfWriter


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), "navy")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x013B] = "Yohanes Bani"  # Artist
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif.tobytes())
    return output.getvalue()


def png_bytes() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(output, "PNG")
    return output.getvalue()


TEXT_AS_PDF = b"%PDF-1.4\nthis is not a pdf at all, only text renamed .pdf\n"
PLAIN_TEXT = b"Berita acara RAT, typed into a text file\n"
