"""An issue as a Word document in the official document layout (GB/T 9704-2012), and as PDF through LibreOffice.

Layout: A4, top 37 mm, left 28 mm, type area 156 × 225 mm (so right 26 mm, bottom 35 mm), 22 lines of 3号
(16 pt) 仿宋 per page; the bulletin's name in red 方正小标宋简体 above a red rule; titles in 2号 (22 pt)
小标宋, first-level headings in 黑体, second-level in 楷体; page numbers "— 1 —" in 4号 宋体, outside on odd and
even pages; the distribution lines (报/送) and the printing office between rules at the end.

Fonts are named as offices have them installed; the document's font table gives each a widely installed
alternative (Word and WPS substitute it), and the PDF conversion maps each missing one to an installed CJK font
through the font replacement table of a private LibreOffice profile, so the PDF shows the Chinese text wherever
a CJK font such as Debian's fonts-noto-cjk is installed.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from . import content
from .models import Issue

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
SONG_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# Each font named in the document, what Word/WPS should use where it is missing, and what the PDF conversion
# should use instead (the first one installed).
FALLBACKS = {
    TITLE_FONT: ("宋体", ["FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"]),
    BODY_FONT: ("仿宋", ["FangSong", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"]),
    KAI_FONT: ("楷体", ["KaiTi", "AR PL UKai CN", "Noto Serif CJK SC", "Source Han Serif SC"]),
    HEI_FONT: ("SimHei", ["SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei"]),
    SONG_FONT: ("SimSun", ["SimSun", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"]),
}
CJK_LAST_RESORT = ["Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Droid Sans Fallback"]

RED = RGBColor(0xFF, 0x00, 0x00)
BLACK = RGBColor(0x00, 0x00, 0x00)
GREY = RGBColor(0x80, 0x80, 0x80)
SIZE_2 = Pt(22)  # 2号
SIZE_3 = Pt(16)  # 3号
SIZE_4 = Pt(14)  # 4号
SIZE_SMALL_4 = Pt(12)  # 小四
LINE = Pt(28.95)  # exact line pitch: 22 lines in the 225 mm type area
CHAR = Pt(16)  # one character of body text
TYPE_WIDTH = Mm(156)

BODY_STYLE = "Bulletin Body"
TABLE_STYLE_TEXT = "Bulletin Table Text"
CONTENTS_STYLE = "Bulletin Contents"
PDF_TIMEOUT_SECONDS = 120


# Word refuses properties out of the schema's order: the elements that must follow the ones added here.
_AFTER_SNAP = (
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
    "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip
_AFTER_BORDERS = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
    "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", *_AFTER_SNAP,
)  # fmt: skip
_AFTER_RUN_SPACING = (
    "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText",
    "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
)  # fmt: skip


# ---------------------------------------------------------------------------- low-level formatting


def _set_fonts(element, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts on a run or style's rPr, dropping the theme fonts that would override them."""
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _run(paragraph, text: str, font: str = BODY_FONT, size=SIZE_3, *, bold=False, color=None, spacing=None):
    run = paragraph.add_run(text)
    _set_fonts(run._r, font)
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    if spacing is not None:  # character spacing, in twentieths of a point
        node = OxmlElement("w:spacing")
        node.set(qn("w:val"), str(spacing))
        run._r.get_or_add_rPr().insert_element_before(node, *_AFTER_RUN_SPACING)
    return run


def _border(paragraph, side: str, size: int, color: str = "000000", space: int = 1) -> None:
    """A rule above or below a paragraph; `size` in eighths of a point."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.insert_element_before(borders, *_AFTER_BORDERS)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), str(space))
    edge.set(qn("w:color"), color)
    borders.append(edge)


def _no_grid(style_element) -> None:
    """Lines of this style keep their own height instead of snapping to the 22-line page grid."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    style_element.get_or_add_pPr().insert_element_before(snap, *_AFTER_SNAP)


def _spacing(paragraph, *, before=None, after=None, exact=None) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = before or Pt(0), after or Pt(0)
    if exact is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, exact


def _page_field(paragraph, size=SIZE_4) -> None:
    """The PAGE field as a complex field, the form Word, WPS and LibreOffice all update."""
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        run = paragraph.add_run()
        _set_fonts(run._r, SONG_FONT)
        run.font.size = size
        if kind == "instr":
            node = OxmlElement("w:instrText")
            node.set(qn("xml:space"), "preserve")
            node.text = text
        elif kind == "text":
            node = OxmlElement("w:t")
            node.text = text
        else:
            node = OxmlElement("w:fldChar")
            node.set(qn("w:fldCharType"), kind)
        run._r.append(node)


# ---------------------------------------------------------------------------- document set-up


def _styles(document) -> None:
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None and rpr_default.find(qn("w:rPr")) is not None:
            rpr = rpr_default.find(qn("w:rPr"))
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is not None:
                for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                    fonts.attrib.pop(qn(theme), None)
                for slot in ("w:ascii", "w:hAnsi", "w:cs"):
                    fonts.set(qn(slot), LATIN_FONT)
                fonts.set(qn("w:eastAsia"), BODY_FONT)
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                rpr.append(lang)
            lang.set(qn("w:val"), "en-US")
            lang.set(qn("w:eastAsia"), "zh-CN")

    normal = styles["Normal"]
    _set_fonts(normal.element, BODY_FONT)
    normal.font.size = SIZE_3
    normal.font.color.rgb = BLACK
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    body = styles.add_style(BODY_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = normal
    body.paragraph_format.first_line_indent = CHAR * 2

    for name, font, size, align, indent in (
        ("Heading 1", TITLE_FONT, SIZE_2, WD_ALIGN_PARAGRAPH.CENTER, None),
        ("Heading 2", HEI_FONT, SIZE_3, WD_ALIGN_PARAGRAPH.JUSTIFY, CHAR * 2),
        ("Heading 3", KAI_FONT, SIZE_3, WD_ALIGN_PARAGRAPH.JUSTIFY, CHAR * 2),
    ):
        style = styles[name]
        _set_fonts(style.element, font)
        style.font.size = size
        style.font.bold = False
        style.font.italic = False
        style.font.color.rgb = BLACK
        fmt = style.paragraph_format
        fmt.alignment = align
        fmt.first_line_indent = indent
        fmt.space_before = fmt.space_after = Pt(0)
        if name == "Heading 1":
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            fmt.space_before, fmt.space_after = LINE, Pt(14)
        else:
            fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
        fmt.keep_with_next = True

    table_text = styles.add_style(TABLE_STYLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.font.size = SIZE_SMALL_4
    table_text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    table_text.paragraph_format.space_before = table_text.paragraph_format.space_after = Pt(2)
    table_text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _no_grid(table_text.element)

    contents = styles.add_style(CONTENTS_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    contents.base_style = normal
    _set_fonts(contents.element, KAI_FONT)
    contents.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT


def _page_setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(24)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(int(LINE.pt * 20)))
    document.settings.odd_and_even_pages_header_footer = True
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        _spacing(paragraph)
        # GB/T 9704: odd pages on the right, even pages on the left, each one character in from the edge.
        if side == "right":
            paragraph.paragraph_format.right_indent = SIZE_4
        else:
            paragraph.paragraph_format.left_indent = SIZE_4
        _run(paragraph, "— ", SONG_FONT, SIZE_4)
        _page_field(paragraph)
        _run(paragraph, " —", SONG_FONT, SIZE_4)


def _font_table(document) -> None:
    """Declare the named fonts with a widely installed alternative for machines that lack them."""
    entries = [
        (LATIN_FONT, "Times New Roman", "roman", "00"),
        ("Calibri", "Calibri", "swiss", "00"),
        ("Cambria", "Cambria", "roman", "00"),
        *((name, alt, "auto", "86") for name, (alt, _) in FALLBACKS.items()),
    ]
    fonts = "".join(
        f'<w:font w:name="{escape(name)}"><w:altName w:val="{escape(alt)}"/><w:charset w:val="{charset}"/>'
        f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
        for name, alt, family, charset in entries
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"{fonts}</w:fonts>"
    )
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/word/fontTable.xml":
            part._blob = xml.encode("utf-8")


def _drop_thumbnail(document) -> None:
    """The template's thumbnail shows a blank page in file browsers: leave it out."""
    rels = document.part.package.rels
    for rel_id, rel in list(rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            rels.pop(rel_id)


# ---------------------------------------------------------------------------- the parts of an issue


def _header(document, composed: content.Composed) -> None:
    if not composed.issue.is_signed:
        draft = document.add_paragraph()
        draft.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _spacing(draft)
        _run(draft, "草稿（未签发，仅供审核）", HEI_FONT, SIZE_SMALL_4, color=GREY)
    if composed.header_body:
        line = document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _spacing(line, before=Pt(6))
        # As large as fits on one line of the 156 mm type area, at most 2号 plus a little.
        size = Pt(max(16, min(26, int(440 / max(len(composed.header_body), 1)))))
        _run(line, composed.header_body, TITLE_FONT, size, color=RED)
    name = document.add_paragraph()
    name.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(name, before=Pt(6), after=Pt(6))
    _run(
        name, composed.header_name, TITLE_FONT, Pt(48), color=RED, spacing=240 if len(composed.header_name) <= 4 else 0
    )
    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(number, after=Pt(6), exact=LINE)
    _run(number, composed.number_label)
    office = document.add_paragraph()
    office.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _spacing(office, after=Pt(12), exact=LINE)
    office.paragraph_format.tab_stops.add_tab_stop(TYPE_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    _run(office, f"{composed.issuing_office}编\t{composed.date_label}")
    _border(office, "bottom", 18, "FF0000", space=4)  # the red separator rule


def _contents(document, composed: content.Composed) -> None:
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(heading, exact=LINE)
    _run(heading, "目　　录", HEI_FONT)
    for level, text in composed.contents:
        line = document.add_paragraph(style=CONTENTS_STYLE)
        line.paragraph_format.left_indent = CHAR * (2 if level == 1 else 4)
        _run(line, text, HEI_FONT if text == content.INFO_HEADING else KAI_FONT)
    rule = document.add_paragraph()
    _spacing(rule, after=Pt(6))
    _border(rule, "bottom", 6)


def _body_paragraph(document, text: str, tail: str = ""):
    level = content.heading_level(text)
    if level:
        return document.add_paragraph(text, style=f"Heading {level}")
    paragraph = document.add_paragraph(style=BODY_STYLE)
    paragraph.add_run(text)
    if tail:
        paragraph.add_run(tail)
    return paragraph


def _lead(document, article) -> None:
    document.add_paragraph(article.title, style="Heading 1")
    if article.author:
        author = document.add_paragraph()
        author.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _spacing(author, after=Pt(14), exact=LINE)
        _run(author, f"——{article.author}", KAI_FONT)
    for text in content.paragraphs(article.body):
        _body_paragraph(document, text)


def _infos(document, articles) -> None:
    document.add_paragraph(content.INFO_HEADING, style="Heading 1")
    for article in articles:
        document.add_paragraph(article.title, style="Heading 2")
        texts = content.paragraphs(article.body)
        for index, text in enumerate(texts):
            last = index == len(texts) - 1
            paragraph = document.add_paragraph(style=BODY_STYLE)
            paragraph.add_run(text)
            if last:
                paragraph.add_run(content.info_source(article))


def _cell(cell, text: str, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = TABLE_STYLE_TEXT
    run = paragraph.add_run(text)
    run.font.bold = bold
    if bold:
        _set_fonts(run._r, HEI_FONT)


def _table(document, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell(cell, text, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            _cell(cell, text)


def _figures(document, article, data: dict) -> None:
    document.add_paragraph(article.title, style="Heading 1")
    if data.get("error"):
        _body_paragraph(document, data["error"])
        return
    note = document.add_paragraph(style=BODY_STYLE)
    note.add_run(content.figures_note(data))
    for block in content.indicator_blocks(data):
        document.add_paragraph(block.heading, style="Heading 2")
        _body_paragraph(document, block.summary)
        _table(document, block.change_header, [block.change_row])
        if block.top_rows:
            caption = document.add_paragraph(style=BODY_STYLE)
            _spacing(caption, before=Pt(6), exact=LINE)
            caption.add_run(f"下级单位前{len(block.top_rows)}名：")
            _table(document, block.top_header, block.top_rows)


def _imprint(document, composed: content.Composed) -> None:
    """版记: the distribution lines and the printing office between rules, at the end of the document."""
    spacer = document.add_paragraph()
    _spacing(spacer, before=LINE)
    lines = []
    if composed.report_to:
        lines.append(f"报：{composed.report_to}")
    if composed.copy_to:
        lines.append(f"送：{composed.copy_to}")
    for index, text in enumerate(lines):
        paragraph = document.add_paragraph()
        _spacing(paragraph, exact=LINE)
        paragraph.paragraph_format.left_indent = SIZE_4 * 3
        paragraph.paragraph_format.first_line_indent = -SIZE_4 * 2  # continuation lines align after "报："
        _run(paragraph, text, BODY_FONT, SIZE_4)
        _border(paragraph, "top", 8 if index == 0 else 4)
    printed = document.add_paragraph()
    _spacing(printed, exact=LINE)
    printed.paragraph_format.left_indent = SIZE_4
    printed.paragraph_format.tab_stops.add_tab_stop(TYPE_WIDTH - SIZE_4, WD_TAB_ALIGNMENT.RIGHT)
    date_text = f"{composed.date_label}印发" if composed.issue.issue_date else "（签发日期）印发"
    _run(printed, f"{composed.issuing_office}\t{date_text}", BODY_FONT, SIZE_4)
    _border(printed, "top", 8 if not lines else 4)
    _border(printed, "bottom", 8)


def _properties(document, composed: content.Composed) -> None:
    issue = composed.issue
    props = document.core_properties
    props.title = f"{issue.series.name} {composed.number_label}"
    props.subject = issue.display_title
    props.author = props.last_modified_by = composed.issuing_office
    props.keywords = "专报"
    props.comments = ""
    moment = issue.signed_at or issue.updated_at or issue.created_at
    props.created = props.modified = moment.replace(microsecond=0, tzinfo=None) if moment else None
    props.revision = 1


def render_docx(issue: Issue) -> bytes:
    composed = content.compose(issue)
    document = Document()
    _styles(document)
    _page_setup(document)
    _font_table(document)
    _drop_thumbnail(document)
    _properties(document, composed)
    body = document.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):  # the template's empty first paragraph
        body.remove(paragraph)
    _header(document, composed)
    _contents(document, composed)
    for article in composed.leads:
        _lead(document, article)
    if composed.infos:
        _infos(document, composed.infos)
    for article, data in composed.figures:
        _figures(document, article, data)
    _imprint(document, composed)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------- PDF through LibreOffice


class PdfUnavailable(RuntimeError):
    """No LibreOffice on this machine."""


class PdfFailed(RuntimeError):
    """LibreOffice ran but made no PDF."""


def soffice_binary() -> str | None:
    configured = getattr(settings, "BULLETINS_SOFFICE", "") or os.environ.get("SOFFICE_PATH", "")
    for candidate in (configured, "soffice", "libreoffice"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


def installed_families() -> set[str]:
    """Font families fontconfig knows on this machine."""
    binary = shutil.which("fc-list")
    if binary is None:
        return set()
    try:
        listing = subprocess.run([binary, ":", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    return {name.strip() for line in listing.splitlines() for name in line.split(",") if name.strip()}


def font_substitutions(installed: set[str] | None = None) -> dict[str, str]:
    """For each font the document names and this machine lacks, the first installed fallback."""
    installed = installed_families() if installed is None else installed
    pairs = {}
    for name, (_, preferred) in FALLBACKS.items():
        if name in installed:
            continue
        chosen = next((family for family in [*preferred, *CJK_LAST_RESORT] if family in installed), None)
        if chosen:
            pairs[name] = chosen
    return pairs


def _profile_settings(pairs: dict[str, str]) -> str:
    """LibreOffice's font replacement table (Tools › Options › Fonts) for the private profile."""
    path = "/org.openoffice.Office.Common/Font/Substitution"
    nodes = "".join(
        f'<item oor:path="{path}/FontPairs"><node oor:name="_{index}" oor:op="replace">'
        '<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>'
        '<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>'
        f'<prop oor:name="ReplaceFont" oor:op="fuse"><value>{escape(name)}</value></prop>'
        f'<prop oor:name="SubstituteFont" oor:op="fuse"><value>{escape(family)}</value></prop>'
        "</node></item>"
        for index, (name, family) in enumerate(pairs.items())
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<item oor:path="{path}"><prop oor:name="Replacement" oor:op="fuse"><value>true</value></prop></item>'
        f"{nodes}</oor:items>\n"
    )


def docx_to_pdf(data: bytes, timeout: int = PDF_TIMEOUT_SECONDS) -> bytes:
    """Convert with LibreOffice headless, in a private temporary profile so parallel conversions never clash."""
    binary = soffice_binary()
    if binary is None:
        raise PdfUnavailable("服务器未安装 LibreOffice（soffice），无法生成 PDF，请下载 Word 版。")
    with tempfile.TemporaryDirectory(prefix="changai-bulletin-") as tmp:
        folder = Path(tmp)
        source = folder / "bulletin.docx"
        source.write_bytes(data)
        profile = folder / "profile"
        (profile / "user").mkdir(parents=True)
        settings_file = profile / "user" / "registrymodifications.xcu"
        settings_file.write_text(_profile_settings(font_substitutions()), encoding="utf-8")
        env = {**os.environ, "HOME": tmp}
        command = [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            tmp,
            str(source),
        ]
        # A session of its own, so a conversion that hangs is ended with all the processes it started.
        process = subprocess.Popen(
            command, cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        )
        try:
            _, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise PdfFailed(f"LibreOffice 转换超过{timeout}秒未完成，已终止。") from None
        pdf = folder / "bulletin.pdf"
        if not pdf.exists():
            detail = errors.decode("utf-8", "replace").strip()[-300:]
            raise PdfFailed(f"LibreOffice 未能生成 PDF（退出码 {process.returncode}）。{detail}")
        return pdf.read_bytes()
