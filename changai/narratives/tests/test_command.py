import json
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from .factories import REPORT_TEXT, docx_upload


def run(*args) -> str:
    out = StringIO()
    call_command("extract_facts", *args, stdout=out)
    return out.getvalue()


def test_it_prints_a_json_array_with_the_documented_keys(tmp_path, catalogue):
    path = tmp_path / "材料.txt"
    path.write_text(REPORT_TEXT, encoding="gb18030")
    facts = json.loads(run(str(path), "--json"))
    assert [set(fact) for fact in facts] == [
        {"quote", "value", "unit", "qualifier", "period", "subject", "indicator"}
    ] * 5
    assert facts[1] == {
        "quote": "全镇举办职工技能培训班12期，培训职工3600人次",
        "value": 3600,
        "unit": "人次",
        "qualifier": "exact",
        "period": "今年以来",
        "subject": "全镇",
        "indicator": "n_training_times",
    }
    assert facts[4]["value"] == 35.6 and facts[4]["unit"] == "万元"


def test_without_json_it_prints_a_readable_list(tmp_path, db):
    path = tmp_path / "材料.docx"
    path.write_bytes(docx_upload().read())
    out = run(str(path))
    assert "3600人次" in out and "时间：今年以来" in out and "共 5 处。" in out


def test_without_a_catalogue_in_the_database_it_uses_the_seed_catalogue(tmp_path, db):
    path = tmp_path / "材料.txt"
    path.write_text("今年以来，全镇新建职工之家5个。", encoding="utf-8")
    assert json.loads(run(str(path), "--json"))[0]["indicator"] == "worker_homes"


def test_it_needs_no_database(tmp_path):
    path = tmp_path / "材料.txt"
    path.write_text("今年以来，全镇新建职工之家5个。", encoding="utf-8")
    unreachable = OperationalError("could not connect to server")
    with mock.patch("changai.narratives.services.catalogue_hints", side_effect=unreachable):
        facts = json.loads(run(str(path), "--json"))
    assert (facts[0]["value"], facts[0]["unit"]) == (5, "个")


@pytest.mark.parametrize("name,content,message", [("无.txt", None, "文件不存在"), ("坏.pdf", b"%PDF-1.4 x", "PDF")])
def test_it_explains_what_is_wrong_with_a_file(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(str(path), "--json")
