"""Reports and files for the tests: texts written for the tests, and .docx/.pdf files built from them."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from changai.narratives import services

# A report written for these tests (not taken from any real report).
REPORT_TEXT = (
    "# 祝塘镇产改工作情况\n\n"
    "祝塘镇总工会 王某\n\n"
    "今年以来，祝塘镇总工会围绕“三抓三促”开展工作。全镇举办职工技能培训班12期，培训职工3600人次；"
    "新建职工之家5个。\n"
    "江阴测试机械有限公司取得专利8项，发放帮扶慰问资金35.6万元。\n"
    "认真学习宣传党的二十大精神，推荐评选五一劳动奖章。"
)


def make_report(user, org, text=REPORT_TEXT, period="2026", title="祝塘镇产改工作情况"):
    return services.create_report(user, org=org, period=period, title=title, text=text)


def txt_upload(text=REPORT_TEXT, name="材料.txt", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/plain")


def docx_upload(text=REPORT_TEXT, name="材料.docx", table=None):
    from docx import Document

    document = Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def pdf_upload(text=REPORT_TEXT, name="材料.pdf"):
    return SimpleUploadedFile(name, text_pdf(text), content_type="application/pdf")


def text_pdf(text: str) -> bytes:
    """A one-page PDF whose text layer is `text` (a CID font mapped back to Unicode by a ToUnicode CMap)."""
    chars = sorted(set(text) - {"\n"})
    cid = {ch: index + 1 for index, ch in enumerate(chars)}
    shown = " ".join(f"<{''.join(f'{cid[c]:04X}' for c in line)}> Tj T*" for line in text.split("\n"))
    content = f"BT /F1 12 Tf 14 TL 40 800 Td {shown} ET".encode()
    mapping = " ".join(
        f"{len(chunk)} beginbfchar " + " ".join(f"<{cid[c]:04X}> <{ord(c):04X}>" for c in chunk) + " endbfchar"
        for chunk in (chars[k : k + 100] for k in range(0, len(chars), 100))
    )
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def "
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def "
        f"1 begincodespacerange <0000> <FFFF> endcodespacerange {mapping} "
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Song /Encoding /Identity-H /DescendantFonts [6 0 R] "
        b"/ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Song "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R /DW 1000 >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
        b"<< /Type /FontDescriptor /FontName /Song /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0 "
        b"/Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
