from __future__ import annotations

from functools import reduce
from operator import or_

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from changai.accounts.scope import scope_for
from changai.core.uploads import ATTACHMENT_TYPES_TEXT, MultipleFileField
from changai.orgs.models import Kind, Org

from . import services
from .models import Category, Demand

# Orgs a demand may be about: the enterprise, or a place (town, park, county) for a broader demand.
RAISE_KINDS = (Kind.ENTERPRISE, Kind.PARK, Kind.TOWN, Kind.COUNTY, Kind.CITY, Kind.PROVINCE)
# What services.route accepts.
ROUTE_KINDS = (Kind.MEMBER_UNIT, Kind.COUNTY, Kind.CITY, Kind.TOWN, Kind.PARK)
OFFICE_KINDS = (Kind.COUNTY, Kind.CITY, Kind.TOWN, Kind.PARK)


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


def _labelled(org: Org) -> str:
    return f"{org.name}（{org.get_kind_display()}）"


def _categories():
    return Category.objects.filter(is_active=True)


def raise_org_choices(user):
    return Org.objects.visible_to(user).filter(kind__in=RAISE_KINDS, is_active=True).order_by("path")


def route_units(user, demand: Demand):
    """Units a demand may be routed to: the offices of its county (or higher) subtree the user can see,
    and the member units (成员单位) of the joint meetings at the demand's levels and above."""
    org = demand.org
    root = services._office_root(org)
    own = Q(path__startswith=root.path, kind__in=OFFICE_KINDS) & scope_for(user).q("")
    above = [
        Q(path__startswith=org.path[:end], depth=end // Org.steplen + 1)
        for end in range(Org.steplen, len(org.path), Org.steplen)
    ]
    condition = own | (Q(kind=Kind.MEMBER_UNIT) & reduce(or_, above)) if above else own
    return Org.objects.filter(condition, is_active=True).order_by("path")


# ---------------------------------------------------------------------------- raising


class RaiseForm(forms.Form):
    org = forms.ModelChoiceField(label="涉及企业/单位", queryset=Org.objects.none())
    category = forms.ModelChoiceField(label="类别", queryset=Category.objects.none(), empty_label="请选择类别")
    title = forms.CharField(label="标题", max_length=120)
    content = forms.CharField(label="诉求内容", widget=forms.Textarea(attrs={"rows": 6}))
    raiser_name = forms.CharField(
        label="提出人姓名", max_length=40, required=False, help_text="代职工提出时可填写职工姓名；不填则记为您本人。"
    )
    contact = forms.CharField(
        label="联系方式", max_length=60, required=False, help_text="仅承办的产改办可见，用于回访，不会告知承办单位。"
    )
    files = MultipleFileField(
        label="附件", required=False, help_text=f"可多选，最多5个；{ATTACHMENT_TYPES_TEXT}，每个不超过20 MB。"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = raise_org_choices(user)
        self.fields["org"].queryset = orgs
        self.fields["org"].label_from_instance = _labelled
        self.fields["category"].queryset = _categories()
        if "org" not in self.initial:
            first_two = list(orgs[:2])
            if len(first_two) == 1:
                self.initial["org"] = first_two[0].pk
        _bootstrap(self)


class PhoneForm(forms.Form):
    """The public page a worker reaches by scanning the enterprise's QR code."""

    category = forms.ModelChoiceField(label="诉求类别", queryset=Category.objects.none(), empty_label="请选择")
    title = forms.CharField(label="一句话说明", max_length=120)
    content = forms.CharField(label="具体情况", widget=forms.Textarea(attrs={"rows": 6}))
    raiser_name = forms.CharField(label="您的姓名（选填）", max_length=40, required=False)
    anonymous = forms.BooleanField(
        label="匿名提出", required=False, help_text="匿名时承办单位和企业都看不到您的姓名，但请留下联系方式。"
    )
    contact = forms.CharField(
        label="联系方式（手机号或微信号）",
        max_length=60,
        required=False,
        help_text="仅产改办回访使用，不会告知企业和承办单位；匿名提出时必填。",
    )
    files = MultipleFileField(
        label="附件", required=False, help_text=f"可多选，最多5个；{ATTACHMENT_TYPES_TEXT}，每个不超过20 MB。"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        _bootstrap(self)


# ---------------------------------------------------------------------------- office actions


class RouteForm(forms.Form):
    lead = forms.ModelChoiceField(label="主办单位", queryset=Org.objects.none(), empty_label="请选择主办单位")
    co_units = forms.ModelMultipleChoiceField(
        label="协办单位",
        queryset=Org.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="可多选：按住 Ctrl（Mac 为 Command）点选。",
    )

    def __init__(self, *args, user, demand: Demand, **kwargs):
        super().__init__(*args, **kwargs)
        units = route_units(user, demand)
        for name in ("lead", "co_units"):
            self.fields[name].queryset = units
            self.fields[name].label_from_instance = _labelled
        _bootstrap(self)


class CallbackForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label="回访结果",
        choices=[("1", "满意"), ("0", "不满意")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(label="回访记录", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


# ---------------------------------------------------------------------------- unit actions


class ExtensionForm(forms.Form):
    until = forms.DateField(label="申请延期至", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label="延期理由", max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回原因", max_length=300, help_text="说明为什么不属于本单位职责，建议分办给哪个单位。"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class AnswerForm(forms.Form):
    text = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 4}))
    policy_basis = forms.CharField(label="政策依据", max_length=300, required=False, help_text="如文件名称和文号。")
    files = MultipleFileField(
        label="附件", required=False, help_text=f"可多选，最多5个；{ATTACHMENT_TYPES_TEXT}，每个不超过20 MB。"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class PlanForm(forms.Form):
    plan_text = forms.CharField(label="落实计划", widget=forms.Textarea(attrs={"rows": 3}))
    plan_date = forms.DateField(label="计划落实日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_plan_date(self):
        plan_date = self.cleaned_data["plan_date"]
        if plan_date < services.today():
            raise ValidationError("计划落实日期不能早于今天。")
        return plan_date


class ImplementedForm(forms.Form):
    note = forms.CharField(label="落实情况", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


# ---------------------------------------------------------------------------- raiser actions


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label="评价",
        choices=Demand.Rating.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(label="评价意见", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["code", "name", "pillar", "ack_days", "answer_days", "sort", "is_active"]
        help_texts = {
            "ack_days": "分办后多少个工作日内须签收。",
            "answer_days": "分办后多少个工作日内须答复；只对之后分办的诉求生效。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
        for name, field in self.fields.items():
            css = "form-check-input" if name == "is_active" else ("form-select" if name == "pillar" else "form-control")
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        if data.get("ack_days") and data.get("answer_days") and data["ack_days"] > data["answer_days"]:
            self.add_error("ack_days", "签收时限不能长于答复时限。")
        return data
