from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone

from changai.orgs.models import Kind, Org

from . import documents, services
from .models import FactProposal

PERIOD_HELP = "年度填 2024，半年填 2024H1，季度填 2024Q2，月份填 2024M06。"


def _bootstrap(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _labelled(org: Org) -> str:
    return f"{org.name}（{org.get_kind_display()}）"


class UploadForm(forms.Form):
    org = forms.ModelChoiceField(
        label="报送单位", queryset=Org.objects.none(), help_text="材料反映的是哪个单位的工作。"
    )
    period = forms.CharField(label="所属期间", max_length=8, help_text=PERIOD_HELP)
    title = forms.CharField(label="标题", max_length=200, required=False, help_text="不填则用文件名或正文第一行。")
    file = forms.FileField(
        label="材料文件",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": documents.ACCEPT}),
        help_text=f"{documents.TYPES_TEXT}，不超过{documents.MAX_MB} MB。扫描件请先转为文字版。",
    )
    text = forms.CharField(
        label="或粘贴材料文字",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="没有电子文件时，可将文字直接粘贴在这里（与上传文件二选一）。",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = services.upload_orgs(user)
        self.fields["org"].queryset = orgs
        self.fields["org"].label_from_instance = _labelled
        if "org" not in self.initial:
            first_two = list(orgs[:2])
            if len(first_two) == 1:
                self.initial["org"] = first_two[0].pk
        self.initial.setdefault("period", str(timezone.localdate().year))
        _bootstrap(self)

    def clean_period(self):
        return services.check_period(self.cleaned_data["period"])

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError("请选择要上传的文件，或粘贴材料文字。")
        if data.get("file") and (data.get("text") or "").strip():
            raise forms.ValidationError("上传文件和粘贴文字请二选一。")
        return data


class AcceptForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label="采用为指标", queryset=services.acceptable_indicators(), empty_label="请选择指标"
    )
    org = forms.ModelChoiceField(label="计入单位", queryset=Org.objects.none(), empty_label=None)
    period = forms.CharField(label="计入期间", max_length=8, help_text=PERIOD_HELP)
    value = forms.CharField(label="数值", max_length=24, help_text="按所选指标的计量单位填写，可按原文更正。")
    replace = forms.BooleanField(
        label="替换已有数值", required=False, help_text="该单位该期已有未审核的数值时，勾选后以材料中的数字为准。"
    )
    note = forms.CharField(label="审核说明", max_length=200, required=False)

    def __init__(self, *args, user, fact: FactProposal, **kwargs):
        super().__init__(*args, **kwargs)
        report = fact.report
        subject_names = set(report.proposals.exclude(subject="").values_list("subject", flat=True))
        below = Q(path__startswith=report.org.path) & ~Q(kind=Kind.ENTERPRISE)
        self.fields["org"].queryset = services.target_orgs(user).filter(
            below | Q(pk=report.org_id) | Q(name__in=subject_names)
        )
        self.fields["org"].label_from_instance = _labelled
        self.fields["indicator"].label_from_instance = lambda ind: f"{ind.name}（{ind.unit}）"
        if not self.is_bound:
            indicator = fact.suggested_indicator
            self.initial.update(
                {
                    "indicator": indicator.pk if indicator else None,
                    "org": services.suggest_org(user, fact).pk,
                    "period": services.suggest_period(fact),
                    "value": f"{services.proposed_value(fact, indicator).normalize():f}",
                }
            )
        _bootstrap(self)


class RejectForm(forms.Form):
    note = forms.CharField(
        label="忽略原因",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：不是本单位数据、与指标无关、重复"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)
