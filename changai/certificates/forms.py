from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django import forms
from django.db.models import Q

from changai.orgs.models import Kind, Org
from changai.workers.models import Occupation

from . import services
from .models import Candidate, Level, Route, TitleRank

# Up to this many enterprises in scope are offered in a drop-down; beyond, the user types a name or code.
ENTERPRISE_SELECT_LIMIT = 300


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def bootstrap(form):
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


def occupations():
    return Occupation.objects.filter(is_active=True).order_by("code")


def _occupation_label(occupation: Occupation) -> str:
    return f"{occupation.code} {occupation.name}"


def level_choices(blank="请选择等级"):
    return [("", blank), *Level.choices]


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


def enterprises_in_scope(user):
    return Org.objects.visible_to(user).filter(kind=Kind.ENTERPRISE, is_active=True).order_by("path")


class EnterpriseField(forms.Field):
    """An enterprise in the user's scope: a drop-down for a few hundred, else a name or credit code typed in."""

    default_error_messages = {
        "required": "请选择企业。",
        "missing": "在您的管辖范围内没有找到企业“%(value)s”，请填写准确的全称或统一社会信用代码。",
        "ambiguous": "有多家名为“%(value)s”的企业，请改填统一社会信用代码。",
    }

    def __init__(self, *, user, **kwargs):
        self.queryset = enterprises_in_scope(user)
        self.few = self.queryset.count() <= ENTERPRISE_SELECT_LIMIT
        if self.few:
            choices = [("", "请选择企业"), *((org.pk, org.name) for org in self.queryset)]
            kwargs.setdefault("widget", forms.Select(choices=choices))
        else:
            kwargs.setdefault("help_text", "填写企业全称或18位统一社会信用代码。")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Org):
            return value.pk if self.few else value.name
        if not self.few and str(value or "").isdigit():
            org = self.queryset.filter(pk=int(value)).first()
            return org.name if org else value
        return value

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        if self.few:
            org = self.queryset.filter(pk=int(text)).first() if text.isdigit() else None
            if org is None:
                raise forms.ValidationError(self.error_messages["missing"], params={"value": text})
            return org
        code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
        found = list(self.queryset.filter(Q(credit_code=code) | Q(code=code))[:1])
        if not found:
            found = [org for org in self.queryset.filter(name=text.strip())[:2]]
        if not found:
            found = [
                org for org in self.queryset.filter(name__icontains=text.strip())[:2] if _key(org.name) == _key(text)
            ]
        if len(found) > 1:
            raise forms.ValidationError(self.error_messages["ambiguous"], params={"value": text})
        if not found:
            raise forms.ValidationError(self.error_messages["missing"], params={"value": text})
        return found[0]


# ---------------------------------------------------------------------------- certificates and titles


class CertificateForm(forms.Form):
    occupation = forms.ModelChoiceField(
        label="职业（工种）", queryset=Occupation.objects.none(), empty_label="请选择职业"
    )
    level = forms.TypedChoiceField(label="技能等级", choices=level_choices(), coerce=int)
    route = forms.ChoiceField(
        label="评价途径",
        choices=[("", "请选择评价途径"), *Route.choices],
        help_text="企业自主评价的证书须在企业的自主评价备案范围内（职业、最高等级、有效期）。",
    )
    number = forms.CharField(label="证书编号", max_length=40)
    issued_on = forms.DateField(label="发证日期", widget=_date_widget())
    expires_on = forms.DateField(
        label="有效期至", required=False, widget=_date_widget(), help_text="证书注明有效期的填写；长期有效的留空。"
    )
    issuer = forms.CharField(label="发证机构", max_length=120, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation"].queryset = occupations()
        self.fields["occupation"].label_from_instance = _occupation_label
        bootstrap(self)


class RevokeForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200, help_text="如：发证机构注销、录入错误。")
    on = forms.DateField(label="撤销日期", widget=_date_widget())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = services.today()
        bootstrap(self)


class TitleForm(forms.Form):
    rank = forms.TypedChoiceField(label="职称", choices=[("", "请选择职称"), *TitleRank.choices], coerce=int)
    specialty = forms.CharField(label="专业", max_length=60, required=False, help_text="如：机械制造、电气工程。")
    awarded_on = forms.DateField(label="取得日期", widget=_date_widget())
    issuer = forms.CharField(label="评审/认定机构", max_length=120, required=False)
    via_title_bridge = forms.BooleanField(
        label="经技能人才贯通评审取得", required=False, help_text="高技能人才通过职业发展贯通渠道评审取得的职称。"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


# ---------------------------------------------------------------------------- authorisations


class AuthorisationForm(forms.Form):
    occupation = forms.ModelChoiceField(
        label="职业（工种）", queryset=Occupation.objects.none(), empty_label="请选择职业"
    )
    max_level = forms.TypedChoiceField(label="最高可评等级", choices=level_choices(), coerce=int)
    valid_from = forms.DateField(label="有效期起", widget=_date_widget())
    valid_to = forms.DateField(label="有效期止", widget=_date_widget())
    document = forms.CharField(label="备案文号", max_length=60, required=False, help_text="人社部门备案文件的文号。")
    granted_by = forms.CharField(
        label="备案机构", max_length=120, required=False, help_text="如：江阴市人力资源和社会保障局。"
    )

    def __init__(self, *args, user, with_enterprise=True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_enterprise:
            self.fields = {"enterprise": EnterpriseField(label="企业", user=user), **self.fields}
        self.fields["occupation"].queryset = occupations()
        self.fields["occupation"].label_from_instance = _occupation_label
        bootstrap(self)

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", "有效期止不能早于有效期起。")
        return data


class EndAuthorisationForm(forms.Form):
    on = forms.DateField(label="终止日期", widget=_date_widget(), help_text="备案在该日（含）之后不再有效。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = services.today()
        bootstrap(self)


# ---------------------------------------------------------------------------- rating batches


class BatchForm(forms.Form):
    title = forms.CharField(label="批次名称", max_length=120, help_text="如：2026年第一批车工、焊工技能等级自主评价。")
    assessed_on = forms.DateField(label="评价日期", widget=_date_widget())
    pass_mark = forms.DecimalField(
        label="合格分数线",
        max_digits=5,
        decimal_places=1,
        min_value=0,
        max_value=100,
        initial=Decimal(60),
        help_text="理论和实操成绩都达到该分数的考生评为合格（可逐人改定结果）。",
    )

    def __init__(self, *args, user=None, with_enterprise=False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_enterprise:
            self.fields = {"enterprise": EnterpriseField(label="企业", user=user), **self.fields}
        bootstrap(self)


class AddCandidatesForm(forms.Form):
    occupation = forms.ModelChoiceField(
        label="职业（工种）", queryset=Occupation.objects.none(), empty_label="请选择职业"
    )
    level = forms.TypedChoiceField(label="申报等级", choices=level_choices(), coerce=int)
    workers = forms.ModelMultipleChoiceField(
        label="职工",
        queryset=None,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": "请至少勾选一名职工。"},
    )

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation"].queryset = occupations()
        self.fields["occupation"].label_from_instance = _occupation_label
        self.fields["workers"].queryset = workers
        self.fields["workers"].label_from_instance = lambda w: f"{w.name}（{w.id_masked}）"
        bootstrap(self)


RESULT_CHOICES = [("", "按成绩判定"), (Candidate.Result.PASSED, "合格"), (Candidate.Result.FAILED, "不合格")]


class ResultsForm(forms.Form):
    """One row per candidate: theory and practice scores, the result, and a certificate number if known."""

    def __init__(self, *args, batch, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for c in candidates:
            score = {"max_digits": 5, "decimal_places": 1, "min_value": 0, "max_value": 100, "required": False}
            self.fields[f"theory_{c.pk}"] = forms.DecimalField(label="理论成绩", initial=c.theory_score, **score)
            self.fields[f"practice_{c.pk}"] = forms.DecimalField(label="实操成绩", initial=c.practice_score, **score)
            # A result that merely follows the scores shows as "按成绩判定", so new scores can change it.
            derived = services.derived_result(batch, c.theory_score, c.practice_score)
            explicit = "" if c.result == derived else c.result
            self.fields[f"result_{c.pk}"] = forms.ChoiceField(
                label="结果", choices=RESULT_CHOICES, required=False, initial=explicit
            )
            self.fields[f"number_{c.pk}"] = forms.CharField(
                label="证书编号", max_length=40, required=False, initial=c.certificate_number
            )
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )

    def rows(self):
        for c in self.candidates:
            c.fields = [self[f"{name}_{c.pk}"] for name in ("theory", "practice", "result", "number")]
            yield c

    def results(self) -> dict[int, services.Result]:
        data = self.cleaned_data
        return {
            c.pk: services.Result(
                theory=data.get(f"theory_{c.pk}"),
                practice=data.get(f"practice_{c.pk}"),
                result=data.get(f"result_{c.pk}") or "",
                number=data.get(f"number_{c.pk}") or "",
            )
            for c in self.candidates
        }


class IssueForm(forms.Form):
    issued_on = forms.DateField(label="发证日期", widget=_date_widget())
    expires_on = forms.DateField(label="有效期至", required=False, widget=_date_widget(), help_text="长期有效的留空。")
    issuer = forms.CharField(label="发证机构", max_length=120, required=False, help_text="留空则为本企业名称。")
    number_prefix = forms.CharField(
        label="证书编号前缀",
        max_length=36,
        required=False,
        help_text="未录入证书编号的考生按“前缀 + 4位顺序号”编号，已用过的编号自动跳过。",
    )

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].initial = services.today()
        self.fields["number_prefix"].initial = services.default_number_prefix(batch)
        bootstrap(self)
