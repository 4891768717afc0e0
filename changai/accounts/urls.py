from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("profile/token/", views.regenerate_token, name="regenerate_token"),
    path("users/", views.user_list, name="user_list"),
    path("users/<int:user_pk>/", views.user_detail, name="user_detail"),
    path("orgs/<int:org_pk>/users/new/", views.user_create, name="user_create"),
    path("orgs/<int:org_pk>/members/new/", views.membership_create, name="membership_create"),
    path("memberships/<int:membership_pk>/end/", views.membership_end, name="membership_end"),
    path("audit/", views.audit_log, name="audit_log"),
    path("logins/", views.login_events, name="login_events"),
]
