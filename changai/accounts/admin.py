from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import LoginEvent, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["org"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("产改通", {"fields": ("full_name", "phone", "must_change_password")}))
    list_display = ["username", "full_name", "is_active", "must_change_password", "last_login"]
    inlines = [MembershipInline]


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "kind", "ip"]
    list_filter = ["kind"]
    search_fields = ["username", "ip"]
