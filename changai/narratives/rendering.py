"""The report's text as HTML with its figures marked: every figure on the report page, one quote on a figure's page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .models import FactProposal


def marked_document(text: str, facts: list[FactProposal]) -> SafeString:
    """Each figure a link to its page, coloured by its status."""
    parts, position = [], 0
    for fact in sorted(facts, key=lambda f: f.start):
        if fact.start < position:
            continue
        parts.append(escape(text[position : fact.start]))
        url = reverse("narratives:fact", kwargs={"fact_pk": fact.pk})
        parts.append(
            format_html(
                '<a href="{}" class="fact-mark fact-{}" id="fact-{}" title="{}">{}</a>',
                url,
                fact.status,
                fact.pk,
                f"{fact.get_status_display()}：{fact.figure}{fact.unit}",
                text[fact.start : fact.end],
            )
        )
        position = fact.end
    parts.append(escape(text[position:]))
    return mark_safe("".join(str(part) for part in parts))


def quoted_document(text: str, fact: FactProposal) -> SafeString:
    """The whole text with this figure's quote highlighted and the figure itself marked inside it."""
    start, end = fact.quote_start, fact.quote_end
    figure_start, figure_end = max(fact.start, start), min(fact.end, end)
    return mark_safe(
        escape(text[:start])
        + '<mark class="quote" id="quote">'
        + escape(text[start:figure_start])
        + '<strong class="figure">'
        + escape(text[figure_start:figure_end])
        + "</strong>"
        + escape(text[figure_end:end])
        + "</mark>"
        + escape(text[end:])
    )
