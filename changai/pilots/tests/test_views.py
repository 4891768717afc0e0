from datetime import date
from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from changai.orgs.models import PilotLevel
from changai.orgs.tests.factories import EnterpriseFactory, make_credit_code
from changai.pilots import services
from changai.pilots.models import Pairing, PilotProject, PilotType, PilotUnit

from .factories import apply, running


def _detail(pilot):
    return reverse("pilots:detail", kwargs={"pilot_pk": pilot.pk})


def _transition(client, pilot, action, **data):
    return client.post(reverse("pilots:transition", kwargs={"pilot_pk": pilot.pk}), {"action": action, **data})


def test_the_list_shows_pilots_in_scope_with_filters(cast, client):
    running(cast)
    apply(cast, org=cast.line_firm, level=PilotLevel.TOWN, type_code="rights")
    gaoyou = services.apply_pilot(
        cast.users["gaoyou"],
        cast.gaoyou_firm,
        level=PilotLevel.COUNTY,
        pilot_type=PilotType.objects.get(code="party_led"),
        period_start=date(2025, 1, 1),
        period_end=date(2026, 12, 31),
    )
    url = reverse("pilots:list")
    client.force_login(cast.users["jiangyin"])
    html = client.get(url).content.decode()
    assert "江阴测试机械有限公司" in html and "江阴交控养护有限公司" in html and gaoyou.org.name not in html

    def names(**params):
        body = client.get(url, params).content.decode()
        return {name for name in ("江阴测试机械有限公司", "江阴交控养护有限公司") if name in body}

    assert names(level="town") == {"江阴交控养护有限公司"}
    assert names(pilot_type=PilotType.objects.get(code="rights").pk) == {"江阴交控养护有限公司"}
    assert names(status="running") == {"江阴测试机械有限公司"}
    assert names(q="测试机械") == {"江阴测试机械有限公司"}
    assert names(city=cast.wuxi.pk) == {"江阴测试机械有限公司", "江阴交控养护有限公司"}
    assert names(city=cast.yangzhou.pk) == set()
    client.force_login(cast.users["sheng"])
    assert gaoyou.org.name in client.get(url, {"city": cast.yangzhou.pk}).content.decode()


def test_the_list_is_paginated_in_constant_queries(cast, client, django_assert_max_num_queries):
    for serial in range(35):
        firm = EnterpriseFactory(
            parent=cast.zhutang, name=f"批量企业{serial}", credit_code=make_credit_code(9000 + serial)
        )
        apply(cast, org=firm)
    client.force_login(cast.users["jiangyin"])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("pilots:list"))
    assert "第 1 / 2 页，共 35 条" in response.content.decode()


def test_the_export_is_a_workbook_of_the_filtered_pilots(cast, client):
    running(cast)
    apply(cast, org=cast.line_firm, level=PilotLevel.TOWN)
    client.force_login(cast.users["jiangyin"])
    response = client.get(reverse("pilots:list"), {"export": "xlsx", "status": "running"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("试点单位", "单位类型", "统一社会信用代码", "设区市", "县（市、区）", "试点层级")
    assert len(rows) == 2
    assert rows[1][0] == "江阴测试机械有限公司" and rows[1][3:6] == ("无锡市", "江阴市", "县级试点")
    assert rows[1][11] == "实施中" and rows[1][13] == "澄产改〔2025〕3号"


def test_the_detail_shows_the_timeline_and_only_the_buttons_the_user_may_use(cast, client):
    pilot = apply(cast)
    client.force_login(cast.users["zhutang"])
    html = client.get(_detail(pilot)).content.decode()
    assert "提交申报" in html and "2025年1月10日" in html
    assert 'data-action="withdraw"' in html and 'data-action="start_review"' not in html
    client.force_login(cast.users["jiangyin"])
    html = client.get(_detail(pilot)).content.decode()
    assert 'data-action="start_review"' in html and 'data-action="approve"' not in html
    client.force_login(cast.users["qiye"])
    html = client.get(_detail(pilot)).content.decode()
    assert "data-action=" not in html


def test_transitions_through_the_page(cast, client):
    pilot = apply(cast)
    client.force_login(cast.users["jiangyin"])
    assert _transition(client, pilot, "start_review", on="2025-02-01").status_code == 302
    response = _transition(client, pilot, "approve", approval_no="澄产改〔2025〕9号", on="2025-03-01")
    assert response.status_code == 302 and response["Location"] == _detail(pilot)
    pilot.refresh_from_db()
    assert (pilot.status, pilot.approval_no, pilot.approved_on) == ("approved", "澄产改〔2025〕9号", date(2025, 3, 1))
    html = client.get(_detail(pilot)).content.decode()
    assert "已批准试点" in html


def test_an_illegal_transition_through_the_page_shows_the_reason(cast, client):
    pilot = running(cast)
    client.force_login(cast.users["jiangyin"])
    response = client.post(
        reverse("pilots:transition", kwargs={"pilot_pk": pilot.pk}), {"action": "name_demonstration"}, follow=True
    )
    assert "当前状态为“实施中”，不能直接命名示范" in response.content.decode()
    assert PilotUnit.objects.get(pk=pilot.pk).status == "running"


def test_a_town_posting_an_approval_of_its_own_pilot_is_refused(cast, client):
    pilot = apply(cast, org=cast.zhutang, level=PilotLevel.TOWN)
    pilot = services.start_review(cast.users["jiangyin"], pilot)
    client.force_login(cast.users["zhutang"])
    assert _transition(client, pilot, "approve").status_code == 403
    assert PilotUnit.objects.get(pk=pilot.pk).status == "review"


def test_outsiders_get_404_on_every_pilot_page(cast, client):
    pilot = running(cast)
    project = services.add_project(
        cast.users["zhutang"], pilot, title="班组长培养", pillar="quality", target="x", deadline=date(2026, 6, 30)
    )
    client.force_login(cast.users["gaoyou"])
    urls = [
        _detail(pilot),
        reverse("pilots:edit", kwargs={"pilot_pk": pilot.pk}),
        reverse("pilots:project_add", kwargs={"pilot_pk": pilot.pk}),
        reverse("pilots:project_edit", kwargs={"project_pk": project.pk}),
        reverse("pilots:apply") + f"?org={cast.jiangyin_firm.pk}",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert _transition(client, pilot, "withdraw", comment="x").status_code == 404
    assert PilotUnit.objects.get(pk=pilot.pk).status == "running"


def test_applying_through_the_form(cast, client):
    client.force_login(cast.users["zhutang"])
    url = reverse("pilots:apply")
    html = client.get(url, {"q": "测试机械"}).content.decode()
    assert f"?org={cast.jiangyin_firm.pk}" in html
    assert "高邮" not in client.get(url, {"q": "高邮"}).content.decode().split("</form>")[-1].replace("“高邮”", "")
    form_url = f"{url}?org={cast.jiangyin_firm.pk}"
    data = {
        "level": "county",
        "pilot_type": PilotType.objects.get(code="empowerment").pk,
        "batch": "2025年第一批",
        "period_start": "2025-06-01",
        "period_end": "2025-01-01",
    }
    bad = client.post(form_url, data)
    assert bad.status_code == 200 and "试点结束日期应晚于开始日期" in bad.content.decode()
    good = client.post(form_url, {**data, "period_end": "2027-05-31"})
    pilot = PilotUnit.objects.get(org=cast.jiangyin_firm)
    assert good.status_code == 302 and good["Location"] == _detail(pilot)
    assert (pilot.status, pilot.supervisor, pilot.applied_by) == ("application", cast.jiangyin, cast.users["zhutang"])


def test_readers_cannot_apply(cast, client):
    client.force_login(cast.users["qiye"])
    assert client.get(reverse("pilots:apply")).status_code == 403


def test_projects_are_added_and_edited_through_the_pages(cast, client):
    pilot = running(cast)
    client.force_login(cast.users["zhutang"])
    response = client.post(
        reverse("pilots:project_add", kwargs={"pilot_pk": pilot.pk}),
        {
            "title": "首席技师工作室",
            "pillar": "quality",
            "target": "建成省级首席技师工作室1个",
            "start_date": "2025-03-15",
            "deadline": "2026-06-30",
            "progress": "40",
            "status": "in_progress",
        },
    )
    assert response.status_code == 302
    project = PilotProject.objects.get(pilot=pilot)
    edit = reverse("pilots:project_edit", kwargs={"project_pk": project.pk})
    data = {**{f: getattr(project, f) for f in services.PROJECT_FIELDS}, "progress": "120"}
    assert "100" in client.post(edit, data).content.decode()  # over 100% is refused
    assert client.post(edit, {**data, "progress": "100", "status": "done"}).status_code == 302
    assert PilotProject.objects.get(pk=project.pk).status == "done"
    html = client.get(_detail(pilot)).content.decode()
    assert "首席技师工作室" in html and "按进度推进" in html


def test_pairings_list_and_create(cast, client):
    small = EnterpriseFactory(parent=cast.zhutang, name="祝塘小微配件厂", credit_code=make_credit_code(8801))
    client.force_login(cast.users["zhutang"])
    url = reverse("pilots:pairing_create") + f"?lead={cast.jiangyin_firm.pk}"
    html = client.get(url).content.decode()
    assert "祝塘小微配件厂" in html and "高邮秘密液压有限公司" not in html
    response = client.post(
        url,
        {
            "title": "龙头带小微结对",
            "partners": [small.pk],
            "partner_codes": cast.line_firm.credit_code.lower(),
            "signed_on": "2025-05-01",
            "content": "共享实训基地",
        },
    )
    pairing = Pairing.objects.get()
    assert response.status_code == 302 and set(pairing.partners.all()) == {small, cast.line_firm}
    bad = client.post(
        url, {"title": "x", "partner_codes": cast.gaoyou_firm.credit_code, "signed_on": "2025-05-01", "content": "x"}
    )
    assert "找不到这些统一社会信用代码" in bad.content.decode()
    html = client.get(reverse("pilots:pairing_list")).content.decode()
    assert "龙头带小微结对" in html and "2 家" in html
    detail = client.get(reverse("pilots:pairing_detail", kwargs={"pairing_pk": pairing.pk})).content.decode()
    assert "江阴交控养护有限公司" in detail
    client.force_login(cast.users["gaoyou"])
    assert client.get(reverse("pilots:pairing_detail", kwargs={"pairing_pk": pairing.pk})).status_code == 404
    assert "龙头带小微结对" not in client.get(reverse("pilots:pairing_list")).content.decode()


def test_the_map_counts_approved_pilots_per_city_by_code(cast, client):
    running(cast)
    running(cast, org=cast.line_firm, level=PilotLevel.PROVINCIAL, reviewer="sheng")
    apply(cast, org=cast.zhutang, level=PilotLevel.CITY, user="jiangyin")  # not approved: not on the map
    services.apply_pilot(
        cast.users["gaoyou"],
        cast.gaoyou_firm,
        level=PilotLevel.COUNTY,
        pilot_type=PilotType.objects.get(code="party_led"),
        period_start=date(2025, 1, 1),
        period_end=date(2026, 12, 31),
        on=date(2025, 1, 1),
    )
    gaoyou_pilot = PilotUnit.objects.get(org=cast.gaoyou_firm)
    services.approve_pilot(cast.users["gaoyou"], services.start_review(cast.users["gaoyou"], gaoyou_pilot))
    client.force_login(cast.users["sheng"])
    data = client.get(reverse("pilots:map_data")).json()
    assert data["columns"][:3] == ["区划代码", "设区市", "试点单位数"]
    assert data["rows"] == [
        ["320200", "无锡市", 2, 0, 1, 0, 1, 0, 0],
        ["321000", "扬州市", 1, 0, 0, 0, 1, 0, 0],
    ]
    assert client.get(reverse("pilots:map_data"), {"level": "provincial"}).json()["rows"][0][2] == 1
    assert client.get(reverse("pilots:map_data"), {"status": "application"}).json()["rows"][0][2] == 1
    client.force_login(cast.users["jiangyin"])
    assert [row[2] for row in client.get(reverse("pilots:map_data")).json()["rows"]] == [2, 0]
    page = client.get(reverse("pilots:map")).content.decode()
    assert 'id="pilot-map-config"' in page and "vendor/maps/jiangsu.json" in page and "data-png" in page
    export = client.get(reverse("pilots:map_data"), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("区划代码", "设区市", "试点单位数") and rows[1][:3] == ("320200", "无锡市", 2)


def test_pilot_types_are_kept_in_the_database_by_the_province(cast, client):
    client.force_login(cast.users["sheng"])
    response = client.post(
        reverse("pilots:types"), {"code": "happy", "name": "幸福企业型", "sort": 4, "is_active": "on"}
    )
    assert response.status_code == 302 and PilotType.objects.filter(name="幸福企业型").exists()
    client.force_login(cast.users["jiangyin"])
    assert "幸福企业型" in client.get(reverse("pilots:types")).content.decode()
    assert client.post(reverse("pilots:types"), {"code": "x", "name": "x"}).status_code == 403
