"""Figures about the people working in the platform, by role."""

from django.db.models import Count, Q

from changai.indicators.registry import as_of, count_in_subtrees, register

from .models import Membership
from .roles import Role


def _staff(period, role=None):
    day = as_of(period)
    memberships = Membership.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)
    return memberships.filter(role=role) if role else memberships


def _register_role(role):
    @register(
        f"staff_{role.value}", f"{role.label}人数", "人", "institutional", description=f"期末在岗的{role.label}。"
    )
    def staff_in_role(period, orgs):
        return count_in_subtrees(
            _staff(period, role), orgs, path_field="org__path", aggregate=Count("user", distinct=True)
        )


@register("staff_total", "平台工作人员数", "人", "institutional", description="期末在任何组织任职的用户数。")
def staff_total(period, orgs):
    return count_in_subtrees(_staff(period), orgs, path_field="org__path", aggregate=Count("user", distinct=True))


for _role in Role:
    _register_role(_role)
