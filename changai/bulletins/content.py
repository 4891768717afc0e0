"""What an issue says, in the order it is printed: one structure for the page preview, the .docx and the history.

Figures sections read the rolled-up figures through the dashboards' read functions (`headline` for the change
against the last period and last year, `ranking_chart` for the top child orgs); a signed issue reads the figures
frozen into its articles at sign-off instead, so it never changes afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from changai.core.periods import InvalidPeriod, Period
from changai.dashboards import services as dashboards
from changai.indicators.models import Indicator

from .models import Article, Issue

KIND_ORDER = {Article.Kind.LEAD: 0, Article.Kind.INFO: 1, Article.Kind.FIGURES: 2}
INFO_HEADING = "工作信息"
CHINESE_NUMBERS = "一二三四五六七八九十"
# Lines of a lead article's body that open a first- or second-level heading (GB/T 9704: 黑体, then 楷体).
FIRST_LEVEL = re.compile(r"^[一二三四五六七八九十]+、")
SECOND_LEVEL = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
HEADING_MAX_CHARS = 40


def chinese_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def ordinal(index: int) -> str:
    """1 → 一, 12 → 十二 (section numbers of a figures section)."""
    if index <= 10:
        return CHINESE_NUMBERS[index - 1]
    tens, ones = divmod(index, 10)
    return f"{CHINESE_NUMBERS[tens - 1] if tens > 1 else ''}十{CHINESE_NUMBERS[ones - 1] if ones else ''}"


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def heading_level(line: str) -> int:
    """2 for "一、…", 3 for "（一）…" when the line is a short heading on its own, else 0 (body text)."""
    if len(line) > HEADING_MAX_CHARS:
        return 0
    if FIRST_LEVEL.match(line):
        return 2
    if SECOND_LEVEL.match(line):
        return 3
    return 0


def ordered_articles(issue: Issue) -> list[Article]:
    articles = list(issue.articles.select_related("source_org", "item__org"))
    return sorted(articles, key=lambda a: (KIND_ORDER[a.kind], a.position, a.pk))


# ---------------------------------------------------------------------------- figures


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(dashboards.number(value), "f")


def figures_live(org, period_code: str, codes: list[str], top_n: int) -> dict:
    """Each chosen indicator at the org for the period, against the last period and last year, with the top
    child orgs: values as strings so the frozen copy keeps every digit."""
    try:
        period = Period.parse(period_code)
    except InvalidPeriod:
        return {"error": f"数据期间“{period_code}”无效。", "indicators": []}
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    indicators = [found[code] for code in codes if code in found]
    rows = []
    for change in dashboards.headline(org, period, indicators):
        top = []
        if top_n:
            ranking = dashboards.ranking_chart(change.indicator, org, period)
            top = [[rank, name, _text(value)] for rank, name, value in ranking.rows if value is not None][:top_n]
        rows.append(
            {
                "code": change.indicator.code,
                "name": change.indicator.name,
                "unit": change.indicator.unit,
                "value": _text(change.value),
                "previous": _text(change.previous),
                "last_year": _text(change.last_year),
                "delta_previous": _text(change.delta_previous),
                "pct_previous": _text(change.pct_previous),
                "delta_year": _text(change.delta_year),
                "pct_year": _text(change.pct_year),
                "top": top,
            }
        )
    return {
        "org": org.name,
        "period": period.code,
        "period_label": period.label,
        "previous_label": period.previous().label,
        "last_year_label": period.same_period_last_year().label,
        "indicators": rows,
    }


def figures_for(article: Article) -> dict:
    """The figures a section shows: frozen at sign-off, live while the issue is a draft."""
    if article.issue.is_signed and article.data:
        return article.data
    return figures_live(article.issue.series.org, article.period, list(article.indicator_codes), article.top_n)


def _grouped(value: str) -> str:
    """12345.6 → 12,345.6 for print."""
    number = Decimal(value)
    return f"{number:,f}"


def shown(value: str | None, unit: str = "") -> str:
    return "—" if value is None else f"{_grouped(value)}{unit}"


def _movement(delta: str | None, pct: str | None, unit: str, against: str) -> str:
    if delta is None:
        return f"{against}无可比数据"
    change = Decimal(delta)
    if change == 0:
        return f"与{against}持平"
    word = "增加" if change > 0 else "减少"
    if unit == "%":  # a rate moves in percentage points
        return f"比{against}{'提高' if change > 0 else '降低'}{_grouped(str(abs(change)))}个百分点"
    text = f"比{against}{word}{_grouped(str(abs(change)))}{unit}"
    if pct is not None:
        text += f"，{'增长' if change > 0 else '下降'}{_grouped(str(abs(Decimal(pct))))}%"
    return text


def summary_sentence(data: dict, row: dict) -> str:
    """One plain sentence a reader can quote: the figure and how it moved."""
    if row["value"] is None:
        return f"{data['period_label']}{data['org']}暂无已审核的{row['name']}数据。"
    unit = "" if row["unit"] == "%" else row["unit"]
    value = f"{_grouped(row['value'])}{'%' if row['unit'] == '%' else unit}"
    previous = _movement(row["delta_previous"], row["pct_previous"], unit, "上期")
    last_year = _movement(row["delta_year"], row["pct_year"], unit, "上年同期")
    return f"{data['period_label']}，{data['org']}{row['name']}{value}，{previous}；{last_year}。"


def _signed(value: str | None, unit: str) -> str:
    if value is None:
        return "—"
    number = Decimal(value)
    sign = "+" if number > 0 else "-" if number < 0 else ""
    return f"{sign}{shown(str(abs(number)), unit)}"


def _change(delta: str | None, pct: str | None, unit: str) -> str:
    if delta is not None and Decimal(delta) == 0:
        return "持平"
    if unit == "%":  # a rate moves in percentage points
        return _signed(delta, "个百分点")
    text = _signed(delta, unit)
    return text if delta is None or pct is None else f"{text}（{_signed(pct, '%')}）"


@dataclass
class IndicatorBlock:
    """One indicator of a figures section as printed: heading, sentence, change table, top child orgs."""

    heading: str
    summary: str
    change_header: list[str]
    change_row: list[str]
    top_header: list[str]
    top_rows: list[list[str]]


def indicator_blocks(data: dict) -> list[IndicatorBlock]:
    blocks = []
    for index, row in enumerate(data.get("indicators", []), start=1):
        unit = "%" if row["unit"] == "%" else row["unit"]
        blocks.append(
            IndicatorBlock(
                heading=f"{ordinal(index)}、{row['name']}（{row['unit']}）",
                summary=summary_sentence(data, row),
                change_header=["本期", "上期", "环比", "上年同期", "同比"],
                change_row=[
                    shown(row["value"], unit),
                    shown(row["previous"], unit),
                    _change(row["delta_previous"], row["pct_previous"], unit),
                    shown(row["last_year"], unit),
                    _change(row["delta_year"], row["pct_year"], unit),
                ],
                top_header=["名次", "单位", f"{row['name']}（{row['unit']}）"],
                top_rows=[[str(rank), name, shown(value)] for rank, name, value in row["top"]],
            )
        )
    return blocks


def figures_note(data: dict) -> str:
    return (
        f"统计范围：{data['org']}；本期为{data['period_label']}，上期为{data['previous_label']}，"
        f"上年同期为{data['last_year_label']}；数据来源：产改通平台汇总的已审核数据。"
    )


# ---------------------------------------------------------------------------- the whole issue


@dataclass
class Composed:
    issue: Issue
    header_body: str
    header_name: str
    number_label: str
    date_label: str
    issuing_office: str
    leads: list[Article] = field(default_factory=list)
    infos: list[Article] = field(default_factory=list)
    figures: list[tuple[Article, dict]] = field(default_factory=list)

    @property
    def figure_sections(self) -> list[tuple[Article, dict, list[IndicatorBlock]]]:
        return [(article, data, indicator_blocks(data)) for article, data in self.figures]

    @property
    def contents(self) -> list[tuple[int, str]]:
        """(level, text) lines of the contents list, generated from the articles."""
        lines = [(1, a.title) for a in self.leads]
        if self.infos:
            lines.append((1, INFO_HEADING))
            lines += [(2, a.title) for a in self.infos]
        lines += [(1, a.title) for a, _ in self.figures]
        return lines

    @property
    def report_to(self) -> str:
        return self.issue.report_to.strip()

    @property
    def copy_to(self) -> str:
        return self.issue.copy_to.strip()

    @property
    def is_empty(self) -> bool:
        return not (self.leads or self.infos or self.figures)


def compose(issue: Issue) -> Composed:
    series = issue.series
    body, name = series.header_lines
    composed = Composed(
        issue=issue,
        header_body=body,
        header_name=name,
        number_label=issue.number_label,
        date_label=chinese_date(issue.issue_date) or "（签发日期）",
        issuing_office=series.issuing_office,
    )
    for article in ordered_articles(issue):
        # (heading level, text) per paragraph, for the page preview; 0 is body text.
        article.lines = [(heading_level(text), text) for text in paragraphs(article.body)]
        if article.kind == Article.Kind.LEAD:
            composed.leads.append(article)
        elif article.kind == Article.Kind.INFO:
            article.lines = [(0, text) for text in paragraphs(article.body)]
            composed.infos.append(article)
        else:
            composed.figures.append((article, figures_for(article)))
    return composed


def info_source(article: Article) -> str:
    return f"（{article.source}）" if article.source else ""
