"""Bulletins: series, issues drafted from articles and submitted items, review, numbered sign-off, history."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from changai.accounts.models import Membership
from changai.core.models import Notification
from changai.core.periods import InvalidPeriod, Period
from changai.core.uploads import check_attachment
from changai.indicators.models import Indicator
from changai.orgs.models import Org

from . import content, permissions
from .models import OFFICE_ROLES, Article, Issue, IssueVersion, Item, ItemEvent, ItemFile, Series

Status = Issue.Status
MAX_FILES = 5
MAX_INDICATORS = 8
MAX_TOP = 10
SERIES_FIELDS = (
    "name",
    "header",
    "issuing_office",
    "report_to",
    "copy_to",
    "start_year",
    "issued_in_start_year",
    "issued_before",
    "accepts_items",
    "is_active",
)
NUMBERING_FIELDS = ("start_year", "issued_in_start_year", "issued_before")
ISSUE_FIELDS = ("title", "issue_date", "report_to", "copy_to")
ARTICLE_FIELDS = {
    Article.Kind.LEAD: ("title", "author", "body"),
    Article.Kind.INFO: ("title", "body", "source"),
    Article.Kind.FIGURES: ("title", "period", "indicator_codes", "top_n"),
}
FROZEN = "本期专报已签发，内容已冻结，不能再修改。"


def today() -> date:
    """The day sign-offs are dated on (one place, so tests can move it)."""
    return timezone.localdate()


# ---------------------------------------------------------------------------- series


def _clean_series(fields: dict) -> dict:
    cleaned = {key: fields[key] for key in SERIES_FIELDS if key in fields}
    for key in ("name", "header", "issuing_office"):
        if key in cleaned:
            cleaned[key] = (cleaned[key] or "").strip()
            if not cleaned[key]:
                raise ValidationError({key: "此项不能为空。"})
    if "header" in cleaned and not cleaned["header"].rpartition(" ")[2]:
        raise ValidationError({"header": "请填写红头名称。"})
    return cleaned


@transaction.atomic
def create_series(user, org: Org, **fields) -> Series:
    if not permissions.can_create_series_for(user, org):
        raise PermissionDenied("只有本级产改办可以为本单位设立专报系列。")
    cleaned = _clean_series(fields)
    cleaned.setdefault("start_year", today().year)
    return Series.objects.create(org=org, **cleaned)


@transaction.atomic
def update_series(user, series: Series, **fields) -> Series:
    if not (user.has_perm("bulletins.change_series") and permissions.is_owner_office(user, series)):
        raise PermissionDenied("只有编发单位的产改办可以修改专报系列。")
    series = Series.objects.select_for_update().get(pk=series.pk)
    cleaned = _clean_series(fields)
    changed = [key for key in NUMBERING_FIELDS if key in cleaned and cleaned[key] != getattr(series, key)]
    if changed and series.issues.filter(status=Status.SIGNED).exists():
        raise ValidationError({changed[0]: "已有签发的专报，编号起点不能再改。"})
    for key, value in cleaned.items():
        setattr(series, key, value)
    series.save()
    return series


# ---------------------------------------------------------------------------- issues


def _locked(user, issue: Issue) -> Issue:
    """The issue's row, locked for this transaction, if the user may still change it."""
    if not permissions.can_manage(user, issue.series):
        raise PermissionDenied("只有编发单位的产改办可以编辑本期专报。")
    locked = Issue.objects.select_for_update().get(pk=issue.pk)
    if locked.is_signed:
        raise ValidationError(FROZEN)
    return locked


@transaction.atomic
def create_issue(user, series: Series, *, title: str = "", issue_date: date | None = None) -> Issue:
    """A new draft, with the series' default distribution lines."""
    if not (user.has_perm("bulletins.add_issue") and permissions.can_manage(user, series)):
        raise PermissionDenied("只有编发单位的产改办可以编辑专报。")
    if not series.is_active:
        raise ValidationError("该专报系列已停用。")
    issue = Issue.objects.create(
        series=series,
        title=(title or "").strip()[:120],
        issue_date=issue_date,
        report_to=series.report_to,
        copy_to=series.copy_to,
        created_by=user,
    )
    _record(issue, user, "新建草稿")
    return issue


@transaction.atomic
def update_issue(user, issue: Issue, **fields) -> Issue:
    issue = _locked(user, issue)
    for key in ISSUE_FIELDS:
        if key in fields:
            value = fields[key]
            setattr(issue, key, value.strip() if isinstance(value, str) else value)
    issue.save()
    _record(issue, user, "修改刊头与报送")
    return issue


def _clean_article(kind: str, fields: dict) -> dict:
    if kind not in ARTICLE_FIELDS:
        raise ValidationError("未知的文章类型。")
    cleaned = {}
    for key in ARTICLE_FIELDS[kind]:
        value = fields.get(key)
        cleaned[key] = value.strip() if isinstance(value, str) else value
    if not cleaned.get("title"):
        raise ValidationError({"title": "请填写标题。"})
    if kind in (Article.Kind.LEAD, Article.Kind.INFO) and not cleaned.get("body"):
        raise ValidationError({"body": "请填写正文。"})
    if kind == Article.Kind.INFO and not cleaned.get("source"):
        raise ValidationError({"source": "请填写信息来源，刊发时显示在末尾括号中。"})
    if kind == Article.Kind.FIGURES:
        cleaned.update(_clean_figures(cleaned))
    return cleaned


def _clean_figures(fields: dict) -> dict:
    try:
        period = Period.parse(fields.get("period") or "")
    except InvalidPeriod:
        raise ValidationError({"period": "请选择数据期间。"}) from None
    codes = list(dict.fromkeys(fields.get("indicator_codes") or []))
    if not codes:
        raise ValidationError({"indicator_codes": "请至少选择一个指标。"})
    if len(codes) > MAX_INDICATORS:
        raise ValidationError({"indicator_codes": f"一个数据专栏最多{MAX_INDICATORS}个指标。"})
    known = set(Indicator.objects.filter(code__in=codes, is_active=True).values_list("code", flat=True))
    if unknown := [code for code in codes if code not in known]:
        raise ValidationError({"indicator_codes": f"指标不存在或已停用：{'、'.join(unknown)}"})
    top_n = fields.get("top_n")
    top_n = 5 if top_n is None else int(top_n)
    if not 0 <= top_n <= MAX_TOP:
        raise ValidationError({"top_n": f"下级单位排名可列0～{MAX_TOP}名。"})
    return {"period": period.code, "indicator_codes": codes, "top_n": top_n}


def _next_position(issue: Issue) -> int:
    return (issue.articles.aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def add_article(user, issue: Issue, kind: str, source_org: Org | None = None, **fields) -> Article:
    issue = _locked(user, issue)
    cleaned = _clean_article(kind, fields)
    article = Article.objects.create(
        issue=issue, kind=kind, position=_next_position(issue), source_org=source_org, **cleaned
    )
    _record(issue, user, f"新增{article.get_kind_display()}：{article.title}")
    return article


@transaction.atomic
def update_article(user, article: Article, **fields) -> Article:
    issue = _locked(user, article.issue)
    merged = {key: getattr(article, key) for key in ARTICLE_FIELDS[article.kind]}
    merged.update({key: value for key, value in fields.items() if key in merged})
    cleaned = _clean_article(article.kind, merged)
    for key, value in cleaned.items():
        setattr(article, key, value)
    article.save()
    _record(issue, user, f"修改{article.get_kind_display()}：{article.title}")
    return article


@transaction.atomic
def remove_article(user, article: Article) -> None:
    """Take an article out of a draft; an item taken out waits for the office's decision again."""
    issue = _locked(user, article.issue)
    item = article.item
    title, kind = article.title, article.get_kind_display()
    article.delete()
    if item is not None:
        item.status, item.decided_by, item.decided_at = Item.Status.SUBMITTED, None, None
        item.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        _item_event(item, "已从专报草稿中移出，重新待处理", user)
    _record(issue, user, f"删除{kind}：{title}")


@transaction.atomic
def move_article(user, article: Article, step: int) -> Article:
    """Swap with the previous (step -1) or next (+1) article of the same kind."""
    issue = _locked(user, article.issue)
    siblings = list(issue.articles.filter(kind=article.kind).order_by("position", "pk"))
    index = next(i for i, a in enumerate(siblings) if a.pk == article.pk)
    other = index + (1 if step > 0 else -1)
    if not 0 <= other < len(siblings):
        return article
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        Article.objects.filter(pk=sibling.pk).update(position=position)
    _record(issue, user, f"调整顺序：{article.title}")
    article.refresh_from_db()
    return article


@transaction.atomic
def submit_for_review(user, issue: Issue) -> Issue:
    issue = _locked(user, issue)
    if issue.status != Status.DRAFT:
        raise ValidationError("只有草稿可以提交审核。")
    if not issue.articles.exists():
        raise ValidationError("本期还没有内容，请先添加文章、工作信息或数据专栏。")
    issue.status, issue.review_note = Status.REVIEW, ""
    issue.save(update_fields=["status", "review_note", "updated_at"])
    _record(issue, user, "提交审核")
    return issue


@transaction.atomic
def return_to_draft(user, issue: Issue, note: str = "") -> Issue:
    issue = _locked(user, issue)
    if issue.status != Status.REVIEW:
        raise ValidationError("只有待签发的专报可以退回修改。")
    issue.status, issue.review_note = Status.DRAFT, (note or "").strip()[:300]
    issue.save(update_fields=["status", "review_note", "updated_at"])
    _record(issue, user, "退回修改" + (f"：{issue.review_note}" if issue.review_note else ""))
    return issue


def sign_off(user, issue: Issue, on: date | None = None) -> Issue:
    """Number the issue (per year and overall), freeze its figures, store its .docx: it never changes again.

    `on` is the printing date when the signer sets one; else the draft's date, else today."""
    try:
        return _sign_off(user, issue, on)
    except IntegrityError:  # another sign-off took the number between our read and write
        raise ValidationError("同一系列的另一期专报正在签发，请稍后重试。") from None


@transaction.atomic
def _sign_off(user, issue: Issue, on: date | None) -> Issue:
    from .render import render_docx

    if not (user.has_perm("bulletins.sign_issue") and permissions.can_manage(user, issue.series)):
        raise PermissionDenied("只有编发单位有签发权限的人员可以签发专报。")
    # Every sign-off of the series takes this lock first, so numbers are handed out one at a time.
    series = Series.objects.select_for_update().get(pk=issue.series_id)
    issue = _locked(user, issue)
    if issue.status != Status.REVIEW:
        raise ValidationError("请先提交审核，审核通过后再签发。")
    if not issue.articles.exists():
        raise ValidationError("本期还没有内容，不能签发。")
    day = on or issue.issue_date or today()
    if day.year < series.start_year:
        raise ValidationError(f"印发日期早于本系列的启用年度（{series.start_year}年）。")
    signed = Issue.objects.filter(series=series, status=Status.SIGNED)
    base = series.issued_in_start_year if day.year == series.start_year else 0
    last_in_year = signed.filter(year=day.year).aggregate(top=Max("number"))["top"] or 0
    last_total = signed.aggregate(top=Max("total_number"))["top"] or 0
    issue.issue_date, issue.year = day, day.year
    issue.number = max(last_in_year, base) + 1
    issue.total_number = max(last_total, series.issued_before) + 1
    issue.status, issue.signed_by, issue.signed_at = Status.SIGNED, user, timezone.now()
    issue.series = series
    for article in issue.articles.filter(kind=Article.Kind.FIGURES):
        article.data = content.figures_live(series.org, article.period, list(article.indicator_codes), article.top_n)
        article.save(update_fields=["data"])
    data = render_docx(issue)
    issue.docx_sha256 = hashlib.sha256(data).hexdigest()
    issue.docx.save("bulletin.docx", ContentFile(data), save=False)
    issue.save()
    _record(issue, user, f"签发：{issue.number_label}")
    for article in issue.articles.exclude(item=None).select_related("item"):
        text = f"已在《{series.name}》{issue.number_label}刊发"
        _item_event(article.item, text, user)
        _notify_org(article.item.org, f"投稿已刊发：{article.item.title}", text, article.item)
    return issue


# ---------------------------------------------------------------------------- submitted items


def _check_files(files) -> list:
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise ValidationError({"files": f"最多上传{MAX_FILES}个附件。"})
    for upload in files:
        check_attachment(upload)
    return files


def _attach(item: Item, files, user) -> None:
    for upload in files:
        ItemFile.objects.create(item=item, file=upload, name=upload.name[:200], size=upload.size, uploaded_by=user)


def default_source(org: Org) -> str:
    """How an org signs an item: its union (江阴市 → 江阴市总工会)."""
    if org.kind in ("province", "city", "county", "town", "park"):
        return f"{org.name}总工会"
    if org.kind == "enterprise":
        return f"{org.name}工会"
    return org.name


def _clean_item(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise ValidationError({"title": "请填写标题。"})
    if not body:
        raise ValidationError({"body": "请填写正文。"})
    return title[:120], body


@transaction.atomic
def submit_item(user, org: Org, series: Series, *, title: str, body: str, source: str = "", files=()) -> Item:
    """A lower level sends a candidate 工作信息 item to the series of an office above it."""
    if not (user.has_perm("bulletins.add_item") and org.pk in permissions.own_org_ids(user)):
        raise PermissionDenied("只能以本单位名义投稿。")
    if not (series.is_active and series.accepts_items and permissions.is_above(series, org)):
        raise ValidationError({"series": "只能投给上级产改办的、正在接受投稿的专报。"})
    title, body = _clean_item(title, body)
    files = _check_files(files)
    item = Item.objects.create(
        series=series,
        org=org,
        title=title,
        body=body,
        source=(source or "").strip()[:60] or default_source(org),
        submitted_by=user,
    )
    _attach(item, files, user)
    _item_event(item, f"{org.name}投稿", user)
    _notify_org(series.org, f"新投稿：{item.title}", f"{org.name}向《{series.name}》投稿，请处理。", item, offices=True)
    return item


@transaction.atomic
def update_item(user, item: Item, *, title: str, body: str, source: str = "", files=()) -> Item:
    item = Item.objects.select_for_update().get(pk=item.pk)
    if item.status != Item.Status.SUBMITTED:
        raise ValidationError(f"该投稿{item.get_status_display()}，不能再修改。")
    if not permissions.can_change_item(user, item):
        raise PermissionDenied("只有投稿单位可以修改投稿。")
    item.title, item.body = _clean_item(title, body)
    item.source = (source or "").strip()[:60] or default_source(item.org)
    files = _check_files(files)
    if item.files.count() + len(files) > MAX_FILES:
        raise ValidationError({"files": f"每篇投稿最多{MAX_FILES}个附件。"})
    item.save()
    _attach(item, files, user)
    _item_event(item, "投稿单位修改了投稿", user)
    return item


@transaction.atomic
def withdraw_item(user, item: Item) -> Item:
    item = Item.objects.select_for_update().get(pk=item.pk)
    if not permissions.can_change_item(user, item):
        raise ValidationError("只有待处理的投稿可以由投稿单位撤回。")
    item.status = Item.Status.WITHDRAWN
    item.save(update_fields=["status", "updated_at"])
    _item_event(item, "投稿单位撤回", user)
    return item


@transaction.atomic
def accept_item(
    user, item: Item, issue: Issue | None = None, *, title: str = "", body: str = "", source: str = ""
) -> Article:
    """Take an item into a draft issue of its series (a new draft when none is given) as a 工作信息 item, as the
    office edited it. The item keeps its original text; the article keeps the link to the item and its org."""
    item = Item.objects.select_for_update().select_related("series", "org").get(pk=item.pk)
    if not (user.has_perm("bulletins.decide_item") and permissions.is_owner_office(user, item.series)):
        raise PermissionDenied("只有专报的编发单位可以采用投稿。")
    if item.status != Item.Status.SUBMITTED:
        raise ValidationError(f"该投稿{item.get_status_display()}，不能再采用。")
    if issue is None:
        issue = create_issue(user, item.series)
    if issue.series_id != item.series_id:
        raise ValidationError({"issue": "只能编入本系列的专报。"})
    issue = _locked(user, issue)
    cleaned = _clean_article(
        Article.Kind.INFO,
        {"title": title or item.title, "body": body or item.body, "source": source or item.source},
    )
    article = Article.objects.create(
        issue=issue,
        kind=Article.Kind.INFO,
        position=_next_position(issue),
        source_org=item.org,
        item=item,
        **cleaned,
    )
    item.status, item.decided_by, item.decided_at, item.decline_reason = Item.Status.ACCEPTED, user, timezone.now(), ""
    item.save(update_fields=["status", "decided_by", "decided_at", "decline_reason", "updated_at"])
    text = f"已采用，编入《{item.series.name}》草稿"
    _item_event(item, text, user)
    _notify_org(item.org, f"投稿已采用：{item.title}", text, item)
    _record(issue, user, f"采用投稿：{article.title}（{item.org.name}）")
    return article


@transaction.atomic
def decline_item(user, item: Item, reason: str) -> Item:
    item = Item.objects.select_for_update().select_related("series", "org").get(pk=item.pk)
    if not (user.has_perm("bulletins.decide_item") and permissions.is_owner_office(user, item.series)):
        raise PermissionDenied("只有专报的编发单位可以处理投稿。")
    if item.status != Item.Status.SUBMITTED:
        raise ValidationError(f"该投稿{item.get_status_display()}，不能再处理。")
    if not (reason or "").strip():
        raise ValidationError({"reason": "请说明未采用的原因，投稿单位会看到。"})
    item.status, item.decided_by, item.decided_at = Item.Status.DECLINED, user, timezone.now()
    item.decline_reason = reason.strip()[:300]
    item.save(update_fields=["status", "decided_by", "decided_at", "decline_reason", "updated_at"])
    _item_event(item, f"未采用：{item.decline_reason}", user)
    _notify_org(item.org, f"投稿未采用：{item.title}", item.decline_reason, item)
    return item


# ---------------------------------------------------------------------------- versions and diffs


def snapshot(issue: Issue) -> dict:
    """The issue's content as plain data: what a version stores and a diff compares."""
    articles = []
    for article in content.ordered_articles(issue):
        entry = {"kind": article.kind, "title": article.title}
        if article.kind == Article.Kind.LEAD:
            entry.update(author=article.author, body=article.body)
        elif article.kind == Article.Kind.INFO:
            entry.update(body=article.body, source=article.source, item=article.item_id)
            entry["source_org"] = article.source_org.name if article.source_org else ""
        else:
            entry.update(period=article.period, indicators=list(article.indicator_codes), top_n=article.top_n)
            if article.data:
                entry["data"] = article.data
        articles.append(entry)
    return {
        "title": issue.title,
        "number": issue.number_label,
        "issue_date": issue.issue_date.isoformat() if issue.issue_date else "",
        "report_to": issue.report_to,
        "copy_to": issue.copy_to,
        "status": issue.status,
        "articles": articles,
    }


def version_lines(data: dict) -> list[str]:
    """A version as readable lines (one paragraph per line), for the diff."""
    lines = [
        f"本期主题：{data.get('title') or '—'}",
        f"期号：{data.get('number', '')}",
        f"印发日期：{data.get('issue_date') or '签发当日'}",
        f"报：{data.get('report_to', '')}",
        f"送：{data.get('copy_to', '')}",
    ]
    labels = dict(Article.Kind.choices)
    codes = {code for entry in data.get("articles", []) for code in entry.get("indicators", [])}
    names = dict(Indicator.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    for entry in data.get("articles", []):
        lines.append("")
        lines.append(f"【{labels.get(entry['kind'], entry['kind'])}】{entry['title']}")
        if entry.get("author"):
            lines.append(f"——{entry['author']}")
        lines += content.paragraphs(entry.get("body", ""))
        if entry.get("source"):
            lines.append(f"（{entry['source']}）")
        if entry["kind"] == Article.Kind.FIGURES:
            indicators = "、".join(names.get(code, code) for code in entry.get("indicators", []))
            lines.append(f"数据期间：{_period_label(entry.get('period', ''))}；指标：{indicators}")
            lines.append(f"列出下级单位前{entry.get('top_n', 0)}名")
    return lines


def _period_label(code: str) -> str:
    try:
        return Period.parse(code).label
    except InvalidPeriod:
        return code


@dataclass
class DiffLine:
    kind: str  # "same", "del", "add", "gap"
    parts: list[tuple[str, bool]]  # (text, changed)


def _inline(old: str, new: str) -> tuple[DiffLine, DiffLine]:
    """One changed paragraph: mark only the characters that changed."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    removed, added = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            removed.append((old[i1:i2], False))
            added.append((new[j1:j2], False))
        else:
            if i2 > i1:
                removed.append((old[i1:i2], True))
            if j2 > j1:
                added.append((new[j1:j2], True))
    return DiffLine("del", removed), DiffLine("add", added)


def diff_versions(old: IssueVersion, new: IssueVersion, context: int = 2) -> list[DiffLine]:
    a, b = version_lines(old.snapshot), version_lines(new.snapshot)
    rows: list[DiffLine] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        if rows:
            rows.append(DiffLine("gap", [("…", False)]))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [DiffLine("same", [(line, False)]) for line in a[i1:i2]]
            elif tag == "replace" and i2 - i1 == j2 - j1:
                for old_line, new_line in zip(a[i1:i2], b[j1:j2], strict=True):
                    rows.extend(_inline(old_line, new_line))
            else:
                rows += [DiffLine("del", [(line, True)]) for line in a[i1:i2]]
                rows += [DiffLine("add", [(line, True)]) for line in b[j1:j2]]
    return rows


def _search_text(issue: Issue) -> str:
    parts = [issue.series.name, issue.title, issue.number_label]
    for article in issue.articles.select_related("source_org"):
        parts += [article.title, article.author, article.body, article.source]
        if article.source_org:
            parts.append(article.source_org.name)
    return "\n".join(part for part in parts if part)


def _record(issue: Issue, user, note: str) -> IssueVersion:
    """Store the issue's content as a new version (the issue's row is locked by the caller)."""
    Issue.objects.filter(pk=issue.pk).update(search_text=_search_text(issue), updated_at=timezone.now())
    number = (issue.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    return IssueVersion.objects.create(
        issue=issue, number=number, note=note[:120], snapshot=snapshot(issue), author=user
    )


# ---------------------------------------------------------------------------- the archive


def search(issues, *, text: str = "", series: int | None = None, year: int | None = None, source: str = ""):
    """Issues matching every word of `text`, of a series, of a year, with an item from a source org."""
    for word in (text or "").split():
        issues = issues.filter(search_text__icontains=word)
    if series:
        issues = issues.filter(series_id=series)
    if year:
        issues = issues.filter(Q(year=year) | Q(year=None, created_at__year=year))
    source = (source or "").strip()
    if source:
        sourced = Article.objects.filter(Q(source__icontains=source) | Q(source_org__name__icontains=source))
        issues = issues.filter(pk__in=sourced.values("issue_id"))
    return issues


# ---------------------------------------------------------------------------- helpers


def _item_event(item: Item, text: str, actor) -> None:
    ItemEvent.objects.create(item=item, text=text[:400], actor=actor)


def _notify_org(org: Org, title: str, body: str, item: Item, offices: bool = False) -> None:
    members = Membership.objects.active().filter(org=org)
    if offices:
        members = members.filter(role__in=OFFICE_ROLES)
    for membership in members.select_related("user"):
        Notification.objects.create(
            user=membership.user,
            title=title[:120],
            body=body,
            link=reverse("bulletins:item_detail", kwargs={"bulletin_item_pk": item.pk}),
        )
