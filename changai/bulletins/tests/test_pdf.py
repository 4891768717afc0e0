"""PDF through LibreOffice headless: skipped only where no soffice binary is installed."""

import io
from unittest import mock

import pytest
from pypdf import PdfReader

from changai.bulletins import jobs, render

from .conftest import signed

needs_soffice = pytest.mark.skipif(render.soffice_binary() is None, reason="LibreOffice (soffice) is not installed")


def _fonts(reader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            names.add(str(font.get_object().get("/BaseFont", "")))
    return names


@needs_soffice
def test_a_signed_issue_becomes_a_pdf_that_shows_the_chinese_text(cast, series):
    issue = signed(cast, series)
    job = jobs.schedule_pdf(issue, cast.users["sheng"])
    assert job.status == job.Status.SUCCEEDED, job.error
    issue.refresh_from_db()
    reader = PdfReader(io.BytesIO(issue.pdf.open("rb").read()))
    assert len(reader.pages) >= 1
    text = reader.pages[0].extract_text().replace(" ", "")
    assert "新时代江苏产业工人队伍建设改革联席会" in text and "2024年第8期（总第38期）" in text
    cjk = [name for name in _fonts(reader) if "CJK" in name or "Han" in name or "Hei" in name or "Ming" in name]
    assert cjk, f"no CJK font in the PDF ({_fonts(reader)}): install one, e.g. Debian's fonts-noto-cjk"


@needs_soffice
def test_a_longer_issue_runs_to_more_pages(cast, series):
    from changai.bulletins import services

    from .conftest import lead

    sheng = cast.users["sheng"]
    issue = services.create_issue(sheng, series)
    lead(sheng, issue, body="\n".join(["各地持续推进产业工人队伍建设改革，取得积极成效。" * 6] * 30))
    docx = render.render_docx(issue)
    pages = len(PdfReader(io.BytesIO(render.docx_to_pdf(docx))).pages)
    assert pages >= 4


def test_without_libreoffice_the_pdf_is_refused_with_a_reason(cast, series):
    with mock.patch("changai.bulletins.render.shutil.which", return_value=None):
        assert render.soffice_binary() is None
        with pytest.raises(render.PdfUnavailable, match="LibreOffice"):
            render.docx_to_pdf(b"PK")


def test_missing_fonts_map_to_the_first_installed_fallback():
    pairs = render.font_substitutions({"Noto Serif CJK SC", "Noto Sans CJK SC", "仿宋_GB2312"})
    assert pairs["方正小标宋简体"] == "Noto Serif CJK SC"
    assert pairs["黑体"] == "Noto Sans CJK SC"
    assert "仿宋_GB2312" not in pairs  # installed: used as named
    assert render.font_substitutions(set()) == {}
