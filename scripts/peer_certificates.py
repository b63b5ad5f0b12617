#!/usr/bin/env python3
"""The Python peer of `tip certify`: the same 1,000 certificates with
reportlab, A4 landscape, DejaVu Sans embedded as a subset, centred lines.

    python3 scripts/peer_certificates.py DATA_DIR OUT_DIR
"""
import csv
import os
import sys

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONTS = os.path.join(os.path.dirname(__file__), "..", "crates", "tip-certificate", "fonts")


def main(data, out):
    pdfmetrics.registerFont(TTFont("DejaVu", os.path.join(FONTS, "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", os.path.join(FONTS, "DejaVuSans-Bold.ttf")))
    os.makedirs(out, exist_ok=True)
    people = list(csv.DictReader(open(os.path.join(data, "people.csv"), encoding="utf-8")))
    w, h = landscape(A4)
    for i, p in enumerate(people):
        c = canvas.Canvas(os.path.join(out, f"BENCH-2022-{i:06}-{p['id']}.pdf"), pagesize=(w, h))
        c.rect(21, 21, w - 42, h - 42)
        y = h - 90
        for text, font, size, gap in [
            ("Benchmark Trauma Informed Practice", "DejaVu-Bold", 20, 48),
            ("This is to certify that", "DejaVu", 15, 52),
            (p["name"], "DejaVu-Bold", 34, 40),
            ("has completed", "DejaVu", 15, 40),
            ("L2 Multi-agency Trauma Awareness", "DejaVu-Bold", 24, 26),
            ("Tier 2: Practitioner", "DejaVu", 13, 30),
            ("Completed on 18 January 2022", "DejaVu", 13, 22),
            ("CPD: 6.5 hours", "DejaVu", 11, 0),
        ]:
            c.setFont(font, size)
            c.drawCentredString(w / 2, y, text)
            y -= gap
        c.setFont("DejaVu", 9)
        c.drawRightString(w - 62, 94, f"Certificate BENCH-2022-{i:06}")
        c.drawRightString(w - 62, 82, "Verification code ABCD-EFGH")
        c.setFont("DejaVu-Bold", 11)
        c.drawString(62, 82, "Dr Ada Example")
        c.save()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
