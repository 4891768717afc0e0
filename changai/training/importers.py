"""Importing a class's attendance from a sign-in sheet (签到表): one importer per class, keyed
`training.attendance:<class pk>`. Each row is one person-time: a worker on the roster present at one session."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from changai.core.imports import Column, Importer, RowError, RowErrors, register_importer_factory
from changai.workers import pii
from changai.workers.cleaning import normalise_id_number, to_halfwidth

from . import services
from .models import Attendance, Enrolment, TrainingClass, TrainingSession

PREFIX = "training.attendance"

COLUMNS = [
    Column(
        "id_number",
        "身份证号",
        required=True,
        kind="code",
        width=22,
        help="学员的18位身份证号；请把该列设为“文本”格式，以免末位X或末几位数字丢失。",
        aliases=("身份证号码", "公民身份号码", "证件号码"),
    ),
    Column("name", "姓名", max_length=40, width=10, help="选填；填写时须与身份证号对应的职工姓名一致。"),
    Column(
        "number",
        "课次",
        kind="int",
        min_value=1,
        width=8,
        help="第几次课（见培训班页面的课次列表）；与上课日期至少填一项。",
        aliases=("第几次课", "课次序号"),
    ),
    Column(
        "held_on",
        "上课日期",
        kind="date",
        width=14,
        help="同一天有多次课时须填写课次。",
        aliases=("日期", "签到日期", "培训日期"),
    ),
]


def importer_key(training_class: TrainingClass) -> str:
    return f"{PREFIX}:{training_class.pk}"


@dataclass
class AttendanceContext:
    training_class: TrainingClass | None
    allowed: bool
    roster: dict[str, Enrolment] = field(default_factory=dict)  # id hash -> enrolment
    sessions: list[TrainingSession] = field(default_factory=list)
    present: set[tuple[int, int]] = field(default_factory=set)  # (session, enrolment)


def _id_number(value) -> str | None:
    try:
        return normalise_id_number(value)
    except ValidationError:
        return None


class AttendanceImporter(Importer):
    class_pk: int
    title = "培训出勤导入"
    permission = "training.add_attendance"
    key_columns = ("id_number", "number", "held_on")
    columns = COLUMNS
    description = (
        "每行一条签到记录（一人次）：本班已报名学员在某一课次出勤。课次或上课日期至少填一项。"
        "已登记的出勤不会重复计算；有任何一行出错都不会写入。"
    )

    def prepare(self, rows):
        training_class = TrainingClass.objects.select_related("organiser").filter(pk=self.class_pk).first()
        allowed = training_class is not None and services.can_manage_class(self.user, training_class)
        context = AttendanceContext(training_class, allowed)
        if not allowed:
            return context
        enrolments = training_class.enrolments.select_related("worker", "training_class")
        context.roster = {enrolment.worker.id_hash: enrolment for enrolment in enrolments}
        context.sessions = list(training_class.sessions.all())
        context.present = set(
            Attendance.objects.filter(session__training_class=training_class).values_list("session_id", "enrolment_id")
        )
        return context

    def natural_key(self, row):
        number = _id_number(row.get("id_number"))
        if number is None or (row.get("number") is None and row.get("held_on") is None):
            return None
        return (number, row.get("number"), row.get("held_on"))

    def clean_row(self, values, context: AttendanceContext):
        if not context.allowed:
            raise RowError(None, "您无权为该培训班导入出勤（只有主办方可以登记出勤）。")
        errors = []
        enrolment = self._enrolment(values, context, errors)
        session = self._session(values, context, errors)
        if errors:
            raise RowErrors(errors)
        return {**values, "enrolment": enrolment, "session": session}

    def _enrolment(self, values, context, errors) -> Enrolment | None:
        raw = values.get("id_number")
        if not raw:
            return None
        try:
            number = normalise_id_number(raw)
        except ValidationError as exc:
            errors.append(RowError("id_number", exc.messages[0]))
            return None
        enrolment = context.roster.get(pii.keyed_hash(number))
        if enrolment is None:
            errors.append(RowError("id_number", "该职工不在本班名册中，请先在培训班页面为其报名"))
            return None
        name = to_halfwidth(values.get("name") or "").strip()
        if name and name.replace(" ", "") != enrolment.worker.name.replace(" ", ""):
            errors.append(RowError("name", f"姓名与身份证号不符：名册中该身份证号的学员是{enrolment.worker.name}"))
        return enrolment

    def _session(self, values, context, errors) -> TrainingSession | None:
        number, held_on = values.get("number"), values.get("held_on")
        if number is None and held_on is None:
            errors.append(RowError("number", "课次和上课日期至少填写一项"))
            return None
        found = [
            s
            for s in context.sessions
            if (number is None or s.number == number) and (held_on is None or s.held_on == held_on)
        ]
        if len(found) == 1:
            return found[0]
        if found:
            errors.append(RowError("number", f"{held_on:%Y-%m-%d}有{len(found)}次课，请填写课次"))
        elif number is not None and held_on is not None:
            errors.append(RowError("held_on", f"本班没有{held_on:%Y-%m-%d}的第{number}次课，请核对课次和日期"))
        elif number is not None:
            errors.append(RowError("number", f"本班没有第{number}次课，请先在培训班页面排课"))
        else:
            errors.append(RowError("held_on", f"本班在{held_on:%Y-%m-%d}没有排课"))
        return None

    def _is_new(self, row, context: AttendanceContext) -> bool:
        return (row["session"].pk, row["enrolment"].pk) not in context.present

    def plan(self, rows, context: AttendanceContext):
        created = sum(1 for row in rows if self._is_new(row, context))
        return {"created": created, "updated": 0, "unchanged": len(rows) - created}

    def write(self, rows, context: AttendanceContext):
        by_session = defaultdict(list)
        unchanged = 0
        for row in rows:
            if self._is_new(row, context):
                by_session[row["session"]].append(row["enrolment"])
            else:
                unchanged += 1
        created = sum(services.mark_present(self.user, session, people) for session, people in by_session.items())
        return {"created": created, "updated": 0, "unchanged": unchanged}


def build_importer(rest: str) -> type[Importer]:
    if not rest.isdigit() or not TrainingClass.objects.filter(pk=int(rest)).exists():
        raise KeyError(rest)
    return type("AttendanceImporterFor", (AttendanceImporter,), {"key": f"{PREFIX}:{int(rest)}", "class_pk": int(rest)})


register_importer_factory(PREFIX, build_importer)
