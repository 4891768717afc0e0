from django import forms

from changai.orgs.models import Kind

from .models import DataSet, Indicator


def _bootstrap(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "unit",
            "pillar",
            "aggregation",
            "numerator",
            "denominator",
            "integer_only",
            "description",
            "sort",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parts = Indicator.objects.exclude(aggregation="ratio")
        self.fields["numerator"].queryset = parts
        self.fields["denominator"].queryset = parts
        if self.instance.pk:
            self.fields["code"].disabled = True
        _bootstrap(self)

    def clean(self):
        data = super().clean()
        if data.get("aggregation") == "ratio":
            if not data.get("numerator") or not data.get("denominator"):
                raise forms.ValidationError("比率指标须指定分子指标和分母指标。")
            if data.get("unit") != "%":
                self.add_error("unit", "比率指标的单位应为 %。")
        elif data.get("numerator") or data.get("denominator"):
            raise forms.ValidationError("只有比率指标才需要分子、分母指标。")
        return data


REPORTING_KIND_CHOICES = [(k.value, k.label) for k in Kind if k not in (Kind.PROVINCE, Kind.MEMBER_UNIT)]


class DataSetForm(forms.ModelForm):
    reporting_kinds = forms.MultipleChoiceField(
        label="填报单位类型", choices=REPORTING_KIND_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    indicator_list = forms.ModelMultipleChoiceField(
        label="指标",
        queryset=Indicator.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 14}),
        help_text="按住 Ctrl（Mac 为 Command）可多选；比率指标由系统计算，不能填报。",
    )

    class Meta:
        model = DataSet
        fields = [
            "code",
            "name",
            "period_type",
            "reporting_kinds",
            "open_offset_days",
            "deadline_days",
            "change_warning_pct",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator_list"].queryset = Indicator.objects.filter(source="reported", is_active=True).exclude(
            aggregation="ratio"
        )
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["indicator_list"].initial = [i.pk for i in self.instance.ordered_indicators()]
        _bootstrap(self)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )


class ExceptionForm(forms.Form):
    until = forms.DateField(label="延期至", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))
    reason = forms.CharField(label="原因", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
