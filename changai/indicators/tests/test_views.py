from unittest import mock

from django.urls import reverse

from changai.core.models import Notification
from changai.core.periods import Period
from changai.indicators.models import DataValue, Rollup, Submission
from changai.indicators.tests.conftest import PERIOD


def entry_url(form, org):
    return reverse("figures:entry", kwargs={"dataset_code": form.code, "org_pk": org.pk, "period": PERIOD})


def test_the_whole_round_through_the_pages(cast, form, client, django_capture_on_commit_callbacks):
    client.force_login(cast.users["zhutang"])
    url = entry_url(form, cast.zhutang)
    page = client.get(url).content.decode()
    assert "培训人次" in page and "上报" in page
    bad = client.post(url, {"training_person_times": "-1", "certified": "2", "action": "submit"})
    assert "不能为负数" in bad.content.decode() and not DataValue.objects.exists()
    client.post(url, {"training_person_times": "100", "certified": "20", "action": "submit"})
    submission = Submission.objects.get()
    assert submission.status == "submitted"

    client.force_login(cast.users["jiangyin"])
    detail = reverse("figures:submission_detail", kwargs={"submission_pk": submission.pk})
    client.post(reverse("figures:return", kwargs={"submission_pk": submission.pk}), {"reason": "培训人次有误"})
    assert Submission.objects.get().status == "returned"

    client.force_login(cast.users["zhutang"])
    assert "培训人次有误" in client.get(url).content.decode()
    client.post(url, {"training_person_times": "120", "certified": "20", "action": "submit"})

    client.force_login(cast.users["jiangyin"])
    page = client.get(detail).content.decode()
    assert "重新上报的修改" in page and "120" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("figures:approve", kwargs={"submission_pk": submission.pk}))
    assert Submission.objects.get().status == "approved"
    assert Rollup.objects.get(org=cast.jiangyin, period=PERIOD, indicator__code="training_person_times").value == 120


def test_a_reader_sees_the_form_read_only(cast, form, client):
    client.force_login(cast.users["lingdao"])
    page = client.get(entry_url(form, cast.zhutang)).content.decode()
    assert "disabled" in page and 'value="submit"' not in page
    assert client.post(entry_url(form, cast.zhutang), {"training_person_times": "1"}).status_code == 403


def test_entry_outside_scope_or_for_a_wrong_period_is_404(cast, form, client):
    client.force_login(cast.users["jiangyin"])
    assert client.get(entry_url(form, cast.tangzhuang)).status_code == 404
    wrong = reverse("figures:entry", kwargs={"dataset_code": form.code, "org_pk": cast.zhutang.pk, "period": "2026M07"})
    assert client.get(wrong).status_code == 404
    firm = reverse(
        "figures:entry", kwargs={"dataset_code": form.code, "org_pk": cast.jiangyin_firm.pk, "period": PERIOD}
    )
    assert client.get(firm).status_code == 404  # enterprises do not report this form


def test_completeness_page_export_and_reminders(cast, form, client):
    client.force_login(cast.users["jiangyin"])
    url = reverse("figures:completeness", kwargs={"dataset_code": form.code, "period": PERIOD})
    page = client.get(url).content.decode()
    assert "祝塘镇" in page and "未开始" in page and "汤庄镇" not in page
    export = client.get(url, {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    client.post(reverse("figures:remind", kwargs={"dataset_code": form.code, "period": PERIOD}))
    assert Notification.objects.filter(user=cast.users["zhutang"]).count() == 1


def test_the_tasks_page_lists_what_to_fill_and_to_review(cast, form, client):
    with mock.patch("changai.indicators.services.current_round", return_value=Period.parse(PERIOD)):
        client.force_login(cast.users["zhutang"])
        assert "乡镇产改季报" in client.get(reverse("figures:tasks")).content.decode()
        client.force_login(cast.users["jiangyin"])
        page = client.get(reverse("figures:tasks")).content.decode()
        assert "应报 1" in page


def test_catalogue_management_needs_the_province(cast, client):
    client.force_login(cast.users["jiangyin"])
    assert client.get(reverse("figures:indicator_create")).status_code == 403
    client.force_login(cast.users["sheng"])
    response = client.post(
        reverse("figures:indicator_create"),
        {
            "code": "new_indicator",
            "name": "新增指标",
            "unit": "个",
            "pillar": "rights",
            "aggregation": "sum",
            "integer_only": "on",
            "sort": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    bad = client.post(
        reverse("figures:indicator_create"),
        {
            "code": "bad_ratio",
            "name": "比率",
            "unit": "个",
            "pillar": "rights",
            "aggregation": "ratio",
            "sort": 0,
        },
    )
    assert "须指定分子指标和分母指标" in bad.content.decode()


def test_the_bell_shows_unread_notifications(cast, client):
    Notification.objects.create(user=cast.users["zhutang"], title="请按时填报")
    client.force_login(cast.users["zhutang"])
    assert 'text-bg-danger">1<' in client.get(reverse("notifications")).content.decode()
    client.post(reverse("notifications"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
