"""The filters of the policy list and its receipts, shared by the pages and the API."""

import django_filters
from django import forms
from django.db.models import Q

from changai.accounts.scope import scope_for

from .models import Policy, Receipt

_SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})
BOXES = [("received", "发给本单位的"), ("issued", "本辖区发布的")]


def own_units(user) -> list[int]:
    return [m.org_id for m in user.active_memberships()] if user.is_authenticated else []


class PolicyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label="搜索",
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": "标题、文号或发布单位"}),
    )
    box = django_filters.ChoiceFilter(
        choices=BOXES, method="filter_box", label="范围", empty_label="全部政策", widget=_SELECT
    )
    status = django_filters.ChoiceFilter(
        choices=Policy.Status.choices, label="状态", empty_label="全部状态", widget=_SELECT
    )
    unread = django_filters.BooleanFilter(method="filter_unread", label="本单位未读", widget=forms.HiddenInput)

    class Meta:
        model = Policy
        fields = ["q", "box", "status", "unread"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(doc_number__icontains=value) | Q(issuer__name__icontains=value)
        )

    def filter_box(self, queryset, name, value):
        user = self.request.user
        if value == "received":
            return queryset.filter(pk__in=Receipt.objects.filter(org__in=own_units(user)).values("policy_id"))
        if value == "issued":
            return queryset.filter(scope_for(user).q("issuer"))
        return queryset

    def filter_unread(self, queryset, name, value):
        if not value:
            return queryset
        unread = Receipt.objects.filter(org__in=own_units(self.request.user), read_at__isnull=True)
        return queryset.filter(pk__in=unread.values("policy_id"), status=Policy.Status.PUBLISHED)


class ReceiptFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label="搜索",
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": "单位名称或代码"}),
    )
    state = django_filters.ChoiceFilter(
        choices=[("unread", "未读"), ("read", "已读")],
        method="filter_state",
        label="阅读状态",
        empty_label="全部",
        widget=_SELECT,
    )

    class Meta:
        model = Receipt
        fields = ["q", "state"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(org__name__icontains=value) | Q(org__code__iexact=value) | Q(org__credit_code__iexact=value.upper())
        )

    def filter_state(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value == "unread")
