from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from changai.core.uploads import ATTACHMENT_TYPES_TEXT, MultipleFileField
from changai.orgs.models import Kind, Org

from .models import ISSUER_KINDS, TARGET_KINDS, Policy

_DATE = {"type": "date"}


def _style(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


def issuer_choices(user):
    """The orgs the user drafts for: the user's own offices, and the member units and industry lines beside them."""
    own = [m.org for m in user.active_memberships() if m.org.kind in ISSUER_KINDS]
    beside = Q(pk__in=[org.pk for org in own])
    for org in own:
        if org.kind not in (Kind.MEMBER_UNIT, Kind.INDUSTRY_LINE):
            beside |= Q(path__startswith=org.path, depth=org.depth + 1, kind__in=[Kind.MEMBER_UNIT, Kind.INDUSTRY_LINE])
    return Org.objects.visible_to(user).filter(beside, is_active=True).order_by("depth", "path")


class PolicyForm(forms.Form):
    issuer = forms.ModelChoiceField(label="发布单位", queryset=Org.objects.none(), empty_label=None)
    title = forms.CharField(label="标题", max_length=200)
    doc_number = forms.CharField(label="文号", max_length=60, required=False, help_text="如“苏产改办〔2025〕5号”")
    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs=_DATE))
    effective_to = forms.DateField(
        label="有效期至", required=False, widget=forms.DateInput(attrs=_DATE), help_text="长期有效的留空"
    )
    body = forms.CharField(label="政策内容", widget=forms.Textarea(attrs={"rows": 8}))
    target_kinds = forms.MultipleChoiceField(
        label="发送层级",
        required=False,
        choices=[(kind.value, kind.label) for kind in TARGET_KINDS],
        widget=forms.CheckboxSelectMultiple,
        help_text="发送给发布单位管辖范围内所选层级的全部单位，如全部乡镇、全部企业。",
    )
    pilots_only = forms.BooleanField(
        label="仅限试点单位",
        required=False,
        help_text="勾选后只发给所选层级中的产改试点单位；不选层级时发给管辖范围内的全部试点单位。",
    )
    listed = forms.CharField(
        label="指定单位",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="另外指定的接收单位，填写统一社会信用代码、区划代码或单位全称，每行一个。",
    )
    attachments = MultipleFileField(
        label="附件", required=False, help_text=f"可多选；{ATTACHMENT_TYPES_TEXT}，每个不超过20 MB。"
    )

    def __init__(self, *args, user, policy: Policy | None = None, **kwargs):
        if policy is not None:
            kwargs.setdefault("initial", initial_for(policy))
        super().__init__(*args, **kwargs)
        self.user = user
        choices = issuer_choices(user)
        if policy is not None:
            choices = choices | Org.objects.filter(pk=policy.issuer_id)
            self.fields["attachments"].label = "追加附件"
        self.fields["issuer"].queryset = choices
        _style(self)

    def clean_listed(self):
        references = [line.strip() for line in self.cleaned_data["listed"].splitlines() if line.strip()]
        if not references:
            return []
        visible = Org.objects.visible_to(self.user).filter(is_active=True)
        upper = [ref.upper() for ref in references]
        found = visible.filter(Q(credit_code__in=upper) | Q(code__in=references) | Q(name__in=references))
        by_reference = {}
        for org in found:
            for key in (org.credit_code, org.code, org.name):
                if key:
                    by_reference.setdefault(key, org)
        missing = [ref for ref in references if ref not in by_reference and ref.upper() not in by_reference]
        if missing:
            raise ValidationError(
                "在您的管辖范围内找不到这些单位：%(refs)s", params={"refs": "、".join(missing)}, code="unknown"
            )
        orgs = {}
        for ref in references:
            org = by_reference.get(ref) or by_reference[ref.upper()]
            orgs[org.pk] = org
        return list(orgs.values())

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("target_kinds") and not data.get("pilots_only") and not data.get("listed"):
            raise ValidationError("请选择发送层级、勾选“仅限试点单位”或指定接收单位。")
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["listed_orgs"] = data.pop("listed")
        data.pop("attachments")
        return data


def initial_for(policy: Policy) -> dict:
    listed = policy.listed_orgs.all()
    return {
        "issuer": policy.issuer_id,
        "title": policy.title,
        "doc_number": policy.doc_number,
        "effective_from": policy.effective_from,
        "effective_to": policy.effective_to,
        "body": policy.body,
        "target_kinds": policy.target_kinds,
        "pilots_only": policy.pilots_only,
        "listed": "\n".join(org.credit_code or org.code or org.name for org in listed),
    }
