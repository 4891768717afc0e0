"""The text of an uploaded report: .txt (UTF-8 or GB18030), .docx (python-docx) or a PDF with a text layer (pypdf)."""

from __future__ import annotations

import io
import re
from pathlib import PurePath

from django.core.exceptions import ValidationError

from changai.core.uploads import check_attachment

MAX_MB = 20
MAX_CHARS = 200_000
MIN_CHARS = 10
TYPES_TEXT = "文本文件（.txt）、Word 文档（.docx）或文字版 PDF"
ACCEPT = ".txt,.docx,.pdf"
_SENTENCE_END = "。！？；：!?;:…”』」）)"


def read_upload(upload) -> tuple[str, str]:
    """(text, file type) of an uploaded file; a ValidationError in Chinese says what is wrong with it."""
    name = PurePath(upload.name).name
    suffix = PurePath(name).suffix.lower()
    if suffix == ".txt":
        if upload.size > MAX_MB * 1024 * 1024:
            raise ValidationError(f"“{name}”超过{MAX_MB} MB，请拆分后上传。")
        upload.seek(0)
        text = _decode(upload.read(), name)
    elif suffix in (".docx", ".pdf"):
        check_attachment(upload, max_mb=MAX_MB)
        upload.seek(0)
        data = upload.read()
        text = _docx_text(data, name) if suffix == ".docx" else _pdf_text(data, name)
    else:
        raise ValidationError(f"“{name}”的类型不支持：请上传{TYPES_TEXT}。旧版 .doc 请在 Word/WPS 中另存为 .docx。")
    upload.seek(0)
    return clean_text(text, name), suffix.lstrip(".")


def clean_text(text: str, name: str = "材料") -> str:
    """One newline style, no trailing spaces, no runs of blank lines; refuse empty and oversized texts."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if len(text) < MIN_CHARS:
        raise ValidationError(f"“{name}”中没有读到文字，请检查文件内容。")
    if len(text) > MAX_CHARS:
        raise ValidationError(f"“{name}”的文字超过{MAX_CHARS:,}字，请按篇拆分后分别上传。")
    return text


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096]:
        raise ValidationError(f"“{name}”不是文本文件，请上传{TYPES_TEXT}。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(f"“{name}”的文字编码无法识别，请在记事本或 WPS 中另存为 UTF-8 编码后上传。")


def _docx_text(data: bytes, name: str) -> str:
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a damaged package
        raise ValidationError(f"“{name}”无法作为 Word 文档打开，可能已损坏或并非 .docx 格式。") from exc
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = list(dict.fromkeys(cell.text.strip() for cell in row.cells))
            parts.append("，".join(cell for cell in cells if cell) + "。")
    return "\n".join(parts)


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(f"“{name}”已加密，请去除密码后上传。")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ValidationError(f"“{name}”无法作为 PDF 打开，可能已损坏。") from exc
    text = "\n".join(join_wrapped_lines(page) for page in pages)
    if len(re.sub(r"\s", "", text)) < MIN_CHARS:
        raise ValidationError(f"“{name}”没有可提取的文字，可能是扫描件或图片。请上传文字版 PDF、Word 文档或文本文件。")
    return text


def join_wrapped_lines(page: str) -> str:
    """A PDF breaks lines where the page is full, not where sentences end: join such lines back together,
    so that a figure split over two lines (58 / 场) is read as one."""
    lines = [line.strip() for line in page.split("\n")]
    joined: list[str] = []
    for line in lines:
        if not line:
            continue
        if joined and not joined[-1].endswith(tuple(_SENTENCE_END)) and not _looks_like_heading(joined[-1]):
            joined[-1] += line
        else:
            joined.append(line)
    return "\n".join(joined)


def _looks_like_heading(line: str) -> bool:
    return len(line) <= 20 and not re.search(r"[，,、]", line)
