from __future__ import annotations

from functools import reduce
from operator import or_
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from changai.accounts.scope import root_orgs, scope_for
from changai.orgs.models import Kind, Org

from .models import CheckpointKind, Plan, PlanItem

PLAN_ORG_KINDS = (Kind.PROVINCE, Kind.CITY, Kind.COUNTY, Kind.TOWN, Kind.PARK, Kind.INDUSTRY_LINE)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
_OLE, _ZIP = b"\xd0\xcf\x11\xe0", b"PK\x03\x04"
# Extension -> how the file must begin, so a renamed executable or web page is refused.
ATTACHMENT_SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".doc": (_OLE,),
    ".xls": (_OLE,),
    ".docx": (_ZIP,),
    ".xlsx": (_ZIP,),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG",),
}
ATTACHMENT_TYPES_TEXT = "PDF、Word（.doc/.docx）、Excel（.xls/.xlsx）或 JPG、PNG 图片"


def _bootstrap(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _indented(org: Org) -> str:
    return f"{org.name}（{org.get_kind_display()}）"


# ---------------------------------------------------------------------------- which orgs


def plan_org_choices(user):
    """Orgs a plan may be made for: the user's scope roots and their direct children that run plans."""
    roots = list(root_orgs(user)[:50])
    if not roots:
        return Org.objects.none()
    children = reduce(or_, (Q(path__startswith=root.path, depth=root.depth + 1) for root in roots))
    return Org.objects.filter(
        Q(pk__in=[root.pk for root in roots]) | (children & Q(kind__in=PLAN_ORG_KINDS, is_active=True))
    ).order_by("path")


def unit_queryset(user, plan: Plan, *, enterprises: bool = False):
    """Orgs that may lead or support an item of the plan.

    The units of the plan's own subtree the user can see, and the member units (成员单位) of the
    joint meetings at the plan's level and above: a county plan may task the provincial HR department.
    """
    org = plan.org
    own = Q(path__startswith=org.path) & scope_for(user).q("")
    above = [
        Q(path__startswith=org.path[:end], depth=end // Org.steplen + 1)
        for end in range(Org.steplen, len(org.path), Org.steplen)
    ]
    condition = own | (Q(kind=Kind.MEMBER_UNIT) & reduce(or_, above)) if above else own
    units = Org.objects.filter(condition, is_active=True)
    if not enterprises:
        units = units.exclude(kind=Kind.ENTERPRISE)
    return units.order_by("path")


# ---------------------------------------------------------------------------- plans


class PlanForm(forms.ModelForm):
    cadence = forms.MultipleChoiceField(
        label="督查节点",
        choices=CheckpointKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="勾选的节点会为每项任务生成报送节点，牵头单位须在节点期末后规定的工作日内报送进展。",
    )

    class Meta:
        model = Plan
        fields = [
            "org",
            "year",
            "kind",
            "title",
            "cadence",
            "checkpoint_due_days",
            "notice_reply_days",
            "circulate_after_days",
        ]
        help_texts = {
            "checkpoint_due_days": "如填3：月调度在次月第3个工作日截止（节假日顺延，调休上班日计入）。",
            "notice_reply_days": "下发督办单后，被督办单位须在此工作日数内答复，逾期次日自动催办。",
            "circulate_after_days": "催办后仍超过此工作日数未答复的，自动通报。",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = plan_org_choices(user)
        self.fields["org"].label_from_instance = _indented
        self.fields["org"].empty_label = None
        self.fields["year"].initial = timezone.localdate().year
        self.fields["cadence"].initial = [CheckpointKind.MONTHLY, CheckpointKind.HALF_YEAR, CheckpointKind.YEAR_END]
        for name in ("checkpoint_due_days", "notice_reply_days", "circulate_after_days"):
            self.fields[name].min_value = 1
            self.fields[name].widget.attrs["min"] = 1
        _bootstrap(self)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise ValidationError("请填写正确的年度，如 2025。")
        return year


# ---------------------------------------------------------------------------- items

ITEM_FIELDS = [
    "number",
    "title",
    "pillar",
    "lead_unit",
    "supporting_units",
    "target",
    "target_value",
    "starts_on",
    "deadline",
    "evidence_required",
]


class ItemForm(forms.ModelForm):
    class Meta:
        model = PlanItem
        fields = [*ITEM_FIELDS, "status"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "target": forms.Textarea(attrs={"rows": 2}),
            "evidence_required": forms.Textarea(attrs={"rows": 2}),
            "supporting_units": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {
            "number": "在本计划内唯一，如 1、2.3、（一）1。",
            "supporting_units": "可多选：按住 Ctrl（Mac 为 Command）点选。",
            "target_value": "可量化的目标填数字，便于统计完成情况。",
        }

    def __init__(self, *args, user, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        units = unit_queryset(user, plan)
        if self.instance.pk:  # keep units chosen earlier (e.g. an enterprise set by an import)
            current = [self.instance.lead_unit_id, *self.instance.supporting_units.values_list("pk", flat=True)]
            units = Org.objects.filter(Q(pk__in=units.values("pk")) | Q(pk__in=current)).order_by("path")
        else:
            del self.fields["status"]
            self.initial.setdefault("starts_on", f"{plan.year}-01-01")
            self.initial.setdefault("deadline", f"{plan.year}-12-31")
        for name in ("lead_unit", "supporting_units"):
            self.fields[name].queryset = units
            self.fields[name].label_from_instance = _indented
        self.fields["supporting_units"].required = False
        _bootstrap(self)

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        taken = self.plan.items.filter(number=number).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(f"本计划中已有序号为“{number}”的任务。")
        return number

    def clean(self):
        data = super().clean()
        starts_on, deadline = data.get("starts_on"), data.get("deadline")
        if starts_on and deadline and deadline < starts_on:
            self.add_error("deadline", "完成时限不能早于开始日期。")
        lead, supporting = data.get("lead_unit"), data.get("supporting_units")
        if lead and supporting is not None:
            data["supporting_units"] = [unit for unit in supporting if unit != lead]
        return data


class AdoptForm(forms.Form):
    lead_unit = forms.ModelChoiceField(label="本级牵头单位", queryset=Org.objects.none())
    number = forms.CharField(label="本计划中的序号", max_length=12, required=False, help_text="不填则沿用上级序号。")

    def __init__(self, *args, user, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["lead_unit"].queryset = unit_queryset(user, plan)
        self.fields["lead_unit"].label_from_instance = _indented
        _bootstrap(self)

    def clean_number(self):
        number = self.cleaned_data["number"].strip() or self.initial.get("number", "")
        if self.plan.items.filter(number=number).exists():
            raise ValidationError(f"本计划中已有序号为“{number}”的任务。")
        return number


# ---------------------------------------------------------------------------- progress and notices


class ProgressForm(forms.Form):
    percent = forms.IntegerField(
        label="完成进度（%）",
        min_value=0,
        max_value=100,
        error_messages={"min_value": "进度应在0到100之间。", "max_value": "进度应在0到100之间。"},
    )
    narrative = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(
        label="佐证材料",
        required=False,
        help_text=f"可选；{ATTACHMENT_TYPES_TEXT}，不超过10 MB。",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ATTACHMENT_SIGNATURES)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        signatures = ATTACHMENT_SIGNATURES.get(PurePath(upload.name).suffix.lower())
        if signatures is None:
            raise ValidationError(f"佐证材料只能是{ATTACHMENT_TYPES_TEXT}。")
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise ValidationError(
                f"佐证材料不能超过10 MB（该文件约{upload.size / 1024 / 1024:.1f} MB），请压缩或拆分后上传。"
            )
        head = upload.read(8)
        upload.seek(0)
        if not head.startswith(signatures):
            raise ValidationError(f"文件内容与扩展名不符，请上传真实的{ATTACHMENT_TYPES_TEXT}。")
        return upload


class NoticeForm(forms.Form):
    reason = forms.CharField(label="督办事由", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ReplyForm(forms.Form):
    reply = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label="选择文件",
        help_text="支持 .xlsx、.xls、.ods、.csv；可先下载模板，或导出本计划后修改再导入。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)
