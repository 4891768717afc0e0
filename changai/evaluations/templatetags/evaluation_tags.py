from django import template

from changai.evaluations.services import fmt

register = template.Library()


@register.filter
def mark(value):
    """A mark as people write it (3, 2.5), or a dash when there is none."""
    return fmt(None if value == "" else value)
