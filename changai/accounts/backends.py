from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from .roles import group_name


class MembershipBackend(ModelBackend):
    """Permissions come from the groups of the roles the user holds today, not from stale group rows."""

    def _get_group_permissions(self, user_obj):
        roles = {m.role for m in user_obj.active_memberships()}
        names = [group_name(role) for role in roles]
        return Permission.objects.filter(group__name__in=names)
