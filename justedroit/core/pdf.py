"""The one way the Caf draws a PDF: from the HTML of a letter or a document, by xhtml2pdf (pure
Python, no system library). Appeals' letters and minutes, fraud's letters, the debt letters and
the annual report all go through `html_to_pdf`."""

from io import BytesIO
from pathlib import Path

import matplotlib
from svglib.fonts import register_font_family
from xhtml2pdf import pisa
from xhtml2pdf.default import DEFAULT_CSS

# The standard PDF fonts have no glyph for the narrow no-break space of French figures
# (57 262 €), nor for ≈, ≥ or →. DejaVu Sans has them all and ships with matplotlib. Every PDF
# is drawn from that directory, the only one xhtml2pdf may then read local files from, and
# its default style sheet names DejaVu Sans for the text: a document's own style may still
# choose another font.
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_CSS = """
@font-face { font-family: dejavu; src: url("DejaVuSans.ttf"); }
@font-face { font-family: dejavu; src: url("DejaVuSans-Bold.ttf"); font-weight: bold; }
@font-face { font-family: dejavu; src: url("DejaVuSans-Oblique.ttf"); font-style: italic; }
@font-face {
  font-family: dejavu; src: url("DejaVuSans-BoldOblique.ttf"); font-weight: bold;
  font-style: italic;
}
html, body, p, li, table, th, td, caption, figcaption, h1, h2, h3, h4, strong, em {
  font-family: dejavu;
}
"""
# The charts' text (`core.charts`) names DejaVu Sans: svglib draws it from the same files.
register_font_family(
    "DejaVu Sans",
    *(str(FONTS / f"DejaVuSans{style}.ttf") for style in ("", "-Bold", "-Oblique", "-BoldOblique")),
)


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document; ValueError when it cannot be drawn."""
    out = BytesIO()
    # capacity=-1: the working copies stay in memory. Past the default 100 kB (a report's charts)
    # xhtml2pdf spills them to temporary files that it never closes.
    result = pisa.CreatePDF(
        html,
        dest=out,
        encoding="utf-8",
        capacity=-1,
        path=str(FONTS / "document.html"),
        default_css=DEFAULT_CSS + FONT_CSS,
    )
    if result.err:
        raise ValueError("Le document n'a pas pu être converti en PDF.")
    return out.getvalue()
