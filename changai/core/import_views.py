"""Pages of the import framework: my batches, upload, template, batch detail, commit, error workbook."""

import io
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from changai.accounts.scope import root_orgs
from changai.orgs.models import Org

from .import_services import commit, error_workbook, has_row_errors, importer_for, upload
from .imports import ALLOWED_EXTENSIONS, ImportFileError, all_importers, build_template
from .models import ImportBatch

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_PER_PAGE = 50


class UploadForm(forms.Form):
    file = forms.FileField(
        label="选择文件",
        help_text="支持 .xlsx、.xls、.ods、.csv；表头可在前20行内，标题行和多余的列不影响导入。",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS), "class": "form-control"}),
    )
    org = forms.ModelChoiceField(
        label="导入到",
        queryset=Org.objects.none(),
        required=False,
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        roots = root_orgs(user)
        if roots.count() > 1:
            self.fields["org"].queryset = roots
        else:
            del self.fields["org"]


def _importer_or_404(user, importer_key):
    try:
        return importer_for(user, importer_key)
    except KeyError:
        raise Http404("没有这种导入类型") from None


def _batch_or_404(request, batch_pk):
    batches = ImportBatch.objects.visible_to(request.user).select_related(
        "org", "created_by", "committed_by", "validate_job", "commit_job"
    )
    batch = get_object_or_404(batches, pk=batch_pk)
    return batch, _importer_or_404(request.user, batch.importer_key)


def _xlsx_response(data: bytes, filename: str) -> FileResponse:
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=XLSX)


@login_required
def batch_list(request):
    batches = ImportBatch.objects.visible_to(request.user).select_related("org", "created_by").defer("preview")
    page_obj = Paginator(batches, 20).get_page(request.GET.get("page"))
    titles = {cls.key: cls.title for cls in all_importers()}
    for batch in page_obj:
        batch.importer_title = titles.get(batch.importer_key, batch.importer_key)
    importers = [cls for cls in all_importers() if request.user.has_perm(cls.permission)]
    context = {"page_obj": page_obj, "importers": importers, "nav_active": "imports"}
    return render(request, "core/imports/list.html", context)


@login_required
def upload_view(request, importer_key):
    importer_cls = _importer_or_404(request.user, importer_key)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            batch = upload(request.user, importer_key, form.cleaned_data["file"], form.cleaned_data.get("org"))
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("imports:detail", batch_pk=batch.pk)
    context = {"importer": importer_cls, "form": form, "nav_active": "imports"}
    return render(request, "core/imports/upload.html", context)


@login_required
def template_download(request, importer_key):
    importer_cls = _importer_or_404(request.user, importer_key)
    return _xlsx_response(build_template(importer_cls), f"{importer_cls.title}模板.xlsx")


@login_required
def batch_detail(request, batch_pk):
    batch, importer_cls = _batch_or_404(request, batch_pk)
    context = {
        "batch": batch,
        "importer": importer_cls,
        "headers": [column.header for column in importer_cls.columns],
        "job": batch.running_job,
        "page_obj": Paginator(batch.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page")),
        "has_row_errors": has_row_errors(batch),
        "nav_active": "imports",
    }
    return render(request, "core/imports/detail.html", context)


@login_required
@require_POST
def commit_view(request, batch_pk):
    batch, _ = _batch_or_404(request, batch_pk)
    try:
        batch = commit(request.user, batch)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        if batch.status == ImportBatch.Status.COMMITTED:
            messages.success(request, "导入完成。")
        elif batch.status == ImportBatch.Status.COMMITTING:
            messages.info(request, "已开始导入，请稍候。")
        else:
            messages.error(request, "提交时重新校验发现问题，未写入任何数据。")
    return redirect("imports:detail", batch_pk=batch.pk)


@login_required
def error_download(request, batch_pk):
    batch, _ = _batch_or_404(request, batch_pk)
    if not has_row_errors(batch):
        raise Http404("该批次没有行错误")
    try:
        data = error_workbook(batch)
    except ImportFileError:
        raise Http404("原文件已无法读取") from None
    return _xlsx_response(data, f"{PurePath(batch.filename).stem}_错误清单.xlsx")
