"""Importing worker ledgers and the occupation catalogue through the shared import framework.

Worker sheets come as enterprises keep them: a title row above the header, identity numbers typed as
text, as numbers (the X lost, or 3.2E+17), in full-width digits, dates as Excel serials or 2024.6.1 /
2024年6月1日. Every problem is reported by row and column, and nothing is written until the batch is
committed. Rules for people already on the platform:

- same identity number at the same enterprise: the row updates that worker (empty cells keep what is
  on the ledger);
- a worker who has left their last employer: re-hired here, keeping their talent timeline;
- a worker employed at another enterprise: an error, unless the row fills 调入日期 and that enterprise
  is also within the importing user's scope (a group moving people between its members): then moved.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.utils import timezone

from changai.accounts.scope import scope_for
from changai.core.imports import Column, Importer, RowError, RowErrors, SkipRow, in_chunks, register_importer
from changai.orgs.models import Kind, Org

from . import bulk, pii, services
from .cleaning import id_facts, normalise_id_number, normalise_phone, to_halfwidth
from .models import Education, Employment, Occupation, PoliticalStatus, Sequence, Worker

_OCCUPATION_CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
ACTION_CREATE, ACTION_UPDATE, ACTION_REHIRE, ACTION_MOVE = "create", "update", "rehire", "move"
_ID = "_id_number"  # the normalised number (or the ValidationError) kept in a row between checks


def _key(text) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).casefold()


EDUCATION_CHOICES = (
    *Education.choices,
    (Education.PRIMARY, "小学"),
    (Education.SENIOR, "高中"),
    (Education.SENIOR, "中专"),
    (Education.SENIOR, "技校"),
    (Education.SENIOR, "职高"),
    (Education.COLLEGE, "专科"),
    (Education.BACHELOR, "大学本科"),
    (Education.MASTER, "硕士"),
    (Education.MASTER, "研究生"),
    (Education.DOCTOR, "博士"),
)
POLITICAL_CHOICES = (
    *PoliticalStatus.choices,
    (PoliticalStatus.PARTY, "党员"),
    (PoliticalStatus.PROBATIONARY, "预备党员"),
    (PoliticalStatus.LEAGUE, "团员"),
)
SEQUENCE_CHOICES = (
    *Sequence.choices,
    (Sequence.MANAGEMENT, "管理"),
    (Sequence.TECHNICAL, "技术"),
    (Sequence.SKILLS, "技能"),
)

WORKER_COLUMNS = [
    Column("name", "姓名", required=True, max_length=40, width=12, aliases=("职工姓名",)),
    Column(
        "id_number",
        "身份证号",
        required=True,
        width=22,
        help="18位居民身份证号。请把该列设为“文本”格式：存成数字会丢掉末尾的X或显示成3.2E+17。性别和出生日期由号码自动得出。",
        aliases=("身份证号码", "身份证", "公民身份号码", "证件号码"),
    ),
    Column(
        "phone",
        "手机号",
        width=15,
        help="11位手机号，或带区号的固定电话。",
        aliases=("手机", "手机号码", "联系电话", "电话"),
    ),
    Column("education", "学历", kind="choice", choices=EDUCATION_CHOICES, width=14, aliases=("文化程度",)),
    Column("political_status", "政治面貌", kind="choice", choices=POLITICAL_CHOICES, width=12),
    Column(
        "occupation_code",
        "职业编码",
        kind="code",
        width=14,
        help="《职业分类大典》编码，如 6-18-01-01（车工）；填写编码或职业名称之一。",
        aliases=("职业代码", "工种编码"),
    ),
    Column(
        "occupation_name",
        "职业（工种）",
        max_length=100,
        width=18,
        help="与职业目录中的名称一致，如“车工”“焊工”；已填写职业编码时可不填。",
        aliases=("职业名称", "工种", "职业"),
    ),
    Column(
        "frontline",
        "一线职工",
        kind="bool",
        width=10,
        help="是 / 否；新职工不填视为“是”。",
        aliases=("是否一线职工", "一线"),
    ),
    Column("hired_on", "入职日期", kind="date", width=14, aliases=("入职时间", "进厂日期", "入厂日期")),
    Column("sequence", "岗位序列", kind="choice", choices=SEQUENCE_CHOICES, width=12, aliases=("序列",)),
    Column("grade", "岗位等级", max_length=30, width=12, aliases=("岗级", "职级")),
    Column(
        "enterprise",
        "所在企业",
        max_length=120,
        width=28,
        help="集团或上级单位一次导入多家企业时填写企业名称或统一社会信用代码；导入到单个企业时可不填。",
        aliases=("企业名称", "单位名称", "工作单位", "统一社会信用代码"),
    ),
    Column(
        "moved_on",
        "调入日期",
        kind="date",
        width=14,
        help="职工目前在您管辖的另一家企业在职、要调入本行企业时填写；其他情况不填。",
        aliases=("调动日期",),
    ),
]
_OPTIONAL_UPDATES = ("education", "political_status", "frontline", "sequence", "grade")


@dataclass
class Existing:
    pk: int
    name: str
    enterprise_id: int | None
    hired_on: date | None


@dataclass
class WorkerContext:
    existing: dict[str, Existing] = field(default_factory=dict)  # id_hash -> worker already on the platform
    enterprises: dict[str, list[Org]] = field(default_factory=dict)  # name/credit-code key -> orgs
    enterprise_by_pk: dict[int, Org] = field(default_factory=dict)
    occupations_by_code: dict[str, int] = field(default_factory=dict)
    occupations_by_name: dict[str, int] = field(default_factory=dict)
    default_enterprise: Org | None = None
    allowed: bool = True
    today: date = field(default_factory=services.today)


@register_importer
class WorkerImporter(Importer):
    key = "workers.workers"
    title = "职工台账导入"
    permission = "workers.add_worker"
    key_columns = ("id_number",)
    columns = WORKER_COLUMNS
    description = (
        "每行一名职工。身份证号已在本企业台账中的更新该职工（空白单元格保留原值）；已离职的职工重新入职；"
        "在其他企业在职的职工需填写“调入日期”且该企业在您的管辖范围内才会调入。有任何一行出错都不会写入。"
    )

    # ------------------------------------------------------------------ checking

    def natural_key(self, row):
        number = self._number(row)
        return (number,) if isinstance(number, str) else None

    @staticmethod
    def _number(row) -> str | ValidationError | None:
        """The normalised identity number of the row (computed once, kept in the row)."""
        if _ID not in row:
            raw = row.get("id_number")
            if raw in (None, ""):
                row[_ID] = None
            else:
                try:
                    row[_ID] = normalise_id_number(raw)
                except ValidationError as exc:
                    row[_ID] = exc
        return row[_ID]

    def prepare(self, rows):
        context = WorkerContext(allowed=self.user.has_perm(self.permission))
        if self.org is not None and self.org.kind == Kind.ENTERPRISE:
            context.default_enterprise = self.org
            context.enterprise_by_pk[self.org.pk] = self.org
        numbers = [number for number in map(self._number, rows) if isinstance(number, str)]
        hashes = bulk.hash_all(numbers)
        for row, key in zip((row for row in rows if isinstance(row[_ID], str)), hashes, strict=True):
            row["id_hash"] = key
        self._load_existing(context, hashes)
        self._load_enterprises(context, {row["enterprise"] for row in rows if row.get("enterprise")})
        self._load_occupations(context, rows)
        return context

    def _load_existing(self, context: WorkerContext, hashes: list[str]) -> None:
        for key, pk, name, enterprise_id, hired_on in bulk.existing_by_hash(hashes):
            context.existing[key] = Existing(pk, name, enterprise_id, hired_on)
        others = {e.enterprise_id for e in context.existing.values()} - {None}
        for chunk in in_chunks(others):
            context.enterprise_by_pk.update({org.pk: org for org in Org.objects.filter(pk__in=chunk)})

    def _area(self):
        """Enterprises this import may write into: in the user's scope and in the batch org's subtree or group."""
        queryset = Org.objects.filter(scope_for(self.user).q(""), kind=Kind.ENTERPRISE, is_active=True)
        if self.org is None:
            return queryset
        return queryset.filter(Q(path__startswith=self.org.path) | Q(group=self.org))

    def _load_enterprises(self, context: WorkerContext, references: set[str]) -> None:
        keys = sorted(references | {_key(reference).upper() for reference in references})
        for chunk in in_chunks(keys):
            for org in self._area().filter(Q(name__in=chunk) | Q(credit_code__in=chunk)):
                for reference in (org.name, org.credit_code):
                    if reference and org not in context.enterprises.setdefault(_key(reference), []):
                        context.enterprises[_key(reference)].append(org)
                context.enterprise_by_pk[org.pk] = org

    def _load_occupations(self, context: WorkerContext, rows) -> None:
        codes = {row["occupation_code"] for row in rows if row.get("occupation_code")}
        names = {row["occupation_name"].strip() for row in rows if row.get("occupation_name")}
        codes |= {to_halfwidth(name) for name in names if _OCCUPATION_CODE.match(to_halfwidth(name))}
        active = Occupation.objects.filter(is_active=True)
        for chunk in in_chunks(codes):
            context.occupations_by_code.update(dict(active.filter(code__in=chunk).values_list("code", "pk")))
        for chunk in in_chunks(names):
            for name, pk in active.filter(name__in=chunk).values_list("name", "pk"):
                context.occupations_by_name[_key(name)] = pk
                context.occupations_by_name[name] = pk

    def clean_row(self, values, context: WorkerContext):
        if not context.allowed:  # checked once in prepare: has_perm per row costs more than the row
            raise SkipRow("无导入权限")
        errors = []
        number = self._number(values)
        if isinstance(number, ValidationError):
            errors.append(RowError("id_number", " ".join(number.messages)))
        enterprise = self._enterprise(values, context, errors)
        values["phone"] = self._clean(normalise_phone, values, "phone", errors)
        values["occupation_id"] = self._occupation(values, context, errors)
        self._check_dates(values, context, errors)
        if isinstance(number, str) and enterprise is not None:
            self._decide(values, number, enterprise, context, errors)
        if errors:
            raise RowErrors(errors)
        values["enterprise_id"] = enterprise.pk
        return values

    @staticmethod
    def _clean(function, values, key, errors):
        try:
            return function(values.get(key))
        except ValidationError as exc:
            errors.append(RowError(key, " ".join(exc.messages)))
            return None

    def _enterprise(self, values, context: WorkerContext, errors) -> Org | None:
        reference = values.get("enterprise")
        if not reference:
            if context.default_enterprise is None:
                errors.append(RowError("enterprise", "请填写所在企业（导入到的组织不是企业时，每行都要填写）"))
            return context.default_enterprise
        found = context.enterprises.get(_key(reference), [])
        if len(found) > 1:
            errors.append(RowError("enterprise", f"有{len(found)}家名为“{reference}”的企业，请改填统一社会信用代码"))
            return None
        if not found:
            errors.append(RowError("enterprise", f"在本次导入范围内没有找到企业“{reference}”，请核对名称或信用代码"))
            return None
        return found[0]

    def _occupation(self, values, context: WorkerContext, errors) -> int | None:
        code, name = values.get("occupation_code"), (values.get("occupation_name") or "").strip()
        if not code and _OCCUPATION_CODE.match(to_halfwidth(name)):
            code = to_halfwidth(name)  # a code typed into the name column
        if code:
            pk = context.occupations_by_code.get(code)
            if pk is None:
                errors.append(RowError("occupation_code", f"职业目录中没有编码“{code}”（或已停用）"))
            return pk
        if name:
            pk = context.occupations_by_name.get(name) or context.occupations_by_name.get(_key(name))
            if pk is None:
                errors.append(RowError("occupation_name", f"职业目录中没有“{name}”，请填写目录中的名称或职业编码"))
            return pk
        return None

    def _check_dates(self, values, context: WorkerContext, errors) -> None:
        for key, label in (("hired_on", "入职日期"), ("moved_on", "调入日期")):
            day = values.get(key)
            if day and day > context.today:
                errors.append(RowError(key, f"{label}不能晚于今天"))

    def _decide(self, values, number: str, enterprise: Org, context: WorkerContext, errors) -> None:
        """Create, update, re-hire or move; or an error for someone employed elsewhere."""
        existing = context.existing.get(values["id_hash"])
        moved_on = values.get("moved_on")
        if existing is None or existing.enterprise_id in (None, enterprise.pk):
            values["action"] = (
                ACTION_CREATE if existing is None else (ACTION_UPDATE if existing.enterprise_id else ACTION_REHIRE)
            )
            if moved_on:
                errors.append(RowError("moved_on", "该职工不在其他企业在职，无需填写调入日期（新入职请填写入职日期）"))
            if values["action"] == ACTION_REHIRE:
                self._check_rehire(values, existing, errors)
        else:
            self._decide_move(values, existing, moved_on, context, errors)
        if existing is not None:
            values["worker_id"] = existing.pk
            if values.get("name") and _key(existing.name) != _key(values["name"]):
                errors.append(
                    RowError("name", f"该身份证号已登记为“{existing.name}”，与本行姓名不一致，请核对号码或姓名")
                )

    @staticmethod
    def _check_rehire(values, existing: Existing, errors) -> None:
        """Someone who left: the new stint must start after the last one ended (rare rows: one query each)."""
        last = Employment.objects.filter(worker_id=existing.pk).aggregate(last=Max("left_on"))["last"]
        hired_on = values.get("hired_on")
        if last and hired_on and hired_on <= last:
            errors.append(RowError("hired_on", f"该职工上一份工作的离职日期是{last}，入职日期应晚于该日期"))

    def _decide_move(self, values, existing: Existing, moved_on, context: WorkerContext, errors) -> None:
        current = context.enterprise_by_pk.get(existing.enterprise_id)
        in_reach = current is not None and scope_for(self.user).contains(current)
        if not in_reach:
            errors.append(RowError("id_number", "该职工目前在其他单位在职，需原单位办理离职后才能登记"))
        elif not moved_on:
            errors.append(RowError("moved_on", f"该职工目前在“{current.name}”在职；如需调入本企业，请填写调入日期"))
        elif existing.hired_on and moved_on <= existing.hired_on:
            errors.append(RowError("moved_on", f"调入日期应晚于在“{current.name}”的入职日期（{existing.hired_on}）"))
        else:
            values["action"] = ACTION_MOVE

    # ------------------------------------------------------------------ writing

    def plan(self, rows, context):
        counts = Counter(row["action"] for row in rows)
        return {"created": counts[ACTION_CREATE], "updated": len(rows) - counts[ACTION_CREATE], "unchanged": 0}

    def write(self, rows, context: WorkerContext):
        by_action: dict[str, list[dict]] = {}
        for row in rows:
            by_action.setdefault(row["action"], []).append(row)
        self._create(by_action.get(ACTION_CREATE, []))
        updated = self._update(by_action.get(ACTION_UPDATE, []))
        for row in by_action.get(ACTION_REHIRE, []):
            services.register_worker(context.enterprise_by_pk[row["enterprise_id"]], **self._service_fields(row))
        for row in by_action.get(ACTION_MOVE, []):
            self._move(row, context)
        moved = len(by_action.get(ACTION_REHIRE, [])) + len(by_action.get(ACTION_MOVE, []))
        return {
            "created": len(by_action.get(ACTION_CREATE, [])),
            "updated": updated + moved,
            "unchanged": len(by_action.get(ACTION_UPDATE, [])) - updated,
        }

    def _create(self, rows: list[dict]) -> None:
        for row in rows:
            row["number"] = row[_ID]
            row["gender"], row["birth_date"] = id_facts(row["number"])
            row["name"] = row["name"].strip()
            row["phone"] = row["phone"] or ""
            row["education"] = row["education"] or ""
            row["political_status"] = row["political_status"] or ""
            row["frontline"] = True if row["frontline"] is None else row["frontline"]
            row["sequence"] = row["sequence"] or Sequence.SKILLS
            row["grade"] = row["grade"] or ""
        bulk.insert_workers(rows)

    def _update(self, rows: list[dict]) -> int:
        """Apply the non-empty cells to workers on this enterprise's ledger; returns how many changed."""
        changed, now = [], timezone.now()
        for chunk in in_chunks(rows, 2000):
            workers = Worker.objects.in_bulk([row["worker_id"] for row in chunk])
            jobs = {
                job.worker_id: job
                for job in Employment.objects.filter(worker_id__in=list(workers), left_on__isnull=True)
            }
            for row in chunk:
                worker = workers[row["worker_id"]]
                if self._apply_update(worker, row):
                    worker.updated_at = now
                    changed.append((worker, jobs.get(worker.pk)))
        worker_fields = ["phone_cipher", "phone_masked", *_OPTIONAL_UPDATES, "occupation", "hired_on", "updated_at"]
        bulk.update_objects(Worker, [worker for worker, _ in changed], worker_fields)
        job_fields = ["frontline", "sequence", "grade", "occupation", "hired_on"]
        for worker, job in changed:
            if job is not None:
                for name in ("frontline", "sequence", "grade", "occupation_id", "hired_on"):
                    setattr(job, name, getattr(worker, name))  # attnames: no query per row
        bulk.update_objects(Employment, [job for _, job in changed if job is not None], job_fields)
        return len(changed)

    @staticmethod
    def _apply_update(worker: Worker, row: dict) -> bool:
        before = {name: getattr(worker, name) for name in (*_OPTIONAL_UPDATES, "occupation_id", "hired_on")}
        for name in _OPTIONAL_UPDATES:
            if row.get(name) not in (None, ""):
                setattr(worker, name, row[name])
        if row.get("occupation_id"):
            worker.occupation_id = row["occupation_id"]
        if row.get("hired_on"):
            worker.hired_on = row["hired_on"]
        changed = before != {name: getattr(worker, name) for name in before}
        if row.get("phone") and row["phone"] != pii.decrypt(worker.phone_cipher):
            services.set_phone(worker, row["phone"])
            changed = True
        return changed

    @staticmethod
    def _service_fields(row: dict) -> dict:
        fields = {"name": row["name"], "id_number": row[_ID], "phone": row["phone"] or ""}
        for name in ("education", "political_status", "sequence", "grade", "hired_on", "frontline"):
            if row.get(name) not in (None, ""):
                fields[name] = row[name]
        if row.get("occupation_id"):
            fields["occupation"] = Occupation.objects.get(pk=row["occupation_id"])
        return fields

    def _move(self, row: dict, context: WorkerContext) -> None:
        worker = Worker.objects.get(pk=row["worker_id"])
        fields = self._service_fields(row)
        job = {name: fields[name] for name in ("occupation", "frontline", "sequence", "grade") if name in fields}
        services.move_worker(worker, context.enterprise_by_pk[row["enterprise_id"]], row["moved_on"], **job)
        if fields["phone"]:
            services.update_worker(worker, phone=fields["phone"])


# ---------------------------------------------------------------------------- the occupation catalogue

OCCUPATION_LEVELS = (
    ("major", "大类"),
    ("middle", "中类"),
    ("minor", "小类"),
    ("occupation", "职业（细类）"),
)
_CODE_SHAPE = re.compile(r"^\d(-\d{2}){0,3}$")


@dataclass
class OccupationContext:
    groups: dict[str, str] = field(default_factory=dict)  # major/middle code -> name (from the sheet)
    existing: dict[str, tuple[str, str, bool]] = field(default_factory=dict)  # code -> (name, category, active)


@register_importer
class OccupationImporter(Importer):
    key = "workers.occupations"
    title = "职业（工种）目录导入"
    permission = "workers.add_occupation"
    key_columns = ("code",)
    columns = [
        Column(
            "code",
            "code",
            required=True,
            kind="code",
            width=14,
            help="职业分类大典编码，如 6-18-01-01",
            aliases=("编码", "职业编码"),
        ),
        Column("name", "name", required=True, max_length=100, width=30, aliases=("名称", "职业名称")),
        Column(
            "level",
            "level",
            required=True,
            kind="choice",
            choices=OCCUPATION_LEVELS,
            width=12,
            help="major / middle / minor / occupation；只有 occupation（细类）行成为可选的职业，中类用作所属类别。",
            aliases=("层级",),
        ),
        Column("parent_code", "parent_code", kind="code", width=14, aliases=("上级编码",)),
    ]
    description = (
        "与《中华人民共和国职业分类大典（2022年版）》目录文件格式相同（code,name,level,parent_code）。"
        "细类（occupation）行按编码新增或更新职业名称；大类、中类行只用来填写职业的所属类别。"
    )

    def prepare(self, rows):
        context = OccupationContext()
        for row in rows:
            if row.get("level") in ("major", "middle") and row.get("code") and row.get("name"):
                context.groups[row["code"]] = row["name"].strip()
        codes = [row["code"] for row in rows if row.get("level") == "occupation" and row.get("code")]
        for chunk in in_chunks(codes):
            for code, name, category, active in Occupation.objects.filter(code__in=chunk).values_list(
                "code", "name", "category", "is_active"
            ):
                context.existing[code] = (name, category, active)
        return context

    def clean_row(self, values, context: OccupationContext):
        if values.get("level") not in (None, "occupation"):
            raise SkipRow("分类层级（大类、中类、小类）")
        code = values.get("code") or ""
        if code and not _CODE_SHAPE.match(code):
            raise RowError("code", f"“{code}”不是职业分类大典的编码格式（如 6-18-01-01）")
        if code and code.count("-") != 3:
            raise RowError("level", "职业（细类）的编码应有四段，如 6-18-01-01")
        parts = code.split("-")
        middle = context.groups.get("-".join(parts[:2]))
        major = context.groups.get(parts[0])
        values["name"] = (values.get("name") or "").strip()
        values["category"] = middle or major or None
        return values

    def _state(self, row, context: OccupationContext) -> str:
        old = context.existing.get(row["code"])
        if old is None:
            return "created"
        name, category, active = old
        same = name == row["name"] and active and (row["category"] is None or row["category"] == category)
        return "unchanged" if same else "updated"

    def plan(self, rows, context):
        counts = Counter(self._state(row, context) for row in rows)
        return {key: counts[key] for key in ("created", "updated", "unchanged")}

    def write(self, rows, context: OccupationContext):
        counts = Counter()
        for row in rows:
            state = self._state(row, context)
            counts[state] += 1
            if state == "unchanged":
                continue
            defaults = {"name": row["name"], "is_active": True}
            if row["category"]:
                defaults["category"] = row["category"]
            Occupation.objects.update_or_create(code=row["code"], defaults=defaults)
        return {key: counts[key] for key in ("created", "updated", "unchanged")}
