"""The phone page of an enterprise's suggestion box: no account, throttled, the contact kept private."""

from django.urls import reverse

from changai.suggestions import services, throttle
from changai.suggestions.models import Suggestion

from .factories import PHONE, box, category


def _url(the_box):
    return reverse("suggestions:public", kwargs={"token": the_box.token})


def _post(client, the_box, ip="10.0.0.1", **extra):
    data = {
        "title": "建议每月开展一次安全隐患随手拍",
        "category": category("safety").pk,
        "content": "职工发现隐患拍照上传，经核实给予积分奖励。",
        "contact_name": "周师傅",
        "contact_phone": PHONE,
    }
    data.update(extra)
    return client.post(_url(the_box), data, REMOTE_ADDR=ip)


def test_a_worker_submits_by_phone_without_an_account(cast, client):
    the_box = box(cast)
    page = client.get(_url(the_box))
    html = page.content.decode()
    assert page.status_code == 200 and "江阴测试机械有限公司" in html and "安全生产" in html
    assert 'name="viewport"' in html and "noindex" in html
    response = _post(client, the_box)
    assert response.status_code == 302 and response["Location"] == f"{_url(the_box)}?sent=1"
    suggestion = Suggestion.objects.get()
    assert (suggestion.org, suggestion.channel, suggestion.submitter) == (cast.jiangyin_firm, "phone", None)
    assert (suggestion.contact_name, suggestion.contact_phone) == ("周师傅", PHONE)
    assert [e.action for e in suggestion.events.all()] == ["submitted"]
    assert "提交成功" in client.get(response["Location"]).content.decode()


def test_the_page_checks_the_fields_in_chinese(cast, client):
    the_box = box(cast)
    response = _post(client, the_box, title="", contact_phone="打电话给我")
    html = response.content.decode()
    assert response.status_code == 200 and "请填写正确的手机号或电话号码" in html
    assert not Suggestion.objects.exists()


def test_a_wrong_or_reset_link_finds_nothing_and_a_paused_box_takes_nothing(cast, client):
    the_box = box(cast)
    assert client.get(reverse("suggestions:public", kwargs={"token": "guessed-token"})).status_code == 404
    old = _url(the_box)
    services.reset_box_link(cast.users["qiye"], the_box)
    assert client.get(old).status_code == 404
    services.set_box_open(cast.users["qiye"], the_box, False)
    assert "暂停接收建议" in client.get(_url(the_box)).content.decode()
    assert _post(client, the_box).status_code == 200 and not Suggestion.objects.exists()


def test_it_throttles_each_address_to_five_an_hour(cast, client):
    the_box = box(cast)
    for _ in range(throttle.IP_LIMIT):
        assert _post(client, the_box).status_code == 302
    refused = _post(client, the_box)
    assert refused.status_code == 429
    assert "同一网络每小时最多提交5条建议" in refused.content.decode()
    assert Suggestion.objects.count() == 5
    assert _post(client, the_box, ip="10.0.0.2").status_code == 302  # another phone is not held back


def test_invalid_posts_do_not_use_up_the_allowance(cast, client):
    the_box = box(cast)
    for _ in range(throttle.IP_LIMIT + 2):
        assert _post(client, the_box, content="").status_code == 200
    assert _post(client, the_box).status_code == 302


def test_it_throttles_each_enterprise_per_day(cast, client, monkeypatch):
    monkeypatch.setattr(throttle, "BOX_LIMIT", 3)
    the_box = box(cast)
    for serial in range(3):
        assert _post(client, the_box, ip=f"10.0.1.{serial}").status_code == 302
    refused = _post(client, the_box, ip="10.0.1.99")
    assert refused.status_code == 429 and "今天已收到3条建议" in refused.content.decode()
    other = box(cast, org=cast.line_firm, user="zhutang")
    assert _post(client, other, ip="10.0.1.99").status_code == 302


def test_behind_the_proxy_the_address_it_appended_counts(cast, client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    the_box = box(cast)
    for serial in range(throttle.IP_LIMIT):
        # A client cannot escape by sending its own X-Forwarded-For: the proxy appends the address it saw.
        response = client.post(
            _url(the_box),
            {"title": "t", "category": category().pk, "content": "c"},
            HTTP_X_FORWARDED_FOR=f"1.2.3.{serial}, 203.0.113.7",
        )
        assert response.status_code == 302
    refused = client.post(
        _url(the_box), {"title": "t", "category": category().pk, "content": "c"}, HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    assert refused.status_code == 429
