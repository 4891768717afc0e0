"""{% provenance value %}: where a data value came from, linked to the quote when it was read from a report."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from changai.narratives.services import PROVENANCE_PREFIX

register = template.Library()


@register.simple_tag
def provenance(value):
    text = getattr(value, "provenance", "") or ""
    if not text:
        return ""
    if text.startswith(PROVENANCE_PREFIX):
        url = reverse("narratives:value_source", kwargs={"datavalue_pk": value.pk})
        link = '<div class="small text-muted provenance">来源：<a href="{}" class="provenance-link">{}</a></div>'
        return format_html(link, url, text)
    return format_html('<div class="small text-muted provenance">来源：{}</div>', text)
