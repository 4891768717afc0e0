from django import forms
from django.db.models import Q

from changai.accounts.models import Membership, User
from changai.indicators.models import Pillar
from changai.orgs.models import Kind, Org
from changai.worklists.models import Plan

from .models import BrandCriterion, Finding, Meeting
from .services import DEFAULT_SAMPLE_PCT, current_quarter

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


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.username


class SpotCheckForm(forms.Form):
    period = forms.CharField(label="抽查季度", max_length=8, help_text="如 2026Q2")
    sample_pct = forms.IntegerField(label="抽取比例（%）", min_value=1, max_value=100, initial=DEFAULT_SAMPLE_PCT)
    checker = _UserChoice(label="检查人", queryset=User.objects.none())
    seed = forms.IntegerField(
        label="随机种子",
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text="留空则自动生成并记录；填写以前的种子可复核抽样结果",
    )

    def __init__(self, *args, user, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        quarter = current_quarter()
        self.fields["period"].initial = quarter if quarter.startswith(str(plan.year)) else f"{plan.year}Q1"
        # Checkers: the staff of the plan's org and the user's colleagues.
        orgs = [plan.org_id, *(m.org_id for m in user.active_memberships())]
        staff = Membership.objects.active().filter(org__in=orgs).values("user_id")
        self.fields["checker"].queryset = (
            User.objects.visible_to(user).filter(Q(pk__in=staff) | Q(pk=user.pk), is_active=True).order_by("username")
        )
        self.fields["checker"].initial = user.pk
        _style(self)


class FindingForm(forms.Form):
    item = forms.ModelChoiceField(label="抽中任务", queryset=None, empty_label=None)
    severity = forms.ChoiceField(label="严重程度", choices=Finding.Severity.choices, initial=Finding.Severity.GENERAL)
    text = forms.CharField(label="发现问题", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, spot_check, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = spot_check.items.order_by("number", "pk")
        _style(self)


class RectificationForm(forms.Form):
    task = forms.CharField(label="整改任务", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    unit = forms.ModelChoiceField(label="责任单位", queryset=None, empty_label=None)
    deadline = forms.DateField(label="整改时限", widget=forms.DateInput(attrs=_DATE))

    def __init__(self, *args, finding, user, **kwargs):
        super().__init__(*args, **kwargs)
        item = finding.item
        ids = [item.lead_unit_id, *item.supporting_units.values_list("pk", flat=True)]
        children = Org.objects.filter(path__startswith=item.plan.org.path, depth=item.plan.org.depth + 1)
        units = Org.objects.filter(Q(pk__in=ids) | Q(pk__in=children.values("pk")) | Q(pk=item.plan.org_id))
        self.fields["unit"].queryset = units.filter(is_active=True).order_by("depth", "path")
        self.fields["unit"].initial = item.lead_unit_id
        _style(self)


class CompleteForm(forms.Form):
    note = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class BrandForm(forms.Form):
    name = forms.CharField(label="品牌名称", max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class EvaluationForm(forms.Form):
    """One score field per active criterion (score_<pk>), grouped for the template."""

    date = forms.DateField(label="评价日期", widget=forms.DateInput(attrs=_DATE))
    comment = forms.CharField(label="评价意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.DecimalField(
                label=criterion.name,
                min_value=0,
                max_value=criterion.points,
                decimal_places=1,
                help_text=f"{criterion.get_group_display()} · 0–{criterion.points}分",
                widget=forms.NumberInput(attrs={"step": "0.5", "min": 0, "max": criterion.points}),
            )
        _style(self)

    def score_fields(self):
        return [(c, self[f"score_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, object]:
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}


class CriterionForm(forms.ModelForm):
    class Meta:
        model = BrandCriterion
        fields = ["group", "name", "points", "sort", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class MeetingForm(forms.Form):
    org = forms.ModelChoiceField(label="召集单位", queryset=None, empty_label=None)
    kind = forms.ChoiceField(label="会议类型", choices=Meeting.Kind.choices)
    title = forms.CharField(label="会议名称", max_length=120)
    date = forms.DateField(label="会议日期", widget=forms.DateInput(attrs=_DATE))
    attendees = forms.ModelMultipleChoiceField(
        label="参会成员单位",
        queryset=None,
        required=False,
        help_text="召集单位的成员单位和下级单位；按住Ctrl可多选",
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    minutes = forms.CharField(label="会议纪要", required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        own = [m.org for m in user.active_memberships() if m.org.kind not in (Kind.ENTERPRISE, Kind.MEMBER_UNIT)]
        self.fields["org"].queryset = Org.objects.filter(pk__in=[o.pk for o in own]).order_by("depth", "path")
        children = Q(pk__in=[])
        for org in own:
            children |= Q(path__startswith=org.path, depth=org.depth + 1)
        self.fields["attendees"].queryset = (
            Org.objects.visible_to(user).filter(children, is_active=True).exclude(kind=Kind.ENTERPRISE).order_by("path")
        )
        _style(self)


class DecisionForm(forms.Form):
    text = forms.CharField(label="议定事项", widget=forms.Textarea(attrs={"rows": 2}))
    lead_unit = forms.ModelChoiceField(label="牵头单位", queryset=None, empty_label=None)
    deadline = forms.DateField(label="完成时限", required=False, widget=forms.DateInput(attrs=_DATE))

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        attendees = meeting.attendees.values("pk")
        self.fields["lead_unit"].queryset = Org.objects.filter(Q(pk__in=attendees) | Q(pk=meeting.org_id)).order_by(
            "depth", "path"
        )
        _style(self)


class DecisionToItemForm(forms.Form):
    plan = forms.ModelChoiceField(label="转入工作计划", queryset=None, empty_label=None)
    pillar = forms.ChoiceField(label="所属板块", choices=Pillar.choices, initial=Pillar.INSTITUTIONAL)

    def __init__(self, *args, user, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = (
            Plan.objects.visible_to(user)
            .filter(org=meeting.org, year__gte=meeting.date.year)
            .select_related("org")
            .order_by("-year", "title")
        )
        _style(self)
