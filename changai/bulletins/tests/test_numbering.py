"""Numbering at sign-off (per year and overall, continuing the series' earlier issues) and freezing after it."""

import threading
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from changai.bulletins import services
from changai.bulletins.models import Article, Issue
from changai.indicators import rollups
from changai.indicators.models import DataValue

from .conftest import SIGNED_ON, approved, item_from, lead, signed


def test_it_numbers_only_at_sign_off_continuing_the_series(cast, series):
    sheng = cast.users["sheng"]
    issue = services.create_issue(sheng, series)
    lead(sheng, issue)
    services.submit_for_review(sheng, issue)
    assert (issue.year, issue.number, issue.total_number) == (None, None, None)
    assert issue.number_label == "（签发时编号）"
    services.sign_off(sheng, issue, on=SIGNED_ON)
    issue.refresh_from_db()
    assert issue.number_label == "2024年第8期（总第38期）"
    assert issue.issue_date == SIGNED_ON and issue.signed_by == sheng and issue.status == Issue.Status.SIGNED


def test_numbers_count_up_within_a_year_and_restart_in_the_next(cast, series):
    labels = [signed(cast, series, on=day).number_label for day in (date(2024, 7, 1), date(2024, 9, 1))]
    labels.append(signed(cast, series, on=date(2025, 1, 10)).number_label)
    labels.append(signed(cast, series, on=date(2025, 2, 10)).number_label)
    assert labels == [
        "2024年第8期（总第38期）",
        "2024年第9期（总第39期）",
        "2025年第1期（总第40期）",
        "2025年第2期（总第41期）",
    ]


def test_drafts_signed_out_of_order_take_the_next_numbers(cast, series):
    sheng = cast.users["sheng"]
    first, second = services.create_issue(sheng, series), services.create_issue(sheng, series)
    for issue in (first, second):
        lead(sheng, issue)
        services.submit_for_review(sheng, issue)
    services.sign_off(sheng, second, on=SIGNED_ON)
    services.sign_off(sheng, first, on=SIGNED_ON)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.number, first.number) == (8, 9)


def test_an_issue_is_signed_only_after_review_and_only_by_its_office(cast, series):
    sheng = cast.users["sheng"]
    issue = services.create_issue(sheng, series)
    lead(sheng, issue)
    with pytest.raises(ValidationError, match="请先提交审核"):
        services.sign_off(sheng, issue)
    services.submit_for_review(sheng, issue)
    for outsider in ("wuxi", "lingdao", "jiangyin"):
        with pytest.raises(PermissionDenied):
            services.sign_off(cast.users[outsider], issue)
    issue.refresh_from_db()
    assert issue.number is None


def test_an_empty_draft_cannot_go_to_review(cast, series):
    issue = services.create_issue(cast.users["sheng"], series)
    with pytest.raises(ValidationError, match="还没有内容"):
        services.submit_for_review(cast.users["sheng"], issue)


def test_review_can_send_an_issue_back_with_a_note(cast, series):
    sheng = cast.users["sheng"]
    issue = services.create_issue(sheng, series)
    lead(sheng, issue)
    services.submit_for_review(sheng, issue)
    services.return_to_draft(sheng, issue, "数据口径请再核实")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT and issue.review_note == "数据口径请再核实"


def test_a_date_before_the_series_started_is_refused(cast, series):
    sheng = cast.users["sheng"]
    issue = services.create_issue(sheng, series)
    lead(sheng, issue)
    services.submit_for_review(sheng, issue)
    with pytest.raises(ValidationError, match="启用年度"):
        services.sign_off(sheng, issue, on=date(2023, 12, 30))


def test_the_numbering_start_is_locked_once_an_issue_is_signed(cast, series):
    sheng = cast.users["sheng"]
    services.update_series(sheng, series, issued_before=40)
    signed(cast, series)
    with pytest.raises(ValidationError):
        services.update_series(sheng, series, issued_before=50)
    services.update_series(sheng, series, copy_to="各设区市产改办")  # other settings stay editable


def test_a_signed_issue_is_frozen(cast, series):
    sheng = cast.users["sheng"]
    issue = signed(cast, series)
    article = issue.articles.get()
    item = item_from(cast, series)
    attempts = [
        lambda: services.update_issue(sheng, issue, title="改标题"),
        lambda: services.add_article(sheng, issue, Article.Kind.INFO, title="补一条", body="正文", source="某工会"),
        lambda: services.update_article(sheng, article, title="改标题"),
        lambda: services.remove_article(sheng, article),
        lambda: services.move_article(sheng, article, 1),
        lambda: services.accept_item(sheng, item, issue),
        lambda: services.return_to_draft(sheng, issue),
        lambda: services.sign_off(sheng, issue),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="已签发"):
            attempt()
    issue.refresh_from_db()
    item.refresh_from_db()
    assert issue.articles.get().title == article.title and item.status == item.Status.SUBMITTED


def test_a_signed_issue_keeps_its_figures_and_its_file_when_the_data_change(cast, series, figures):
    sheng = cast.users["sheng"]
    issue = services.create_issue(sheng, series)
    services.add_article(
        sheng, issue, Article.Kind.FIGURES, title="主要数据", period="2024Q2", indicator_codes=["bt_trained"], top_n=3
    )
    services.submit_for_review(sheng, issue)
    services.sign_off(sheng, issue, on=SIGNED_ON)
    issue.refresh_from_db()
    stored = issue.docx.open("rb").read()
    frozen = issue.articles.get().data["indicators"][0]
    assert frozen["value"] == "1250"

    DataValue.objects.filter(indicator=figures.trained, period="2024Q2").update(value=5)
    approved(figures.trained, cast.tangzhuang, "2024Q1", 7)
    rollups.refresh_all()

    from changai.bulletins.content import compose

    issue.refresh_from_db()
    [(_, data)] = compose(issue).figures
    assert data["indicators"][0]["value"] == "1250"
    assert issue.docx.open("rb").read() == stored
    assert services.hashlib.sha256(stored).hexdigest() == issue.docx_sha256


def test_every_save_leaves_a_version_and_versions_can_be_compared(cast, series):
    sheng = cast.users["sheng"]
    issue = services.create_issue(sheng, series)
    article = lead(sheng, issue, body="全市培训职工一万人次。")
    services.update_article(sheng, article, body="全市培训职工一万二千人次。")
    versions = list(issue.versions.order_by("number"))
    assert [v.note for v in versions] == ["新建草稿", f"新增主文章：{article.title}", f"修改主文章：{article.title}"]
    assert all(v.author == sheng for v in versions)
    rows = services.diff_versions(versions[1], versions[2])
    removed = [row for row in rows if row.kind == "del"]
    added = [row for row in rows if row.kind == "add"]
    assert [text for text, changed in removed[0].parts if changed] == []
    assert [text for text, changed in added[0].parts if changed] == ["二千"]  # only what changed is marked
    assert "".join(text for text, _ in added[0].parts) == "全市培训职工一万二千人次。"


@pytest.mark.django_db(transaction=True)
def test_two_sign_offs_at_once_get_different_numbers(cast, series):
    """The series row is locked (PostgreSQL) or the write transaction is exclusive (SQLite): no duplicates."""
    sheng = cast.users["sheng"]
    issues = []
    for _ in range(2):
        issue = services.create_issue(sheng, series)
        lead(sheng, issue)
        services.submit_for_review(sheng, issue)
        issues.append(issue)
    barrier, errors = threading.Barrier(2), []

    def sign(issue):
        from django.contrib.auth import get_user_model

        try:
            barrier.wait()
            services.sign_off(get_user_model().objects.get(pk=sheng.pk), issue, on=SIGNED_ON)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(issue,)) for issue in issues]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Issue.objects.filter(pk__in=[i.pk for i in issues]).values_list("number", "total_number"))
    assert numbers == [(8, 38), (9, 39)]
