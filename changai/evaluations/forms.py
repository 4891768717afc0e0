from decimal import Decimal

from django import forms
from django.utils import timezone

from changai.accounts.scope import scope_for
from changai.orgs.models import Kind, Org

from .models import ScoreRule
from .permissions import ASSESSEE_KINDS, OFFICE_KINDS


def _style(form):
    for field in form.fields.values():
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class ScorecardForm(forms.Form):
    org = forms.ModelChoiceField(label="考核单位", queryset=Org.objects.none(), empty_label=None)
    year = forms.IntegerField(label="考核年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="名称", max_length=120, help_text="如：2025年度乡镇产改工作考核")
    max_points = forms.DecimalField(
        label="满分",
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="计入党建考核的分值，如乡镇3分、县级部门5分",
    )
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = office_choices(user)
        self.fields["year"].initial = timezone.localdate().year
        _style(self)


def office_choices(user):
    """Orgs the user may set up an assessment for: the offices of their own memberships (admins: divisions)."""
    if scope_for(user).everything:
        return Org.objects.filter(kind__in=[Kind.PROVINCE, Kind.CITY, Kind.COUNTY], is_active=True).order_by("path")
    own = [m.org_id for m in user.active_memberships()]
    return Org.objects.filter(pk__in=own, kind__in=OFFICE_KINDS).order_by("path")


class RuleForm(forms.Form):
    name = forms.CharField(label="考核内容", max_length=120)
    kind = forms.ChoiceField(label="计分方式", choices=ScoreRule.Kind.choices)
    points = forms.DecimalField(
        label="分值", max_digits=6, decimal_places=2, help_text="满分；逾期扣分为起评分；品牌加分为每个品牌的加分"
    )
    per_unit_deduction = forms.DecimalField(
        label="每次扣分", max_digits=6, decimal_places=2, required=False, help_text="逾期报送扣分用"
    )
    cap = forms.DecimalField(label="加分上限", max_digits=6, decimal_places=2, required=False, help_text="品牌加分用")
    description = forms.CharField(label="评分标准", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class AssesseeKindForm(forms.Form):
    kind = forms.ChoiceField(
        label="单位类型",
        choices=[(kind.value, kind.label) for kind in ASSESSEE_KINDS],
        help_text="加入辖区内该类型的全部单位；成员单位仅限本级",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class MarkForm(forms.Form):
    value = forms.CharField(label="分值", max_length=12)
    comment = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
