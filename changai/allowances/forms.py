from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from changai.certificates.models import Level
from changai.orgs.models import Org

from . import services
from .engine import parse_month
from .models import AllowancePolicy, TalentDesignation, Tier

AMOUNT_HELP = "元/月，留空表示不发放"
TYPICAL_LEVELS = {4: "300", 5: "500", 6: "800"}
TYPICAL_TIERS = {"leading": "3000", "special": "2000", "key": "1000"}
TYPICAL_REWARDS = {4: "1000", 5: "5000"}


def _bootstrap(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _amount_field(label: str, placeholder: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=2,
        error_messages={
            "min_value": "金额不能为负数。",
            "invalid": "请输入金额（数字，最多两位小数）。",
            "max_decimal_places": "金额最多保留两位小数。",
            "max_digits": "金额过大。",
        },
        widget=forms.NumberInput(attrs={"placeholder": placeholder, "step": "0.01", "min": "0"}),
    )


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, org):
        members = getattr(org, "member_count", 0)
        return f"{org.name}（集团本部，{members}家下属企业）" if members else org.name


class PolicyForm(forms.ModelForm):
    org = OrgChoiceField(label="制定单位", queryset=Org.objects.none(), empty_label="请选择企业或集团本部")

    class Meta:
        model = AllowancePolicy
        fields = ["org", "name", "effective_from", "effective_to", "mid_month_rule", "titles_count", "notes"]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "effective_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "mid_month_rule": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "name": {"required": "请填写政策名称。"},
            "effective_from": {"required": "请填写生效日期。", "invalid": "日期格式应为 2026-01-01。"},
            "effective_to": {"invalid": "日期格式应为 2026-12-31。"},
            "org": {"required": "请选择制定单位。"},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import Count

        orgs = services.manageable_enterprises(user).annotate(member_count=Count("group_members"))
        self.fields["org"].queryset = orgs
        self.fields["org"].error_messages["invalid_choice"] = "只能为您管理的企业或集团本部制定政策。"
        if self.instance.pk:
            self.fields["org"].disabled = True
        self.level_names, self.tier_names, self.reward_names = [], [], []
        amounts = services._amounts(self.instance) if self.instance.pk else ({}, {}, {})
        for level, label in Level.choices:
            name = f"level_{level}"
            self.fields[name] = _amount_field(label, f"如 {TYPICAL_LEVELS[level]}" if level in TYPICAL_LEVELS else "")
            self.fields[name].initial = amounts[0].get(level)
            self.level_names.append(name)
        for tier, label in Tier.choices:
            name = f"tier_{tier}"
            self.fields[name] = _amount_field(label, f"如 {TYPICAL_TIERS[tier]}")
            self.fields[name].initial = amounts[1].get(tier)
            self.tier_names.append(name)
        for level, label in Level.choices:
            name = f"reward_{level}"
            self.fields[name] = _amount_field(
                f"新取得{label}", f"如 {TYPICAL_REWARDS[level]}" if level in TYPICAL_REWARDS else ""
            )
            self.fields[name].initial = amounts[2].get(level)
            self.reward_names.append(name)
        _bootstrap(self)

    def level_fields(self):
        return [self[name] for name in self.level_names]

    def tier_fields(self):
        return [self[name] for name in self.tier_names]

    def reward_fields(self):
        return [self[name] for name in self.reward_names]

    def main_fields(self):
        return [self[name] for name in self.Meta.fields]

    def amounts(self) -> tuple[dict, dict, dict]:
        data = self.cleaned_data
        levels = {level: data.get(f"level_{level}") for level in Level.values}
        tiers = {tier: data.get(f"tier_{tier}") for tier in Tier.values}
        rewards = {level: data.get(f"reward_{level}") for level in Level.values}
        return levels, tiers, rewards


class CopyPolicyForm(forms.Form):
    effective_from = forms.DateField(
        label="新版本生效日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请填写新版本的生效日期。", "invalid": "日期格式应为 2026-01-01。"},
        help_text="原政策的截止日期将自动设为前一天；金额等内容复制后可再修改。",
    )
    name = forms.CharField(label="新版本名称", max_length=80, required=False, help_text="留空则自动命名。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class RosterForm(forms.Form):
    org = OrgChoiceField(label="编制单位", queryset=Org.objects.none(), empty_label="请选择企业或集团本部")
    month = forms.CharField(
        label="月份",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"required": "请选择月份。"},
    )
    whole_group = forms.BooleanField(
        label="编制集团花名册（含全部下属企业）", required=False, help_text="仅集团本部可选；否则只编制所选企业本身。"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import Count

        self.fields["org"].queryset = services.manageable_enterprises(user).annotate(
            member_count=Count("group_members")
        )
        self.fields["org"].error_messages["invalid_choice"] = "只能为您管理的企业或集团编制花名册。"
        _bootstrap(self)

    def clean_month(self):
        month = parse_month(self.cleaned_data["month"])
        try:
            services.check_month(month)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return month


class CheckForm(forms.Form):
    month = forms.CharField(
        label="月份",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"required": "请选择月份。"},
    )
    org = forms.ModelChoiceField(
        label="范围", queryset=Org.objects.none(), required=False, empty_label="我可查看的全部企业"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from changai.orgs.models import Kind

        self.fields["org"].queryset = Org.objects.visible_to(user).filter(
            kind__in=[Kind.CITY, Kind.COUNTY, Kind.TOWN, Kind.PARK, Kind.ENTERPRISE], is_active=True
        )
        self.fields["org"].error_messages["invalid_choice"] = "请选择您可查看的地区或企业。"
        _bootstrap(self)

    def clean_month(self):
        return parse_month(self.cleaned_data["month"])


class DesignationForm(forms.ModelForm):
    id_number = forms.CharField(
        label="身份证号", max_length=30, help_text="职工须在认定单位（集团认定时含下属企业）任职。"
    )

    class Meta:
        model = TalentDesignation
        fields = ["org", "tier", "valid_from", "valid_to", "basis"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {
            "org": {"required": "请选择认定单位。", "invalid_choice": "只能在您管理的企业或集团认定人才。"},
            "tier": {"required": "请选择人才类别。"},
            "valid_from": {"required": "请填写认定起始日期。", "invalid": "日期格式应为 2026-01-01。"},
            "valid_to": {"invalid": "日期格式应为 2026-12-31。"},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"] = OrgChoiceField(
            label="认定单位", queryset=services.manageable_enterprises(user), empty_label="请选择企业或集团本部"
        )
        self.fields["org"].error_messages["invalid_choice"] = "只能在您管理的企业或集团认定人才。"
        if self.instance.pk:
            self.fields["org"].disabled = True
            self.fields["id_number"].required = False
            self.fields["id_number"].disabled = True
            self.fields["id_number"].initial = self.instance.worker.id_masked
            self.fields["id_number"].help_text = f"{self.instance.worker.name}；认定对象不能更改，如需更换请新增认定。"
        self.order_fields(["org", "id_number", "tier", "valid_from", "valid_to", "basis"])
        _bootstrap(self)

    def clean_id_number(self):
        if self.instance.pk:
            return ""
        value = self.cleaned_data["id_number"]
        try:
            worker = services.find_worker(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None
        if worker is None:
            raise ValidationError("职工台账中没有这个身份证号的职工，请先在职工台账中登记。")
        self.instance.worker = worker
        return value
