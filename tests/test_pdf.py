"""The one HTML → PDF function: French figures and signs keep their glyphs, a large document
leaves no temporary file open."""

import base64
import gc
import io

import pypdf

from justedroit.core.pdf import html_to_pdf

FRENCH = "Trop-perçu : 57\u202f262,00\u00a0€ ≈ 57 k€, ≥ 2 mois → recours"


def test_french_figures_and_signs_are_drawn_in_dejavu_sans():
    content = html_to_pdf(
        f"<html><body><p>{FRENCH}</p><p><strong>{FRENCH}</strong></p></body></html>"
    )
    (page,) = pypdf.PdfReader(io.BytesIO(content)).pages
    fonts = {
        str(f.get_object()["/BaseFont"]).split("+")[-1]
        for f in page["/Resources"]["/Font"].values()
    }
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= fonts
    assert page.extract_text().count("≈ 57 k€, ≥ 2 mois → recours") == 2


def test_a_document_beyond_100_kb_leaves_no_temporary_file_open(recwarn):
    # A 150 kB picture: past xhtml2pdf's default capacity its working copies would spill to
    # temporary files it never closes (a ResourceWarning once collected).
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    picture = base64.b64encode(png + b"\0" * 150_000).decode()
    html_to_pdf(
        f'<html><body><p>Annexe</p><img src="data:image/png;base64,{picture}"></body></html>'
    )
    gc.collect()
    assert not [w for w in recwarn if issubclass(w.category, ResourceWarning)]
