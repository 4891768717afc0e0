from django import forms
from django.core.exceptions import ValidationError

from .models import Suggestion, SuggestionCategory
from .services import PHONE_RE


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


class SuggestionForm(forms.Form):
    title = forms.CharField(label="建议标题", max_length=120)
    category = forms.ModelChoiceField(label="类别", queryset=SuggestionCategory.objects.none(), empty_label=None)
    content = forms.CharField(label="建议内容", widget=forms.Textarea(attrs={"rows": 6}))
    contact_name = forms.CharField(label="提出人姓名", max_length=40, required=False)
    contact_phone = forms.CharField(
        label="提出人电话",
        max_length=20,
        required=False,
        help_text="选填；姓名和电话只有处理建议的工会和产改办能看到。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = SuggestionCategory.objects.filter(is_active=True)
        _style(self)

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"].strip()
        if phone and not PHONE_RE.match(phone):
            raise ValidationError("请填写正确的手机号或电话号码。")
        return phone


class PublicSuggestionForm(SuggestionForm):
    """The phone page: the same fields, worded for the worker."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_name"].label = "您的姓名（选填）"
        self.fields["contact_phone"].label = "联系电话（选填）"
        self.fields["contact_phone"].help_text = "只有处理建议的工会和产改办能看到，便于反馈采纳情况和发放奖励。"
        self.fields["contact_phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["content"].widget.attrs["placeholder"] = "写下您对企业产改工作的想法、建议或金点子"


class ReviewForm(forms.Form):
    """One form for every review step; each step's dialog shows the fields it uses."""

    action = forms.ChoiceField(choices=[(a, a) for a in ("adopt", "decline", "reward", "implementation")])
    reward = forms.DecimalField(label="奖励金额（元）", required=False, max_digits=12, decimal_places=2)
    reason = forms.CharField(label="不予采纳理由", required=False)
    comment = forms.CharField(label="说明", required=False)
    implementation = forms.ChoiceField(label="实施情况", required=False, choices=Suggestion.Implementation.choices)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        action = data["action"]
        if action == "adopt":
            return {"reward": data.get("reward"), "comment": data.get("comment", "")}
        if action == "decline":
            return {"reason": data.get("reason", "")}
        if action == "reward":
            return {"amount": data.get("reward")}
        return {"status": data.get("implementation", ""), "comment": data.get("comment", "")}


class CategoryForm(forms.ModelForm):
    class Meta:
        model = SuggestionCategory
        fields = ["code", "name", "sort", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
