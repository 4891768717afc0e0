"""Print the quantitative facts of a narrative report: `manage.py extract_facts FILE [--json]`.

FILE is a .txt (UTF-8 or GB18030), .docx or text PDF, or - for text on standard input. Nothing is stored. The
indicator catalogue is read from the database when there is one; otherwise the seed catalogue is used.
"""

import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from changai.narratives import documents
from changai.narratives.extraction import QUALIFIER_LABELS, IndicatorHint, extract


class Command(BaseCommand):
    help = "识别材料中的数字事实（不写入数据库）。FILE 为 .txt/.docx/.pdf 文件，或 - 表示从标准输入读取文字。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="材料文件路径，或 - 从标准输入读取")
        parser.add_argument(
            "--json",
            action="store_true",
            help="输出 JSON 数组（quote, value, unit, qualifier, period, subject, indicator）",
        )
        parser.add_argument("--author", default="", help="材料的作者单位，所指单位识别不到时使用")

    def handle(self, *args, **options):
        text = self._read(options["file"])
        facts = extract(text, catalogue(), author=options["author"])
        if options["json"]:
            self.stdout.write(json.dumps([fact.as_json() for fact in facts], ensure_ascii=False, indent=2))
            return
        self._table(facts)

    def _read(self, name: str) -> str:
        if name == "-":
            try:
                return documents.clean_text(sys.stdin.read(), "标准输入")
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"文件不存在：{name}")
        with path.open("rb") as handle:
            try:
                text, _ = documents.read_upload(File(handle, name=path.name))
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
        return text

    def _table(self, facts):
        if not facts:
            self.stdout.write("没有识别出数字事实。")
            return
        for number, fact in enumerate(facts, start=1):
            qualifier = "" if fact.qualifier == "exact" else f"（{QUALIFIER_LABELS[fact.qualifier]}）"
            details = "；".join(
                part
                for part in (
                    f"时间：{fact.period}" if fact.period else "",
                    f"所指：{fact.subject}" if fact.subject else "",
                    f"指标：{fact.indicator}" if fact.indicator else "",
                )
                if part
            )
            self.stdout.write(f"{number:>3}. {fact.figure}{fact.unit}{qualifier}  {details}")
            self.stdout.write(f"     “{fact.quote}”")
        self.stdout.write(f"共 {len(facts)} 处。")


def catalogue() -> list[IndicatorHint]:
    """The database's catalogue when it can be read, else the seed catalogue the database would be given."""
    from changai.narratives.services import catalogue_hints

    try:
        hints = catalogue_hints()
    except DatabaseError:
        hints = []
    return hints or seed_hints()


def seed_hints() -> list[IndicatorHint]:
    from changai.indicators.catalogue import SEED_INDICATORS
    from changai.narratives.keywords import SEED_KEYWORDS

    return [
        IndicatorHint(row["code"], row["name"], row["unit"], row["description"], SEED_KEYWORDS.get(row["code"], ()))
        for row in SEED_INDICATORS
        if row["aggregation"] != "ratio"
    ]
