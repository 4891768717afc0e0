from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def num(value):
    """A figure with thousands separators, or a dash when there is none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal | int | float):
        return f"{value:,}"
    return value


@register.filter
def signed(value):
    if value is None:
        return "—"
    return f"+{value:,}" if value > 0 else f"{value:,}"


@register.filter
def trend_class(value):
    if value is None or value == 0:
        return "text-muted"
    return "text-success" if value > 0 else "text-danger"


@register.filter
def trend_icon(value):
    if value is None or value == 0:
        return "bi-dash"
    return "bi-arrow-up-short" if value > 0 else "bi-arrow-down-short"
