import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from changai.core import import_services
from changai.indicators.importers import importer_key
from changai.indicators.models import DataValue, Submission
from changai.indicators.tests.conftest import PERIOD
from changai.orgs.tests.factories import add_org


def filled_workbook(client, form, rows):
    url = reverse("figures:bulk_workbook", kwargs={"dataset_code": form.code, "period": PERIOD})
    workbook = load_workbook(io.BytesIO(client.get(url).content))
    sheet = workbook.active
    assert [c.value for c in sheet[2]] == ["*单位编码", "单位名称", "*培训人次（人次）", "*取证人数（人）"]
    by_code = {sheet.cell(row=r, column=1).value: r for r in range(3, sheet.max_row + 1)}
    for code, (trained, certified) in rows.items():
        sheet.cell(row=by_code[code], column=3, value=trained)
        sheet.cell(row=by_code[code], column=4, value=certified)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("季报.xlsx", buffer.getvalue())


def test_a_county_fills_its_towns_in_one_workbook(cast, form, client):
    add_org(cast.jiangyin, name="华士镇", code="320281107", kind="town")
    client.force_login(cast.users["jiangyin"])
    upload = filled_workbook(client, form, {"320281112": (120, 30), "320281107": ("８０", "10")})
    batch = import_services.upload(cast.users["jiangyin"], importer_key(form, PERIOD), upload, cast.jiangyin)
    assert batch.status == "ready", batch.errors
    assert not DataValue.objects.exists()  # nothing written before the commit
    import_services.commit(cast.users["jiangyin"], batch)
    assert Submission.objects.filter(status="submitted").count() == 2
    assert DataValue.objects.get(org__code="320281107", indicator__code="training_person_times").value == 80
    assert "批量导入代填" in Submission.objects.first().events.get().reason


def test_a_bad_row_stops_the_whole_workbook(cast, form, client):
    add_org(cast.jiangyin, name="华士镇", code="320281107", kind="town")
    client.force_login(cast.users["jiangyin"])
    upload = filled_workbook(client, form, {"320281112": (120, 30), "320281107": (-5, 1)})
    batch = import_services.upload(cast.users["jiangyin"], importer_key(form, PERIOD), upload, cast.jiangyin)
    assert batch.status == "invalid"
    assert batch.errors[0]["row"] == 4 and "不能为负数" in batch.errors[0]["message"]
    assert not Submission.objects.exists() and not DataValue.objects.exists()


def test_the_workbook_holds_only_orgs_in_scope(cast, form, client):
    client.force_login(cast.users["gaoyou"])
    url = reverse("figures:bulk_workbook", kwargs={"dataset_code": form.code, "period": PERIOD})
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    assert [sheet.cell(row=r, column=2).value for r in range(3, sheet.max_row + 1)] == ["汤庄镇"]
