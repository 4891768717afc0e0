from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import LineMembership, Org, ParentHistory


@admin.register(Org)
class OrgAdmin(TreeAdmin):
    form = movenodeform_factory(Org)
    list_display = ["name", "kind", "code", "credit_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code", "credit_code"]


@admin.register(LineMembership)
class LineMembershipAdmin(admin.ModelAdmin):
    list_display = ["line", "org", "parent", "valid_from", "valid_to"]
    raw_id_fields = ["line", "org", "parent"]


@admin.register(ParentHistory)
class ParentHistoryAdmin(admin.ModelAdmin):
    list_display = ["org", "parent", "valid_from", "valid_to"]
    raw_id_fields = ["org", "parent", "recorded_by"]
