from __future__ import annotations

from django import forms
from django.utils import timezone

from changai.core.periods import HALF_YEAR, MONTH, QUARTER, YEAR, InvalidPeriod, Period
from changai.core.uploads import ATTACHMENT_TYPES_TEXT, MultipleFileField
from changai.dashboards import services as dashboards
from changai.indicators.models import Indicator, Pillar
from changai.orgs.models import Org

from . import permissions, services
from .models import OWNER_KINDS, Issue, Item, Series, office_org_ids

PERIOD_GROUPS = [(QUARTER, "季度", 8), (MONTH, "月度", 12), (HALF_YEAR, "半年", 4), (YEAR, "年度", 3)]


def _bootstrap(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def owner_orgs(user):
    """Orgs the user may set up a series for: its own province/city/county offices."""
    offices = office_org_ids(user)
    orgs = Org.objects.filter(kind__in=OWNER_KINDS, is_active=True)
    return orgs.order_by("path") if offices is None else orgs.filter(pk__in=offices).order_by("path")


def managed_series(user):
    offices = office_org_ids(user)
    series = Series.objects.filter(is_active=True).select_related("org")
    return series if offices is None else series.filter(org__in=offices)


class BootstrapForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


# ---------------------------------------------------------------------------- series


class SeriesForm(forms.ModelForm):
    class Meta:
        model = Series
        fields = [
            "org",
            "name",
            "header",
            "issuing_office",
            "report_to",
            "copy_to",
            "start_year",
            "issued_in_start_year",
            "issued_before",
            "accepts_items",
            "is_active",
        ]
        widgets = {"report_to": forms.Textarea(attrs={"rows": 2}), "copy_to": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["org"]
            if self.instance.issues.filter(status=Issue.Status.SIGNED).exists():
                for name in services.NUMBERING_FIELDS:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "已有签发的专报，编号起点不能再改。"
        else:
            self.fields["org"].queryset = owner_orgs(user)
            self.fields["org"].label = "编发单位"
            self.fields["org"].empty_label = None
            del self.fields["is_active"]  # a new series starts active
            self.initial.setdefault("start_year", timezone.localdate().year)
        _bootstrap(self)


# ---------------------------------------------------------------------------- issues


class IssueCreateForm(BootstrapForm):
    series = forms.ModelChoiceField(label="专报系列", queryset=Series.objects.none(), empty_label=None)
    title = forms.CharField(label="本期主题", max_length=120, required=False, help_text="不填则用头条文章标题。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = managed_series(user)


class IssueForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = ["title", "issue_date", "report_to", "copy_to"]
        widgets = {
            "issue_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "report_to": forms.Textarea(attrs={"rows": 2}),
            "copy_to": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"report_to": "报（报送）", "copy_to": "送（抄送）"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class LeadForm(BootstrapForm):
    title = forms.CharField(label="标题", max_length=120)
    author = forms.CharField(
        label="署名", max_length=60, required=False, help_text="标题下显示为“——江阴市总工会”，不填则不显示。"
    )
    body = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="每段一行。单独一行的“一、……”排为黑体一级标题，“（一）……”排为楷体二级标题。",
    )


class InfoForm(BootstrapForm):
    title = forms.CharField(label="标题", max_length=120)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 8}), help_text="每段一行。")
    source = forms.CharField(label="信息来源", max_length=60, help_text="刊发时显示在末尾括号中，如“高邮市总工会”。")


def period_choices(current: str = "") -> list:
    groups = []
    for period_type, label, count in PERIOD_GROUPS:
        groups.append((label, [(p.code, p.label) for p in dashboards.recent_periods(period_type, count)]))
    known = {code for _, options in groups for code, _ in options}
    if current and current not in known:
        try:
            groups.insert(0, ("当前选择", [(current, Period.parse(current).label)]))
        except InvalidPeriod:
            pass
    return groups


def indicator_choices() -> list:
    pillars = dict(Pillar.choices)
    groups: dict[str, list] = {}
    for indicator in Indicator.objects.filter(is_active=True).order_by("pillar", "sort", "code"):
        groups.setdefault(indicator.pillar, []).append((indicator.code, f"{indicator.name}（{indicator.unit}）"))
    return [(pillars.get(pillar, pillar), options) for pillar, options in groups.items()]


class FiguresForm(BootstrapForm):
    title = forms.CharField(label="栏目标题", max_length=120, initial="主要数据")
    period = forms.ChoiceField(label="数据期间", help_text="与上期、上年同期比较。")
    indicator_codes = forms.MultipleChoiceField(
        label="指标",
        widget=forms.CheckboxSelectMultiple,
        help_text=f"最多{services.MAX_INDICATORS}个；每个指标一张表，含环比、同比和下级单位排名。",
    )
    top_n = forms.IntegerField(
        label="列出下级单位前几名",
        min_value=0,
        max_value=services.MAX_TOP,
        initial=5,
        help_text="填0则不列排名。",
    )

    def __init__(self, *args, org: Org, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.initial.get("period") or self.data.get("period", "")
        if not current:
            current = dashboards.default_period(org).code
            self.initial["period"] = current
        self.fields["period"].choices = period_choices(current)
        self.fields["indicator_codes"].choices = indicator_choices()

    def indicator_groups(self):
        """The indicator checkboxes grouped by pillar, for the template."""
        boxes = {box.data["value"]: box for box in self["indicator_codes"]}
        return [(label, [boxes[code] for code, _ in options]) for label, options in indicator_choices()]


ARTICLE_FORMS = {"lead": LeadForm, "info": InfoForm, "figures": FiguresForm}


class ReturnForm(BootstrapForm):
    note = forms.CharField(label="退回意见", max_length=300, required=False)


class SignForm(BootstrapForm):
    issue_date = forms.DateField(
        label="印发日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="不填为今天；期号按印发日期所在年度编排。",
    )


# ---------------------------------------------------------------------------- items


class ItemForm(BootstrapForm):
    org = forms.ModelChoiceField(label="投稿单位", queryset=Org.objects.none(), empty_label=None)
    series = forms.ModelChoiceField(label="投往专报", queryset=Series.objects.none(), empty_label="请选择")
    title = forms.CharField(label="标题", max_length=120)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 8}), help_text="每段一行。")
    source = forms.CharField(
        label="署名", max_length=60, required=False, help_text="刊发时显示在末尾括号中；不填则为“本单位总工会”。"
    )
    files = MultipleFileField(
        label="附件", required=False, help_text=f"可多选，最多5个；{ATTACHMENT_TYPES_TEXT}，每个不超过20 MB。"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Org.objects.filter(pk__in=permissions.own_org_ids(user)).order_by("path")
        series = Series.objects.open_to(user).select_related("org")
        self.fields["org"].queryset = orgs
        self.fields["series"].queryset = series
        self.fields["series"].label_from_instance = lambda s: f"{s.name}（{s.issuing_office}）"
        if len(orgs) == 1:
            self.fields["org"].widget = forms.HiddenInput()
            self.initial.setdefault("org", orgs[0].pk)
        if len(series) == 1:
            self.initial.setdefault("series", series[0].pk)


class ItemEditForm(BootstrapForm):
    title = forms.CharField(label="标题", max_length=120)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 8}))
    source = forms.CharField(label="署名", max_length=60, required=False)
    files = MultipleFileField(label="追加附件", required=False, help_text=f"{ATTACHMENT_TYPES_TEXT}，每个不超过20 MB。")


class AcceptForm(BootstrapForm):
    issue = forms.ModelChoiceField(
        label="编入", queryset=Issue.objects.none(), required=False, empty_label="新建一期草稿"
    )
    title = forms.CharField(label="标题", max_length=120)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 8}), help_text="可在采用前修改。")
    source = forms.CharField(label="信息来源", max_length=60)

    def __init__(self, *args, item: Item, **kwargs):
        super().__init__(*args, **kwargs)
        drafts = item.series.issues.exclude(status=Issue.Status.SIGNED).order_by("-created_at")
        self.fields["issue"].queryset = drafts
        self.fields["issue"].label_from_instance = lambda i: f"{i.get_status_display()}：{i.display_title}"
        self.initial.setdefault("title", item.title)
        self.initial.setdefault("body", item.body)
        self.initial.setdefault("source", item.source)
        first = drafts.first()
        if first is not None:
            self.initial.setdefault("issue", first.pk)


class DeclineForm(BootstrapForm):
    reason = forms.CharField(label="未采用原因", max_length=300, help_text="投稿单位会看到。")
