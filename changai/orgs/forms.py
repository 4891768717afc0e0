from django import forms

from .models import ALLOWED_CHILDREN, Kind, Org
from .permissions import can_add_child
from .services import EDITABLE_FIELDS

# Everything an office edits in the form; whether an org is active follows from its closing date.
_FIELDS = [name for name in EDITABLE_FIELDS if name != "is_active"]
_ENTERPRISE_ONLY = {
    "credit_code",
    "ownership",
    "industry",
    "size",
    "headcount",
    "has_union",
    "cluster",
    "pilot_level",
}


class OrgForm(forms.ModelForm):
    class Meta:
        model = Org
        fields = _FIELDS
        widgets = {
            "opened_on": forms.DateInput(attrs={"type": "date"}),
            "closed_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        kind = kind or self.instance.kind
        if kind != Kind.ENTERPRISE:
            for name in _ENTERPRISE_ONLY:
                self.fields.pop(name)
        if kind != Kind.MEMBER_UNIT:
            self.fields.pop("unit_type")
        else:
            self.fields["unit_type"].required = True
        if kind == Kind.ENTERPRISE:
            self.fields["credit_code"].required = True
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            if isinstance(field.widget, forms.Select):
                css = "form-select"
            field.widget.attrs.setdefault("class", css)

    def clean_credit_code(self):
        value = (self.cleaned_data.get("credit_code") or "").strip().upper()
        return value or None

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip() or None


class ChildKindForm(forms.Form):
    kind = forms.ChoiceField(label="类型", widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, user, parent, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [k for k in Kind if k in ALLOWED_CHILDREN[Kind(parent.kind)] and can_add_child(user, parent, k)]
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]


class MoveForm(forms.Form):
    new_parent = forms.ModelChoiceField(
        label="新的上级", queryset=Org.objects.none(), widget=forms.Select(attrs={"class": "form-select"})
    )
    on = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))

    def __init__(self, *args, user, org, **kwargs):
        super().__init__(*args, **kwargs)
        parent_kinds = [kind for kind, children in ALLOWED_CHILDREN.items() if org.kind in children]
        self.fields["new_parent"].queryset = (
            Org.objects.visible_to(user)
            .filter(kind__in=parent_kinds, is_active=True)
            .exclude(path__startswith=org.path)
            .order_by("path")
        )
        self.fields["new_parent"].label_from_instance = lambda o: f"{'　' * (o.depth - 1)}{o.name}"
