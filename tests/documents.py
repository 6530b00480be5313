"""Reading the PDFs the application draws, for the tests."""

import io

import pypdf


def pdf_text(content: bytes) -> str:
    """The text of every page of a PDF, its line breaks joined into spaces (a sentence may wrap)."""
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)
