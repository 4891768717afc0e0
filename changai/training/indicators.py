"""Training figures for any org's subtree and period: person-times, completions, scholarships, students.

Training is counted where the worker was employed when enrolled (Enrolment.enterprise), education upgrades
where the worker was employed when the study began, so a county's figures hold its own enterprises' people
whoever organised the class.
"""

from django.db.models import Count, Q, Sum

from changai.indicators.registry import as_of, count_in_subtrees, register

from .models import Attendance, EducationUpgrade, Enrolment, ScholarshipPayment

_QUALITY = "quality"


@register(
    "training_class_person_times",
    "平台培训班出勤人次",
    "人次",
    _QUALITY,
    aggregation="sum",
    description="期内上课的培训课次的出勤人次：每名学员每出勤一次课计1人次，按学员报名时所在企业统计。",
)
def training_person_times(period, orgs):
    attended = Attendance.objects.filter(session__held_on__range=(period.start, period.end))
    return count_in_subtrees(attended, orgs, path_field="enrolment__enterprise__path")


@register(
    "training_completions",
    "培训结业人数",
    "人次",
    _QUALITY,
    aggregation="sum",
    description="期内结业的培训学员数（一人结业两个班计2）：参训学时达到班级结业学时并办理结业。",
)
def training_completions(period, orgs):
    completed = Enrolment.objects.filter(completed=True, completed_on__range=(period.start, period.end))
    return count_in_subtrees(completed, orgs, path_field="enterprise__path")


@register(
    "training_scholarships_paid",
    "发放助学金金额",
    "元",
    _QUALITY,
    aggregation="sum",
    description="期内发放给学历提升（求学圆梦）职工的助学金合计，按职工入学时所在企业统计。",
)
def training_scholarships_paid(period, orgs):
    paid = ScholarshipPayment.objects.filter(paid_on__range=(period.start, period.end))
    return count_in_subtrees(paid, orgs, path_field="upgrade__enterprise__path", aggregate=Sum("amount"))


@register(
    "training_upgrade_students",
    "学历提升在读职工数",
    "人",
    _QUALITY,
    description="期末正在就读（已入学、尚未毕业或退学）学历提升的职工人数。",
)
def training_upgrade_students(period, orgs):
    day = as_of(period)
    studying = EducationUpgrade.objects.filter(started_on__lte=day).exclude(
        Q(graduated_on__lte=day) | Q(withdrawn_on__lte=day)
    )
    return count_in_subtrees(studying, orgs, path_field="enterprise__path", aggregate=Count("worker", distinct=True))
