import re

from django.core.exceptions import ValidationError

_CLASSES = [re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^a-zA-Z0-9]")]


class CharacterClassValidator:
    """At least three of four character classes: lower case, upper case, digits, symbols."""

    def validate(self, password, user=None):
        if sum(bool(pattern.search(password)) for pattern in _CLASSES) < 3:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return "密码须包含小写字母、大写字母、数字、符号中的至少三类。"
