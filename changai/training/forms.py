from __future__ import annotations

import re
from decimal import Decimal

from django import forms

from changai.orgs.models import Kind, Org
from changai.workers.models import Occupation, Worker
from changai.workers.services import find_worker_by_id_number

from .models import Course, EducationUpgrade, TrainingClass

ORGANISER_KINDS = (Kind.PROVINCE, Kind.CITY, Kind.COUNTY, Kind.TOWN, Kind.PARK, Kind.ENTERPRISE, Kind.INDUSTRY_LINE)
DATE_INPUT = {"type": "date"}
ID_LIKE = re.compile(r"^[0-9０-９]{6,}[0-9０-９xXｘＸ]?$")
PICKER_LIMIT = 20


def bootstrap(form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _date(label, **kwargs):
    return forms.DateField(label=label, widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"), **kwargs)


def labelled(org: Org) -> str:
    return f"{org.name}（{org.get_kind_display()}）"


def organiser_choices(user):
    return Org.objects.visible_to(user).filter(kind__in=ORGANISER_KINDS, is_active=True).order_by("path")


def _default_organiser(form, orgs) -> None:
    if form.instance.pk is None and "organiser" not in form.initial:
        first_two = list(orgs[:2])
        if first_two:
            form.initial["organiser"] = first_two[0].pk


def search_workers(user, text: str, *, enterprise=None):
    """Workers of enterprises in the user's scope matching a name, or exactly an identity number."""
    workers = Worker.objects.visible_to(user).filter(enterprise__isnull=False).select_related("enterprise")
    if enterprise is not None:
        workers = workers.filter(enterprise=enterprise)
    text = (text or "").strip()
    if not text:
        return workers.none()
    if ID_LIKE.match(text):
        found = find_worker_by_id_number(text)
        return workers.filter(pk=found.pk) if found else workers.none()
    return workers.filter(name__icontains=text)


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["title", "organiser", "mode", "hours", "occupation", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organiser_choices(user)
        self.fields["organiser"].queryset = orgs
        self.fields["organiser"].label_from_instance = labelled
        self.fields["occupation"].queryset = Occupation.objects.filter(is_active=True)
        self.fields["occupation"].empty_label = "不限职业（通用课程）"
        _default_organiser(self, orgs)
        bootstrap(self)


class ClassForm(forms.ModelForm):
    required_hours = forms.DecimalField(
        label="结业学时",
        max_digits=6,
        decimal_places=1,
        min_value=Decimal("0.5"),
        required=False,
        help_text="学员实际参训学时达到此数才能结业；不填则等于课程学时。",
    )

    class Meta:
        model = TrainingClass
        fields = ["course", "organiser", "title", "starts_on", "ends_on", "place", "capacity", "required_hours", "note"]
        widgets = {
            "starts_on": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        courses = Course.objects.visible_to(user).select_related("organiser")
        if self.instance.pk:
            courses = courses.filter(pk=self.instance.course_id) | courses.filter(is_active=True)
            self.fields["course"].disabled = True
        else:
            courses = courses.filter(is_active=True)
        self.fields["course"].queryset = courses.order_by("title")
        self.fields["course"].label_from_instance = lambda c: f"{c.title}（{c.organiser.name}，{c.hours}学时）"
        orgs = organiser_choices(user)
        self.fields["organiser"].queryset = orgs
        self.fields["organiser"].label_from_instance = labelled
        _default_organiser(self, orgs)
        bootstrap(self)

    def clean(self):
        data = super().clean()
        if data.get("required_hours") is None and data.get("course"):
            data["required_hours"] = data["course"].hours
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "结业日期不能早于开班日期。")
        return data


class SessionForm(forms.Form):
    held_on = _date("上课日期")
    hours = forms.DecimalField(label="学时", max_digits=4, decimal_places=1, min_value=Decimal("0.5"))
    topic = forms.CharField(label="内容", max_length=120, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class CompleteForm(forms.Form):
    completed_on = _date("结业日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class UpgradeForm(forms.ModelForm):
    class Meta:
        model = EducationUpgrade
        fields = ["school", "programme", "level", "started_on", "expected_on", "note"]
        widgets = {
            "started_on": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "expected_on": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class EndStudyForm(forms.Form):
    on = _date("日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label="金额（元）", max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    paid_on = _date("发放日期")
    payer = forms.ModelChoiceField(label="发放单位", queryset=Org.objects.none())
    note = forms.CharField(label="说明", max_length=200, required=False, help_text="如“2025年春季学期助学金”。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organiser_choices(user)
        self.fields["payer"].queryset = orgs
        self.fields["payer"].label_from_instance = labelled
        first = orgs.first()
        if first and "payer" not in self.initial:
            self.initial["payer"] = first.pk
        bootstrap(self)
