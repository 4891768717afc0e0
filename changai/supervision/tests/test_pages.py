import pytest
from django.urls import reverse

from changai.supervision.models import BrandCriterion


@pytest.mark.parametrize(
    ("name", "empty"),
    [
        ("spotcheck_list", "还没有季度抽查记录"),
        ("rectification_list", "暂无整改事项"),
        ("brand_list", "还没有产改品牌"),
        ("meeting_list", "还没有登记联席会议或推进会"),
        ("spotcheck_create", "暂无可选的记录"),
        ("brand_create", "暂无可选的记录"),
    ],
)
def test_empty_pages_say_so(cast, client, name, empty):
    client.force_login(cast.users["jiangyin"])
    response = client.get(reverse(f"supervision:{name}"))
    assert response.status_code == 200 and empty in response.content.decode()


def test_the_menu_leads_every_reader_to_supervision(cast, client):
    for who in ("lingdao", "renshe", "qiye"):
        client.force_login(cast.users[who])
        assert 'href="/supervision/"' in client.get(reverse("supervision:spotcheck_list")).content.decode()


def test_criteria_are_shown_to_offices_and_edited_by_the_province(cast, client):
    client.force_login(cast.users["sheng"])
    criterion = BrandCriterion.objects.get(name="见工匠精神")
    edit = reverse("supervision:criterion_edit", kwargs={"criterion_pk": criterion.pk})
    assert "见工匠精神" in client.get(edit).content.decode()
    html = client.get(reverse("supervision:criterion_list")).content.decode()
    assert "现启用12项，满分12分" in html and edit in html
    client.force_login(cast.users["jiangyin"])
    assert edit not in client.get(reverse("supervision:criterion_list")).content.decode()
    assert client.get(edit).status_code == 403
