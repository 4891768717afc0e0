from django import forms
from django.core.exceptions import ValidationError

from changai.orgs.models import Kind, Org

from .models import PILOT_KINDS, PilotProject, PilotType, PilotUnit
from .services import PILOT_FIELDS, PROJECT_FIELDS

_DATE = {"type": "date"}


def _style(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


class PilotForm(forms.ModelForm):
    class Meta:
        model = PilotUnit
        fields = PILOT_FIELDS
        widgets = {
            "period_start": forms.DateInput(attrs=_DATE),
            "period_end": forms.DateInput(attrs=_DATE),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilot_type"].queryset = PilotType.objects.filter(is_active=True)
        self.fields["pilot_type"].empty_label = None
        _style(self)


class ApplyForm(PilotForm):
    on = forms.DateField(label="申报日期", required=False, widget=forms.DateInput(attrs=_DATE), help_text="默认为今天")

    class Meta(PilotForm.Meta):
        pass


class TransitionForm(forms.Form):
    """One form for every transition; each action's dialog shows the fields it uses."""

    action = forms.CharField(widget=forms.HiddenInput)
    on = forms.DateField(label="生效日期", required=False, widget=forms.DateInput(attrs=_DATE))
    comment = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    approval_no = forms.CharField(label="批准文号", required=False, max_length=60)
    title = forms.CharField(label="示范称号", required=False, max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        action = data["action"]
        kwargs = {"on": data.get("on")}
        if action == "withdraw":
            kwargs["reason"] = data.get("comment", "")
            return kwargs
        kwargs["comment"] = data.get("comment", "")
        if action == "approve":
            kwargs["approval_no"] = data.get("approval_no", "")
        if action == "name_demonstration":
            kwargs["title"] = data.get("title", "")
        return kwargs


class ProjectForm(forms.ModelForm):
    class Meta:
        model = PilotProject
        fields = PROJECT_FIELDS
        widgets = {
            "start_date": forms.DateInput(attrs=_DATE),
            "deadline": forms.DateInput(attrs=_DATE),
            "target": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 3}),
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class PairingForm(forms.Form):
    title = forms.CharField(label="结对名称", max_length=120)
    partners = forms.ModelMultipleChoiceField(
        label="结对单位", queryset=Org.objects.none(), required=False, help_text="按住 Ctrl 可多选"
    )
    partner_codes = forms.CharField(
        label="其他结对单位",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="不在上面列表中的单位，填写统一社会信用代码，每行一个",
    )
    pilot = forms.ModelChoiceField(label="所属试点", queryset=PilotUnit.objects.none(), required=False)
    signed_on = forms.DateField(label="签订日期", widget=forms.DateInput(attrs=_DATE))
    valid_until = forms.DateField(label="有效期至", required=False, widget=forms.DateInput(attrs=_DATE))
    content = forms.CharField(label="结对内容", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, lead_org, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.lead_org = lead_org
        nearby = lead_org.parent_org or lead_org
        self.fields["partners"].queryset = (
            Org.objects.visible_to(user)
            .filter(path__startswith=nearby.path, kind__in=PILOT_KINDS, is_active=True)
            .exclude(pk=lead_org.pk)
            .order_by("kind", "name")
        )
        self.fields["pilot"].queryset = PilotUnit.objects.visible_to(user).filter(org=lead_org)
        self.fields["pilot"].label_from_instance = lambda p: (
            f"{p.get_level_display()} {p.batch}（{p.get_status_display()}）"
        )
        _style(self)

    def clean_partner_codes(self):
        codes = [line.strip().upper() for line in self.cleaned_data["partner_codes"].splitlines() if line.strip()]
        found = {
            org.credit_code: org
            for org in Org.objects.visible_to(self.user).filter(credit_code__in=codes, kind=Kind.ENTERPRISE)
        }
        missing = [code for code in codes if code not in found]
        if missing:
            raise ValidationError(
                "在您的管辖范围内找不到这些统一社会信用代码：%(codes)s", params={"codes": "、".join(missing)}
            )
        return list(found.values())

    def clean(self):
        data = super().clean()
        picked = list(data.get("partners") or [])
        extra = [org for org in data.get("partner_codes") or [] if org not in picked]
        data["all_partners"] = picked + extra
        if not data["all_partners"] and not self.errors:
            raise ValidationError("请至少选择一家结对单位。")
        return data


class PilotTypeForm(forms.ModelForm):
    class Meta:
        model = PilotType
        fields = ["code", "name", "description", "sort", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
