"""Forms of the worker ledger: a worker's data, a move to another enterprise, leaving."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from changai.orgs.models import Kind, Org

from . import services
from .cleaning import normalise_id_number, normalise_phone
from .models import Education, Occupation, PoliticalStatus, Sequence


def _bootstrap(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def occupation_choices():
    return Occupation.objects.filter(is_active=True).order_by("code")


def manageable_enterprises(user):
    """Enterprises whose ledger the user keeps (own enterprise, a group's members, everything for the admin)."""
    return Org.objects.visible_to(user).filter(kind=Kind.ENTERPRISE, is_active=True).order_by("path")


class WorkerForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=40)
    id_number = forms.CharField(
        label="身份证号",
        max_length=30,
        help_text="18位居民身份证号；性别和出生日期由号码自动得出。",
    )
    phone = forms.CharField(label="手机号", max_length=30, required=False, help_text="11位手机号或带区号的固定电话。")
    education = forms.ChoiceField(label="学历", choices=[("", "—")] + Education.choices, required=False)
    political_status = forms.ChoiceField(
        label="政治面貌", choices=[("", "—")] + PoliticalStatus.choices, required=False
    )
    occupation = forms.ModelChoiceField(
        label="职业（工种）", queryset=Occupation.objects.none(), required=False, empty_label="—"
    )
    frontline = forms.BooleanField(label="一线职工", required=False, initial=True)
    hired_on = forms.DateField(label="入职日期", required=False, widget=DateInput())
    sequence = forms.ChoiceField(label="岗位序列", choices=Sequence.choices, initial=Sequence.SKILLS)
    grade = forms.CharField(label="岗位等级", max_length=30, required=False, help_text="如：技能三级、T4。")

    def __init__(self, *args, worker=None, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.worker = worker
        self.fields["occupation"].queryset = occupation_choices()
        if enterprises is not None:
            self.fields["enterprise"] = forms.ModelChoiceField(
                label="所在企业", queryset=enterprises, empty_label="请选择"
            )
            self.order_fields(["enterprise"])
            if len(enterprises[:2]) == 1:
                self.fields["enterprise"].initial = enterprises[0]
        if worker is not None:
            # The stored number is never put into the page: leave blank to keep it.
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = f"现为 {worker.id_masked}；如需更正请填写完整号码，不改则留空。"
            self.fields["phone"].help_text = f"现为 {worker.phone_masked or '未登记'}；不改则留空，填“无”清除。"
        _bootstrap(self)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("请填写姓名。")
        return name

    def clean_id_number(self):
        raw = self.cleaned_data["id_number"].strip()
        if not raw and self.worker is not None:
            return None
        return normalise_id_number(raw)

    def clean_phone(self):
        raw = self.cleaned_data["phone"].strip()
        if self.worker is not None and not raw:
            return None  # keep
        if raw == "无":
            return ""
        return normalise_phone(raw)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("id_number") is None:
            data.pop("id_number", None)
        if data.get("phone") is None:
            data.pop("phone", None)
        data.pop("enterprise", None)
        return data


class MoveForm(forms.Form):
    enterprise = forms.ModelChoiceField(label="调入企业", queryset=Org.objects.none(), empty_label="请选择")
    on = forms.DateField(
        label="调入日期", widget=DateInput(), help_text="在新企业的第一个工作日；原企业的任职到前一天结束。"
    )
    occupation = forms.ModelChoiceField(
        label="新岗位职业（工种）", queryset=Occupation.objects.none(), required=False, empty_label="沿用现职业"
    )
    grade = forms.CharField(label="新岗位等级", max_length=30, required=False, help_text="不填则沿用现岗位等级。")

    def __init__(self, *args, user, worker, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = manageable_enterprises(user).exclude(pk=worker.enterprise_id)
        self.fields["occupation"].queryset = occupation_choices()
        _bootstrap(self)

    def job_fields(self) -> dict:
        fields = {}
        if self.cleaned_data.get("occupation"):
            fields["occupation"] = self.cleaned_data["occupation"]
        if self.cleaned_data.get("grade"):
            fields["grade"] = self.cleaned_data["grade"]
        return fields


class LeaveForm(forms.Form):
    on = forms.DateField(label="离职日期", widget=DateInput(), help_text="在本企业的最后一个工作日。")
    reason = forms.CharField(label="离职原因", max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = services.today()
        _bootstrap(self)
