from __future__ import annotations

import re

from django import forms

from changai.orgs.models import Org
from changai.workers.models import Sequence, Worker
from changai.workers.services import find_worker_by_id_number

from .services import BRIDGE_RANKS

DATE_INPUT = {"type": "date"}
ID_LIKE = re.compile(r"^[0-9０-９]{6,}[0-9０-９xXｘＸ]?$")
PICKER_LIMIT = 20


def bootstrap(form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _date(label, **kwargs):
    return forms.DateField(label=label, widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"), **kwargs)


def search_workers(user, text: str):
    """Workers of enterprises in the user's scope matching a name, or exactly an identity number."""
    workers = Worker.objects.visible_to(user).filter(enterprise__isnull=False).select_related("enterprise")
    text = (text or "").strip()
    if not text:
        return workers.none()
    if ID_LIKE.match(text):
        found = find_worker_by_id_number(text)
        return workers.filter(pk=found.pk) if found else workers.none()
    return workers.filter(name__icontains=text)


class MoveForm(forms.Form):
    to_sequence = forms.ChoiceField(label="新岗位序列", choices=Sequence.choices)
    to_grade = forms.CharField(
        label="新岗位等级", max_length=30, required=False, help_text="如“班组长”“技能三级”“车间副主任”。"
    )
    effective_on = _date("生效日期")
    approving_body = forms.CharField(
        label="批准机构", max_length=120, help_text="作出任免或聘任决定的机构，如“公司人力资源部”“公司党委会”。"
    )
    approving_org = forms.ModelChoiceField(
        label="批准单位（平台内，选填）",
        queryset=Org.objects.none(),
        required=False,
        help_text="批准机构是平台内的单位（如集团公司）时可选择。",
    )
    document = forms.CharField(label="文号", max_length=60, required=False)
    note = forms.CharField(label="备注", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, worker: Worker, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approving_org"].queryset = Org.objects.visible_to(user).filter(is_active=True).order_by("path")
        self.fields["approving_org"].label_from_instance = lambda org: f"{org.name}（{org.get_kind_display()}）"
        self.initial.setdefault("to_sequence", worker.sequence)
        bootstrap(self)


class ApplicationForm(forms.Form):
    target_rank = forms.TypedChoiceField(
        label="申报职称", coerce=int, choices=[(rank.value, rank.label) for rank in BRIDGE_RANKS]
    )
    specialty = forms.CharField(label="申报专业", max_length=60, required=False, help_text="如“机械工程”“电气工程”。")
    body = forms.CharField(label="评审机构", max_length=120, help_text="如“无锡市机械工程专业中级职称评审委员会”。")
    submitted_on = _date("申报日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class DecisionForm(forms.Form):
    passed = forms.TypedChoiceField(
        label="评审结果",
        choices=[("1", "评审通过"), ("0", "未通过")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    decided_on = _date("评审结果日期", help_text="评审通过的，即为取得职称的日期。")
    specialty = forms.CharField(label="取得职称的专业", max_length=60, required=False, help_text="不填则沿用申报专业。")
    note = forms.CharField(label="评审意见", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


RANK_FILTER = [(str(rank.value), rank.label) for rank in BRIDGE_RANKS]
