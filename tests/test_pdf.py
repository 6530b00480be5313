"""The one HTML → PDF function: French figures and signs keep their glyphs, in the text and in the
charts' text, and a large document leaves no temporary file open."""

import base64
import gc
import io
from pathlib import Path

import pypdf
from reportlab.pdfbase import pdfmetrics
from svglib.fonts import find_font

from justedroit.core import charts
from justedroit.core.pdf import FONTS, html_to_pdf

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


def test_a_charts_text_is_searchable_and_drawn_in_matplotlibs_dejavu_sans():
    chart = charts.bars(
        title="Fraudes", categories=["Fraude avérée ≥ 1\u202f000\u00a0€"], series={"2022": [57262]}
    )
    (page,) = pypdf.PdfReader(io.BytesIO(html_to_pdf(f'<img src="{chart.data_uri}">'))).pages
    assert "Fraude avérée ≥ 1\u202f000" in page.extract_text()
    assert "57\u202f262" in page.extract_text()
    # The file matplotlib measured the text with, not whatever fontconfig finds on the machine.
    font = pdfmetrics.getFont(find_font("DejaVu Sans")[0])
    assert Path(font.face.filename) == FONTS / "DejaVuSans.ttf"
