"""Certificates, rating-batch candidates and results from real-world sheets, through the import framework.

Identity numbers and dates are read with workers.cleaning (numbers stored as numbers, full-width digits,
Excel serials, 2024.6.1 and 2024年6月1日); each worker must already be in the ledger and within the
importer's scope; nothing is written until the batch is committed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from changai.core.imports import (
    Column,
    Importer,
    RowError,
    RowErrors,
    in_chunks,
    register_importer,
    register_importer_factory,
)
from changai.orgs.models import Org
from changai.workers.cleaning import normalise_id_number, parse_date
from changai.workers.models import Occupation, Worker
from changai.workers.pii import keyed_hash

from . import services
from .models import Candidate, Certificate, Level, RatingBatch, Route

CANDIDATES_PREFIX = "ratingbatch-candidates"
RESULTS_PREFIX = "ratingbatch-results"
CHUNK = 1000

# ---------------------------------------------------------------------------- cells people type


def _key(text) -> str:
    return re.sub(r"[\s·•．.]+", "", unicodedata.normalize("NFKC", str(text or ""))).casefold()


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
# 一级 is the top of the five national grades (高级技师), 五级 the bottom (初级工).
_GRADE_TO_LEVEL = {
    1: Level.SENIOR_TECHNICIAN,
    2: Level.TECHNICIAN,
    3: Level.SENIOR,
    4: Level.INTERMEDIATE,
    5: Level.JUNIOR,
}
_LEVEL_WORDS = {
    "学徒工": Level.APPRENTICE,
    "学徒": Level.APPRENTICE,
    "初级工": Level.JUNIOR,
    "初级": Level.JUNIOR,
    "中级工": Level.INTERMEDIATE,
    "中级": Level.INTERMEDIATE,
    "高级工": Level.SENIOR,
    "高级": Level.SENIOR,
    "技师": Level.TECHNICIAN,
    "高级技师": Level.SENIOR_TECHNICIAN,
    "特级技师": Level.MASTER,
    "首席技师": Level.CHIEF,
}
LEVEL_HELP = "填写等级名称或级别，如：高级工、三级、高级工（三级）、技师、二级。"


def parse_level(text) -> int:
    """A level from 高级工, 三级, 3级, 高级工（三级）, 三级/高级工 …; ValueError with a message otherwise."""
    raw = unicodedata.normalize("NFKC", str(text or "")).strip()
    compact = re.sub(r"[\s()（）/、\-—]+", " ", raw).strip()
    levels = set()
    for part in compact.split():
        word = part.replace("职业技能等级", "").replace("证书", "")
        if word in _LEVEL_WORDS:
            levels.add(_LEVEL_WORDS[word])
            continue
        grade = re.fullmatch(r"([一二三四五1-5])级(工)?", word)
        if grade:
            digit = grade.group(1)
            levels.add(_GRADE_TO_LEVEL[_CN_DIGITS.get(digit) or int(digit)])
            continue
        levels.add(None)
    if len(levels) == 1 and None not in levels:
        return int(levels.pop())
    raise ValueError(f"无法识别等级“{raw}”；{LEVEL_HELP}")


_ROUTE_WORDS = {
    Route.SOCIAL: ("社会培训评价组织", "社会评价", "社会化评价", "社会评价组织", "第三方评价", "社会培训评价"),
    Route.SELF_RATING: ("企业自主评价", "自主评价", "企业评价", "企业自评", "自评"),
    Route.COMPETITION: ("竞赛晋级", "竞赛", "技能竞赛", "竞赛获奖", "竞赛直接晋级", "以赛代评"),
    Route.LEGACY: ("原职业资格", "职业资格", "职业资格证书", "技能鉴定", "职业技能鉴定", "国家职业资格"),
}
_ROUTES = {_key(word): route for route, words in _ROUTE_WORDS.items() for word in words}
ROUTE_HELP = "可填：社会评价、企业自主评价、竞赛晋级、原职业资格。"


def parse_route(text) -> str:
    route = _ROUTES.get(_key(text))
    if route is None:
        raise ValueError(f"无法识别评价途径“{text}”；{ROUTE_HELP}")
    return route


_RESULTS = {"合格": "passed", "通过": "passed", "是": "passed", "不合格": "failed", "未通过": "failed", "否": "failed"}


def parse_result(text) -> str:
    result = _RESULTS.get(_key(text))
    if result is None:
        raise ValueError(f"无法识别结果“{text}”；请填写“合格”或“不合格”，不填则按成绩判定")
    return result


# ---------------------------------------------------------------------------- columns

ID_COLUMN = Column(
    "id_number",
    "身份证号",
    required=True,
    width=22,
    help="18位身份证号；请把该列设为“文本”格式，避免末位X丢失或变成科学计数法。",
    aliases=("身份证号码", "公民身份号码", "证件号码", "身份证"),
)
NAME_COLUMN = Column(
    "name", "姓名", required=True, max_length=40, width=10, help="须与职工台账一致。", aliases=("职工姓名",)
)
OCCUPATION_CODE = Column(
    "occupation_code",
    "职业编码",
    kind="code",
    width=14,
    help="国家职业分类大典编码，如 6-18-01-01；与职业名称至少填一项。",
    aliases=("职业代码", "工种编码", "工种代码"),
)
OCCUPATION_NAME = Column(
    "occupation_name",
    "职业名称",
    max_length=100,
    width=16,
    help="如：车工、焊工、电工；与职业编码至少填一项。",
    aliases=("职业（工种）", "职业(工种)", "工种", "职业", "职业工种", "工种名称"),
)
DATE_HELP = "如 2024-06-01、2024.6.1 或 2024年6月1日。"


class OccupationLookup:
    def __init__(self):
        self.by_code = {}
        self.by_name = defaultdict(list)
        for occupation in Occupation.objects.all():
            self.by_code[_key(occupation.code)] = occupation
            self.by_name[_key(occupation.name)].append(occupation)

    def resolve(self, code, name) -> Occupation:
        """The occupation of a row (RowError on the column at fault)."""
        if not code and not name:
            raise RowError("occupation_name", "请填写职业编码或职业名称")
        if code:
            occupation = self.by_code.get(_key(code))
            if occupation is None:
                raise RowError("occupation_code", f"职业编码“{code}”不在职业目录中")
            if name and _key(name) != _key(occupation.name):
                raise RowError("occupation_name", f"职业名称与编码{code}不符（目录中为“{occupation.name}”）")
            return occupation
        found = self.by_name.get(_key(name), [])
        if len(found) > 1:
            raise RowError("occupation_name", f"有{len(found)}个名为“{name}”的职业，请填写职业编码")
        if not found:
            raise RowError("occupation_name", f"职业“{name}”不在职业目录中，请核对名称或填写职业编码")
        return found[0]


def _normalised_id(raw) -> str | None:
    try:
        return normalise_id_number(raw)
    except ValidationError:
        return None


class Reported(Exception):
    """A required cell that is empty or unreadable: the framework has reported it already."""


def _id_of(values) -> str:
    """The normalised identity number of a row; RowError on the column otherwise."""
    if values.get("id_number") in (None, ""):
        raise Reported
    try:
        return normalise_id_number(values.get("id_number"))
    except ValidationError as exc:
        raise RowError("id_number", "；".join(exc.messages)) from None


def _date(values, key, label, required=True):
    raw = values.get(key)
    if raw in (None, ""):
        if required:
            raise Reported
        return None
    try:
        return parse_date(raw)
    except ValidationError as exc:
        raise RowError(key, "；".join(exc.messages)) from None


def _workers_by_number(rows, workers) -> dict[str, Worker]:
    """Normalised identity number → worker, among `workers`, looked up by keyed hash in chunks."""
    numbers = {number for number in (_normalised_id(row.get("id_number")) for row in rows) if number}
    by_hash = {keyed_hash(number): number for number in numbers}
    found = {}
    for chunk in in_chunks(sorted(by_hash)):
        for worker in workers.filter(id_hash__in=chunk).select_related("enterprise"):
            found[by_hash[worker.id_hash]] = worker
    return found


def _worker(values, number, workers: dict[str, Worker], missing: str) -> Worker:
    worker = workers.get(number)
    if worker is None:
        raise RowError("id_number", missing)
    name = values.get("name")
    if name and _key(name) != _key(worker.name):
        raise RowError("name", f"姓名与职工台账不一致（台账为“{worker.name}”），请核对身份证号或姓名")
    return worker


def _collect(checks) -> dict:
    """Run each check (a callable returning a value or raising RowError), gathering every error of the row."""
    values, errors, failed = {}, [], False
    for key, check in checks:
        try:
            values[key] = check()
        except RowError as error:
            errors.append(error)
            failed = True
        except Reported:
            failed = True
    if failed:
        raise RowErrors(errors)
    return values


# ---------------------------------------------------------------------------- certificates


@dataclass
class CertificateContext:
    allowed: bool
    occupations: OccupationLookup | None = None
    workers: dict[str, Worker] = field(default_factory=dict)
    existing: dict[str, tuple] = field(default_factory=dict)
    employers: services.EmployerHistory | None = None
    authorisations: services.AuthorisationBook | None = None
    enterprises: dict = field(default_factory=dict)


def _certificate_identity(worker_id, occupation_id, level, issued_on) -> tuple:
    return (worker_id, occupation_id, level, issued_on)


@register_importer
class CertificateImporter(Importer):
    key = "certificates.certificates"
    title = "技能等级证书导入"
    permission = "certificates.add_certificate"
    key_columns = ("number",)
    columns = [
        ID_COLUMN,
        NAME_COLUMN,
        OCCUPATION_CODE,
        OCCUPATION_NAME,
        Column(
            "level",
            "等级",
            required=True,
            width=16,
            help=LEVEL_HELP,
            aliases=("技能等级", "证书等级", "职业技能等级", "级别"),
        ),
        Column(
            "number",
            "证书编号",
            required=True,
            kind="code",
            max_length=40,
            width=24,
            help="证书上的编号，全省唯一；已导入过的同一证书再次导入时不会重复登记。",
            aliases=("证书号", "证书编码", "证书号码"),
        ),
        Column(
            "route", "评价途径", required=True, width=16, help=ROUTE_HELP, aliases=("评价方式", "取证途径", "评价类型")
        ),
        Column(
            "issued_on",
            "发证日期",
            required=True,
            width=14,
            help=DATE_HELP,
            aliases=("取证日期", "发证时间", "取证时间"),
        ),
        Column(
            "expires_on",
            "有效期至",
            width=14,
            help=f"证书注明有效期的填写，{DATE_HELP}长期有效的留空。",
            aliases=("有效期", "有效期截止", "到期日期", "有效截止日期"),
        ),
        Column("issuer", "发证机构", max_length=120, width=24, aliases=("发证单位", "评价机构", "认定机构")),
    ]
    description = (
        "每行一张证书。职工须已在职工台账中登记且在您的管辖范围内；企业自主评价的证书须在该企业"
        "发证日期当时的自主评价备案范围内（职业、最高等级、有效期）。有任何一行出错都不会写入。"
    )

    def prepare(self, rows):
        if not self.user.has_perm(self.permission):
            return CertificateContext(allowed=False)
        workers = Worker.objects.visible_to(self.user).filter(enterprise__path__startswith=self.org.path)
        found = _workers_by_number(rows, workers)
        numbers = {row["number"] for row in rows if row.get("number")}
        existing = {}
        for chunk in in_chunks(sorted(numbers)):
            for number, *identity in Certificate.objects.filter(number__in=chunk).values_list(
                "number", "worker_id", "occupation_id", "level", "issued_on"
            ):
                existing[number] = tuple(identity)
        employers = services.EmployerHistory(worker.pk for worker in found.values())
        enterprise_ids = {pk for stints in employers.stints.values() for _, _, pk in stints}
        enterprise_ids |= {pk for pk in employers.current.values() if pk}
        return CertificateContext(
            allowed=True,
            occupations=OccupationLookup(),
            workers=found,
            existing=existing,
            employers=employers,
            authorisations=services.AuthorisationBook(enterprise_ids),
            enterprises=Org.objects.in_bulk(list(enterprise_ids)),
        )

    def clean_row(self, values, context: CertificateContext):
        if not context.allowed:
            raise RowError(None, "您无权导入技能等级证书。")
        missing = "职工台账中没有该身份证号的职工（或不在您导入的范围内），请先登记或导入职工"
        today = services.today()
        row = _collect(
            [
                ("worker", lambda: _worker(values, _id_of(values), context.workers, missing)),
                (
                    "occupation",
                    lambda: context.occupations.resolve(values.get("occupation_code"), values.get("occupation_name")),
                ),
                ("level", lambda: self._level(values)),
                ("route", lambda: self._route(values)),
                ("issued_on", lambda: _date(values, "issued_on", "发证日期")),
                ("expires_on", lambda: _date(values, "expires_on", "有效期至", required=False)),
            ]
        )
        errors = []
        if row["issued_on"] > today:
            errors.append(RowError("issued_on", "发证日期不能晚于今天"))
        if row["expires_on"] and row["expires_on"] <= row["issued_on"]:
            errors.append(RowError("expires_on", "有效期至应晚于发证日期"))
        worker, number = row["worker"], services.clean_number(values.get("number"))
        employer_id = context.employers.on(worker.pk, row["issued_on"])
        identity = _certificate_identity(worker.pk, row["occupation"].pk, row["level"], row["issued_on"])
        if number in context.existing and context.existing[number] != identity:
            errors.append(
                RowError(
                    "number", f"证书编号“{number}”已登记给另一张证书（职工、职业、等级或发证日期不同），请核对编号"
                )
            )
        rating_enterprise = None
        if row["route"] == Route.SELF_RATING and not errors:
            rating_enterprise = context.enterprises.get(employer_id)
            found = context.authorisations.problem_field(
                rating_enterprise, row["occupation"], row["level"], row["issued_on"]
            )
            if found:
                column = {"occupation": "occupation_name", "level": "level", "issued_on": "issued_on"}.get(
                    found[0], "route"
                )
                errors.append(RowError(column, found[1]))
        if errors:
            raise RowErrors(errors)
        return {
            **row,
            "number": number,
            "issuer": (values.get("issuer") or "").strip(),
            "employer_id": employer_id,
            "rating_enterprise": rating_enterprise,
            "existing": number in context.existing,
        }

    @staticmethod
    def _level(values):
        if values.get("level") in (None, ""):
            raise Reported
        try:
            return parse_level(values.get("level"))
        except ValueError as exc:
            raise RowError("level", str(exc)) from None

    @staticmethod
    def _route(values):
        if values.get("route") in (None, ""):
            raise Reported
        try:
            return parse_route(values.get("route"))
        except ValueError as exc:
            raise RowError("route", str(exc)) from None

    def plan(self, rows, context):
        unchanged = sum(1 for row in rows if row["existing"])
        return {"created": len(rows) - unchanged, "updated": 0, "unchanged": unchanged}

    def write(self, rows, context):
        fresh = [row for row in rows if not row["existing"]]
        for start in range(0, len(fresh), CHUNK):
            Certificate.objects.bulk_create(
                [
                    Certificate(
                        worker=row["worker"],
                        occupation=row["occupation"],
                        level=row["level"],
                        number=row["number"],
                        route=row["route"],
                        issued_on=row["issued_on"],
                        expires_on=row["expires_on"],
                        issuer=row["issuer"][:120],
                        rating_enterprise=row["rating_enterprise"],
                        employer_id=row["employer_id"],
                        created_by=self.user,
                    )
                    for row in fresh[start : start + CHUNK]
                ]
            )
        return {"created": len(fresh), "updated": 0, "unchanged": len(rows) - len(fresh)}


# ---------------------------------------------------------------------------- rating batches


def candidates_key(batch: RatingBatch) -> str:
    return f"{CANDIDATES_PREFIX}:{batch.pk}"


def results_key(batch: RatingBatch) -> str:
    return f"{RESULTS_PREFIX}:{batch.pk}"


@dataclass
class BatchContext:
    batch: RatingBatch | None
    refusal: str = ""
    occupations: OccupationLookup | None = None
    workers: dict[str, Worker] = field(default_factory=dict)
    candidates: dict[tuple[int, int], Candidate] = field(default_factory=dict)


class _BatchImporter(Importer):
    """An importer bound to one rating batch (key `<prefix>:<batch pk>`); refuses batches out of reach."""

    batch_pk: int
    permission = "certificates.change_ratingbatch"

    def _context(self, rows) -> BatchContext:
        batch = RatingBatch.objects.select_related("enterprise").filter(pk=self.batch_pk).first()
        if batch is None or not services.may_manage_batch(self.user, batch):
            return BatchContext(None, "您无权向该评价批次导入数据。")
        if batch.status == RatingBatch.Status.ISSUED:
            return BatchContext(batch, "该批次已发证，不能再导入考生或成绩。")
        candidates = {(c.worker_id, c.occupation_id): c for c in batch.candidates.all()}
        workers = _workers_by_number(rows, services.batch_workers(batch))
        return BatchContext(batch, "", OccupationLookup(), workers, candidates)

    def prepare(self, rows):
        return self._context(rows)

    def natural_key(self, row):
        number = _normalised_id(row.get("id_number"))
        occupation = _key(row.get("occupation_code") or row.get("occupation_name"))
        return (number, occupation) if number else None


class CandidatesImporter(_BatchImporter):
    title = "评价批次考生导入"
    key_columns = ("id_number",)
    columns = [
        ID_COLUMN,
        NAME_COLUMN,
        OCCUPATION_CODE,
        OCCUPATION_NAME,
        Column("level", "申报等级", required=True, width=16, help=LEVEL_HELP, aliases=("等级", "技能等级", "报考等级")),
        Column(
            "number",
            "证书编号",
            kind="code",
            max_length=40,
            width=24,
            help="已确定证书编号的可填写；留空则发证时按编号规则生成。",
            aliases=("证书号",),
        ),
    ]
    description = (
        "每行一名考生：须为本批次所在企业的在职职工；同一职工同一职业已报名的不会重复添加。有任何一行出错都不会写入。"
    )

    def clean_row(self, values, context: BatchContext):
        if context.refusal:
            raise RowError(None, context.refusal)
        missing = f"{context.batch.enterprise.name}的职工台账中没有该身份证号的在职职工"
        row = _collect(
            [
                ("worker", lambda: _worker(values, _id_of(values), context.workers, missing)),
                (
                    "occupation",
                    lambda: context.occupations.resolve(values.get("occupation_code"), values.get("occupation_name")),
                ),
                ("level", lambda: CertificateImporter._level(values)),
            ]
        )
        row["number"] = services.clean_number(values.get("number"))
        row["existing"] = (row["worker"].pk, row["occupation"].pk) in context.candidates
        return row

    def plan(self, rows, context):
        unchanged = sum(1 for row in rows if row["existing"])
        return {"created": len(rows) - unchanged, "updated": 0, "unchanged": unchanged}

    def write(self, rows, context: BatchContext):
        groups = defaultdict(list)
        for row in rows:
            if not row["existing"]:
                groups[(row["occupation"], row["level"])].append(row)
        created = 0
        for (occupation, level), group in groups.items():
            numbers = {row["worker"].pk: row["number"] for row in group}
            added, _ = services.add_candidates(
                self.user,
                context.batch,
                [row["worker"] for row in group],
                occupation=occupation,
                level=level,
                numbers=numbers,
            )
            created += len(added)
        return {"created": created, "updated": 0, "unchanged": len(rows) - created}


class ResultsImporter(_BatchImporter):
    title = "评价批次成绩导入"
    key_columns = ("id_number",)
    columns = [
        ID_COLUMN,
        NAME_COLUMN,
        Column(
            "occupation_code",
            "职业编码",
            kind="code",
            width=14,
            help="考生在本批次报名多个职业时填写。",
            aliases=("职业代码",),
        ),
        Column(
            "occupation_name",
            "职业名称",
            max_length=100,
            width=16,
            help="考生在本批次报名多个职业时填写。",
            aliases=("职业（工种）", "工种", "职业"),
        ),
        Column("theory", "理论成绩", kind="decimal", width=10, aliases=("理论", "理论知识", "理论考试成绩")),
        Column(
            "practice", "实操成绩", kind="decimal", width=10, aliases=("实操", "技能操作", "操作技能", "实操考核成绩")
        ),
        Column(
            "result",
            "结果",
            width=10,
            help="合格 / 不合格；不填则按批次合格分数线判定。",
            aliases=("评价结果", "是否合格"),
        ),
        Column(
            "number",
            "证书编号",
            kind="code",
            max_length=40,
            width=24,
            help="留空则保持原编号或发证时生成。",
            aliases=("证书号",),
        ),
    ]
    description = "每行一名已报名考生的成绩；身份证号（和职业）须与本批次的考生对应。有任何一行出错都不会写入。"

    def clean_row(self, values, context: BatchContext):
        if context.refusal:
            raise RowError(None, context.refusal)
        missing = "该身份证号不是本批次的考生"
        errors, candidate = [], None
        try:
            worker = _worker(values, _id_of(values), context.workers, missing)
            candidate = self._candidate(worker, values, context)
        except RowError as error:
            errors.append(error)
        except Reported:
            raise RowErrors([]) from None
        for key in ("theory", "practice"):
            if values.get(key) is not None and not (0 <= values[key] <= 100):
                errors.append(RowError(key, "成绩应在0到100之间"))
        result = ""
        if values.get("result"):
            try:
                result = parse_result(values["result"])
            except ValueError as exc:
                errors.append(RowError("result", str(exc)))
        if errors:
            raise RowErrors(errors)
        number = services.clean_number(values.get("number")) or None
        entry = services.Result(values.get("theory"), values.get("practice"), result, number)
        return {"candidate": candidate, "entry": entry}

    @staticmethod
    def _candidate(worker, values, context: BatchContext) -> Candidate:
        mine = [c for (worker_id, _), c in context.candidates.items() if worker_id == worker.pk]
        if not mine:
            raise RowError("id_number", "该职工没有报名本批次")
        code, name = values.get("occupation_code"), values.get("occupation_name")
        if code or name:
            occupation = context.occupations.resolve(code, name)
            chosen = [c for c in mine if c.occupation_id == occupation.pk]
            if not chosen:
                raise RowError("occupation_name", f"该职工没有报名本批次的“{occupation.name}”")
            return chosen[0]
        if len(mine) > 1:
            raise RowError("occupation_name", "该职工在本批次报名了多个职业，请填写职业编码或职业名称")
        return mine[0]

    def plan(self, rows, context: BatchContext):
        changed = sum(1 for row in rows if services.result_change(context.batch, row["candidate"], row["entry"]))
        return {"created": 0, "updated": changed, "unchanged": len(rows) - changed}

    def write(self, rows, context: BatchContext):
        changed = services.record_results(self.user, context.batch, {row["candidate"].pk: row["entry"] for row in rows})
        return {"created": 0, "updated": changed, "unchanged": len(rows) - changed}


def _bound(base: type[_BatchImporter], prefix: str):
    def build(rest: str) -> type[Importer]:
        # No existence check: an unknown batch and one out of reach look the same (refused at validation).
        if not rest.isdigit():
            raise KeyError(rest)
        return type(f"{base.__name__}For", (base,), {"key": f"{prefix}:{int(rest)}", "batch_pk": int(rest)})

    return build


register_importer_factory(CANDIDATES_PREFIX, _bound(CandidatesImporter, CANDIDATES_PREFIX))
register_importer_factory(RESULTS_PREFIX, _bound(ResultsImporter, RESULTS_PREFIX))
