"""One check for every uploaded attachment: an allowed type, a size limit, content matching the extension."""

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError

_OLE, _ZIP = b"\xd0\xcf\x11\xe0", b"PK\x03\x04"
# Extension -> how the file must begin, so a renamed executable or web page is refused.
ATTACHMENT_SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".doc": (_OLE,),
    ".docx": (_ZIP,),
    ".xls": (_OLE,),
    ".xlsx": (_ZIP,),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG",),
}
ATTACHMENT_TYPES_TEXT = "PDF、Word（.doc/.docx）、Excel（.xls/.xlsx）或 JPG、PNG 图片"
ACCEPT = ",".join(ATTACHMENT_SIGNATURES)


def check_attachment(upload, max_mb: int = 20) -> None:
    """Refuse a file of the wrong type, over `max_mb`, or whose content does not match its extension."""
    name = PurePath(upload.name).name
    signatures = ATTACHMENT_SIGNATURES.get(PurePath(name).suffix.lower())
    if signatures is None:
        raise ValidationError(f"“{name}”的类型不支持：附件只能是{ATTACHMENT_TYPES_TEXT}。")
    if upload.size > max_mb * 1024 * 1024:
        raise ValidationError(f"“{name}”超过{max_mb} MB（约{upload.size / 1024 / 1024:.1f} MB），请压缩或拆分后上传。")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(signatures):
        raise ValidationError(f"“{name}”的内容与扩展名不符，请上传真实的{ATTACHMENT_TYPES_TEXT}。")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service with `check_attachment`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]
