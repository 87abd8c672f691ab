"""Reading what the portal prints: a PDF's text, its first page as a PNG to look at, QR codes."""

import io
from pathlib import Path

import pypdf
import pypdfium2
import zxingcpp
from PIL import Image

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def pdf_page_count(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def pdf_page_image(data: bytes, page: int = 0, scale: float = 1.5) -> Image.Image:
    return pypdfium2.PdfDocument(data)[page].render(scale=scale).to_pil()


def save_pdf_page(data: bytes, name: str, page: int = 0) -> Path:
    """Write a page as ``test-artifacts/<name>.png`` for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pdf_page_image(data, page).save(path)
    return path


def read_qr_codes(image: Image.Image | bytes) -> list[str]:
    """The texts of the QR codes in an image (PIL image or PNG bytes)."""
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    return [result.text for result in zxingcpp.read_barcodes(image)]
