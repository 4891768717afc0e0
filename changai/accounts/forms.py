from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .roles import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续失败5次账号将被锁定15分钟。",
        "inactive": "该账号已停用。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"class": "form-control", "autofocus": True})
        self.fields["password"].widget.attrs.update({"class": "form-control"})


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput(attrs={"class": "form-control"}))
    new_password1 = forms.CharField(label="新密码", widget=forms.PasswordInput(attrs={"class": "form-control"}))
    new_password2 = forms.CharField(label="确认新密码", widget=forms.PasswordInput(attrs={"class": "form-control"}))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        if not self.user.check_password(self.cleaned_data["old_password"]):
            raise forms.ValidationError("原密码不正确。")
        return self.cleaned_data["old_password"]

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        if data.get("new_password1") and data.get("new_password1") == data.get("old_password"):
            self.add_error("new_password1", "新密码不能与原密码相同。")
        return data


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label="用户名",
        max_length=150,
        regex=r"^[A-Za-z0-9_.@+-]+$",
        error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ + -。"},
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    full_name = forms.CharField(label="姓名", max_length=40, widget=forms.TextInput(attrs={"class": "form-control"}))
    phone = forms.RegexField(
        label="手机号",
        regex=r"^1\d{10}$",
        required=False,
        error_messages={"invalid": "请输入11位手机号。"},
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    role = forms.ChoiceField(label="角色", choices=Role.choices, widget=forms.Select(attrs={"class": "form-select"}))
    title = forms.CharField(
        label="职务", max_length=40, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    password = forms.CharField(
        label="初始密码",
        help_text="至少8位，包含大小写字母、数字、符号中的三类；用户首次登录须修改。",
        widget=forms.PasswordInput(attrs={"class": "form-control"}),
    )


class MembershipForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, widget=forms.TextInput(attrs={"class": "form-control"}))
    role = UserCreateForm.base_fields["role"]
    title = UserCreateForm.base_fields["title"]
