from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from changai.core.web import attach_errors, xlsx_response
from changai.orgs.models import Org
from changai.workers.models import Worker

from . import exports, services
from .forms import (
    PICKER_LIMIT,
    ClassForm,
    CompleteForm,
    CourseForm,
    EndStudyForm,
    PaymentForm,
    SessionForm,
    UpgradeForm,
    search_workers,
)
from .importers import importer_key
from .models import (
    Attendance,
    Course,
    EducationUpgrade,
    Enrolment,
    Mode,
    ScholarshipPayment,
    StudyLevel,
    TrainingClass,
    TrainingSession,
)

PAGE_SIZE = 30
EXPORT_LIMIT = 20000
NAV = "training"
CLASS_STATES = [("upcoming", "未开班"), ("running", "进行中"), ("ended", "已结束")]


# ---------------------------------------------------------------------------- helpers


def _date_param(request, name: str) -> date | None:
    try:
        return date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None


def _export_query(filters: dict) -> str:
    return urlencode({**{k: v for k, v in filters.items() if v}, "export": "xlsx"})


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _course_for_user(request, course_pk) -> Course:
    return get_object_or_404(Course.objects.visible_to(request.user).select_related("organiser"), pk=course_pk)


def _class_for_user(request, trainingclass_pk) -> TrainingClass:
    classes = TrainingClass.objects.visible_to(request.user).select_related("course", "organiser")
    return get_object_or_404(classes, pk=trainingclass_pk)


def _managed_class(request, trainingclass_pk) -> TrainingClass:
    training_class = _class_for_user(request, trainingclass_pk)
    if not services.can_manage_class(request.user, training_class):
        raise PermissionDenied("只有主办方可以办理。")
    return training_class


def _upgrade_for_user(request, educationupgrade_pk) -> EducationUpgrade:
    upgrades = EducationUpgrade.objects.visible_to(request.user).select_related("worker", "enterprise")
    return get_object_or_404(upgrades, pk=educationupgrade_pk)


def _managed_upgrade(request, educationupgrade_pk) -> EducationUpgrade:
    upgrade = _upgrade_for_user(request, educationupgrade_pk)
    if not services.can_manage_upgrade(request.user, upgrade):
        raise PermissionDenied("您无权办理该学历提升记录。")
    return upgrade


def _save(request, form, save, success: str):
    """Validate a model form and save through the service; a broken rule shows on the form."""
    if not form.is_valid():
        return None
    try:
        instance = save(request.user, form.instance)
    except ValidationError as exc:
        attach_errors(form, exc)
        return None
    messages.success(request, success)
    return instance


def _selected(request, queryset, name="enrolment"):
    ids = [int(value) for value in request.POST.getlist(name) if value.isdigit()]
    return list(queryset.filter(pk__in=ids))


def _message_errors(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


# ---------------------------------------------------------------------------- courses


@login_required
@permission_required("training.view_course", raise_exception=True)
def course_list(request):
    courses = Course.objects.visible_to(request.user).select_related("organiser", "occupation")
    query, mode = request.GET.get("q", "").strip(), request.GET.get("mode", "")
    if query:
        courses = courses.filter(Q(title__icontains=query) | Q(organiser__name__icontains=query))
    if mode in Mode.values:
        courses = courses.filter(mode=mode)
    courses = courses.annotate(class_count=Count("classes")).order_by("-created_at", "-pk")
    filters = {"q": query, "mode": mode}
    if request.GET.get("export") == "xlsx":
        workbook = exports.courses_workbook(courses[:EXPORT_LIMIT])
        return xlsx_response(workbook, f"培训课程_{services.today():%Y%m%d}.xlsx")
    context = {
        "page_obj": _page(request, courses),
        "filters": filters,
        "filtered": any(filters.values()),
        "export_query": _export_query(filters),
        "modes": Mode.choices,
        "nav_active": NAV,
        "tab": "courses",
    }
    return render(request, "training/course_list.html", context)


@login_required
@permission_required("training.add_course", raise_exception=True)
def course_create(request):
    form = CourseForm(request.POST or None, user=request.user)
    if request.method == "POST" and _save(request, form, services.save_course, "课程已创建。"):
        return redirect("training:courses")
    return render(request, "training/course_form.html", {"form": form, "nav_active": NAV})


@login_required
@permission_required("training.change_course", raise_exception=True)
def course_edit(request, course_pk):
    course = _course_for_user(request, course_pk)
    if not services.can_manage_course(request.user, course):
        raise PermissionDenied("您无权修改该课程。")
    form = CourseForm(request.POST or None, instance=course, user=request.user)
    if request.method == "POST" and _save(request, form, services.save_course, "课程已保存。"):
        return redirect("training:courses")
    return render(request, "training/course_form.html", {"form": form, "course": course, "nav_active": NAV})


# ---------------------------------------------------------------------------- classes


def _with_counts(classes):
    attended = (
        Attendance.objects.filter(session__training_class=OuterRef("pk"))
        .order_by()
        .values("session__training_class")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return classes.annotate(
        enrolled_count=Count("enrolments", distinct=True),
        completed_count=Count("enrolments", filter=Q(enrolments__completed=True), distinct=True),
        person_times=Coalesce(Subquery(attended), 0),
    )


@login_required
@permission_required("training.view_trainingclass", raise_exception=True)
def class_list(request):
    today = services.today()
    classes = TrainingClass.objects.visible_to(request.user).select_related("course", "organiser")
    query, state = request.GET.get("q", "").strip(), request.GET.get("state", "")
    start, end = _date_param(request, "from"), _date_param(request, "to")
    if query:
        classes = classes.filter(
            Q(title__icontains=query) | Q(course__title__icontains=query) | Q(organiser__name__icontains=query)
        )
    if state == "upcoming":
        classes = classes.filter(starts_on__gt=today)
    elif state == "running":
        classes = classes.filter(starts_on__lte=today, ends_on__gte=today)
    elif state == "ended":
        classes = classes.filter(ends_on__lt=today)
    else:
        state = ""
    if start:
        classes = classes.filter(ends_on__gte=start)
    if end:
        classes = classes.filter(starts_on__lte=end)
    classes = _with_counts(classes).order_by("-starts_on", "-pk")
    filters = {
        "q": query,
        "state": state,
        "from": start.isoformat() if start else "",
        "to": end.isoformat() if end else "",
    }
    if request.GET.get("export") == "xlsx":
        return xlsx_response(exports.classes_workbook(classes[:EXPORT_LIMIT]), f"培训班_{today:%Y%m%d}.xlsx")
    context = {
        "page_obj": _page(request, classes),
        "filters": filters,
        "filtered": any(filters.values()),
        "export_query": _export_query(filters),
        "states": CLASS_STATES,
        "today": today,
        "nav_active": NAV,
        "tab": "classes",
    }
    return render(request, "training/class_list.html", context)


@login_required
@permission_required("training.add_trainingclass", raise_exception=True)
def class_create(request):
    initial = {}
    course_pk = request.GET.get("course", "")
    if course_pk.isdigit():
        course = Course.objects.visible_to(request.user).filter(pk=int(course_pk), is_active=True).first()
        if course:
            initial = {"course": course.pk, "organiser": course.organiser_id, "required_hours": course.hours}
    form = ClassForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST":
        created = _save(request, form, services.save_class, "培训班已创建，请排课并报名学员。")
        if created:
            return redirect("training:class_detail", trainingclass_pk=created.pk)
    return render(request, "training/class_form.html", {"form": form, "nav_active": NAV})


@login_required
@permission_required("training.change_trainingclass", raise_exception=True)
def class_edit(request, trainingclass_pk):
    training_class = _managed_class(request, trainingclass_pk)
    form = ClassForm(request.POST or None, instance=training_class, user=request.user)
    if request.method == "POST" and _save(request, form, services.save_class, "培训班已保存。"):
        return redirect("training:class_detail", trainingclass_pk=training_class.pk)
    context = {"form": form, "training_class": training_class, "nav_active": NAV}
    return render(request, "training/class_form.html", context)


def _roster(request, training_class: TrainingClass, manage: bool):
    enrolments = Enrolment.objects.filter(training_class=training_class)
    if not manage:
        enrolments = enrolments.visible_to(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        enrolments = enrolments.filter(Q(worker__name__icontains=query) | Q(enterprise__name__icontains=query))
    return enrolments.select_related("worker", "enterprise").order_by("enterprise__name", "worker__name", "pk"), query


@login_required
@permission_required("training.view_trainingclass", raise_exception=True)
def class_detail(request, trainingclass_pk):
    training_class = _class_for_user(request, trainingclass_pk)
    manage = services.can_manage_class(request.user, training_class)
    enrolments, query = _roster(request, training_class, manage)
    sessions = list(training_class.sessions.annotate(present=Count("attendances")))
    if request.GET.get("export") == "xlsx":
        rows = list(enrolments)
        present = set(
            Attendance.objects.filter(enrolment__in=[e.pk for e in rows]).values_list("session_id", "enrolment_id")
        )
        workbook = exports.roster_workbook(training_class, rows, sessions, present)
        return xlsx_response(workbook, f"{training_class.title}_学员名册.xlsx")
    page_obj = _page(request, enrolments)
    summary = services.class_summary(training_class)
    context = {
        "training_class": training_class,
        "manage": manage,
        "page_obj": page_obj,
        "sessions": sessions,
        "summary": summary,
        "query": query,
        "session_form": SessionForm(),
        "complete_form": CompleteForm(initial={"completed_on": min(services.today(), training_class.ends_on)}),
        "importer_key": importer_key(training_class),
        "today": services.today(),
        "nav_active": NAV,
    }
    return render(request, "training/class_detail.html", context)


@login_required
@permission_required("training.add_enrolment", raise_exception=True)
def class_enrol(request, trainingclass_pk):
    training_class = _managed_class(request, trainingclass_pk)
    if request.method == "POST":
        workers = Worker.objects.visible_to(request.user)
        chosen = _selected(request, workers, name="worker")
        if not chosen:
            messages.error(request, "请勾选要报名的职工。")
        else:
            try:
                result = services.enrol(request.user, training_class, chosen)
            except ValidationError as exc:
                _message_errors(request, exc)
            else:
                text = f"已报名{len(result.enrolled)}人。"
                if result.already:
                    text += f"{'、'.join(w.name for w in result.already)}已在名册中。"
                messages.success(request, text)
                return redirect("training:class_detail", trainingclass_pk=training_class.pk)
    query = request.GET.get("q", "").strip()
    enterprise_pk = request.GET.get("enterprise", "")
    enterprise = None
    if enterprise_pk.isdigit():
        enterprise = Org.objects.visible_to(request.user).filter(pk=int(enterprise_pk), kind="enterprise").first()
    found = search_workers(request.user, query, enterprise=enterprise) if query else None
    if enterprise is not None and not query:
        found = search_workers(request.user, "", enterprise=None).model.objects.visible_to(request.user)
        found = found.filter(enterprise=enterprise).select_related("enterprise")
    on_roster = set(training_class.enrolments.values_list("worker_id", flat=True))
    results = list(found.order_by("enterprise__name", "name")[:200]) if found is not None else []
    context = {
        "training_class": training_class,
        "query": query,
        "enterprise": enterprise,
        "results": results,
        "on_roster": on_roster,
        "free": training_class.capacity - len(on_roster),
        "nav_active": NAV,
    }
    return render(request, "training/class_enrol.html", context)


@login_required
@require_POST
@permission_required("training.add_trainingsession", raise_exception=True)
def session_add(request, trainingclass_pk):
    training_class = _managed_class(request, trainingclass_pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            session = services.add_session(request.user, training_class, **form.cleaned_data)
        except ValidationError as exc:
            _message_errors(request, exc)
        else:
            messages.success(request, f"已排{session}。")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("training:class_detail", trainingclass_pk=training_class.pk)


def _session_of(training_class, trainingsession_pk) -> TrainingSession:
    return get_object_or_404(TrainingSession, pk=trainingsession_pk, training_class=training_class)


@login_required
@require_POST
@permission_required("training.change_trainingsession", raise_exception=True)
def session_delete(request, trainingclass_pk, trainingsession_pk):
    training_class = _managed_class(request, trainingclass_pk)
    session = _session_of(training_class, trainingsession_pk)
    try:
        services.remove_session(request.user, session)
    except ValidationError as exc:
        _message_errors(request, exc)
    else:
        messages.success(request, f"已删除{session}。")
    return redirect("training:class_detail", trainingclass_pk=training_class.pk)


@login_required
@permission_required("training.add_attendance", raise_exception=True)
def session_attendance(request, trainingclass_pk, trainingsession_pk):
    training_class = _managed_class(request, trainingclass_pk)
    session = _session_of(training_class, trainingsession_pk)
    enrolments = training_class.enrolments.select_related("worker", "enterprise").order_by(
        "enterprise__name", "worker__name", "pk"
    )
    if request.method == "POST":
        present = _selected(request, training_class.enrolments.all())
        try:
            changed = services.set_attendance(request.user, session, present)
        except ValidationError as exc:
            _message_errors(request, exc)
        else:
            counts = f"新增{changed['added']}，取消{changed['removed']}"
            messages.success(request, f"{session}出勤已保存：出勤{len(present)}人次（{counts}）。")
            return redirect("training:class_detail", trainingclass_pk=training_class.pk)
    present = set(session.attendances.values_list("enrolment_id", flat=True))
    context = {
        "training_class": training_class,
        "session": session,
        "enrolments": enrolments,
        "present": present,
        "nav_active": NAV,
    }
    return render(request, "training/session_attendance.html", context)


@login_required
@require_POST
@permission_required("training.change_enrolment", raise_exception=True)
def class_complete(request, trainingclass_pk):
    training_class = _managed_class(request, trainingclass_pk)
    form = CompleteForm(request.POST)
    enrolments = training_class.enrolments.select_related("worker", "training_class")
    chosen = list(enrolments) if request.POST.get("all") == "1" else _selected(request, enrolments)
    if not form.is_valid():
        messages.error(request, "请填写有效的结业日期。")
    elif not chosen:
        messages.error(request, "请勾选要办理结业的学员。")
    else:
        try:
            result = services.complete(request.user, training_class, chosen, form.cleaned_data["completed_on"])
        except ValidationError as exc:
            _message_errors(request, exc)
        else:
            _report_completion(request, training_class, result)
    return redirect("training:class_detail", trainingclass_pk=training_class.pk)


def _report_completion(request, training_class, result) -> None:
    if result.completed:
        messages.success(request, f"已为{len(result.completed)}名学员办理结业。")
    if result.short:
        names = "、".join(e.worker.name for e in result.short[:10]) + ("等" if len(result.short) > 10 else "")
        messages.warning(
            request,
            f"{names}{len(result.short)}人参训学时未达到结业要求（{training_class.required_hours}学时），未办理结业。",
        )
    if not result.completed and not result.short:
        messages.info(request, "所选学员均已结业。")


def _enrolment_of(training_class, enrolment_pk) -> Enrolment:
    return get_object_or_404(
        Enrolment.objects.select_related("worker", "training_class"), pk=enrolment_pk, training_class=training_class
    )


@login_required
@require_POST
@permission_required("training.change_enrolment", raise_exception=True)
def enrolment_withdraw(request, trainingclass_pk, enrolment_pk):
    training_class = _managed_class(request, trainingclass_pk)
    enrolment = _enrolment_of(training_class, enrolment_pk)
    try:
        services.withdraw(request.user, enrolment)
    except ValidationError as exc:
        _message_errors(request, exc)
    else:
        messages.success(request, f"已取消{enrolment.worker.name}的报名。")
    return redirect("training:class_detail", trainingclass_pk=training_class.pk)


@login_required
@require_POST
@permission_required("training.change_enrolment", raise_exception=True)
def enrolment_revoke(request, trainingclass_pk, enrolment_pk):
    training_class = _managed_class(request, trainingclass_pk)
    enrolment = _enrolment_of(training_class, enrolment_pk)
    services.revoke_completion(request.user, enrolment)
    messages.success(request, f"已撤销{enrolment.worker.name}的结业。")
    return redirect("training:class_detail", trainingclass_pk=training_class.pk)


@login_required
@permission_required("training.add_attendance", raise_exception=True)
def attendance_import(request, trainingclass_pk):
    training_class = _managed_class(request, trainingclass_pk)
    return redirect("imports:upload", importer_key=importer_key(training_class))


# ---------------------------------------------------------------------------- education upgrades


def _paid_totals(upgrades):
    money = DecimalField(max_digits=12, decimal_places=2)
    return upgrades.annotate(paid_total=Coalesce(Sum("payments__amount"), Value(0), output_field=money))


@login_required
@permission_required("training.view_educationupgrade", raise_exception=True)
def upgrade_list(request):
    upgrades = EducationUpgrade.objects.visible_to(request.user).select_related("worker", "enterprise")
    query, status, level = request.GET.get("q", "").strip(), request.GET.get("status", ""), request.GET.get("level", "")
    if query:
        upgrades = upgrades.filter(
            Q(worker__name__icontains=query)
            | Q(school__icontains=query)
            | Q(programme__icontains=query)
            | Q(enterprise__name__icontains=query)
        )
    if status in EducationUpgrade.Status.values:
        upgrades = upgrades.filter(status=status)
    if level in StudyLevel.values:
        upgrades = upgrades.filter(level=level)
    upgrades = _paid_totals(upgrades).order_by("-started_on", "-pk")
    filters = {"q": query, "status": status, "level": level}
    if request.GET.get("export") == "xlsx":
        workbook = exports.upgrades_workbook(upgrades[:EXPORT_LIMIT])
        return xlsx_response(workbook, f"学历提升_{services.today():%Y%m%d}.xlsx")
    context = {
        "page_obj": _page(request, upgrades),
        "filters": filters,
        "filtered": any(filters.values()),
        "export_query": _export_query(filters),
        "statuses": EducationUpgrade.Status.choices,
        "levels": StudyLevel.choices,
        "nav_active": NAV,
        "tab": "upgrades",
    }
    return render(request, "training/upgrade_list.html", context)


@login_required
@permission_required("training.add_educationupgrade", raise_exception=True)
def upgrade_create(request):
    worker = None
    worker_pk = request.GET.get("worker") or request.POST.get("worker") or ""
    if worker_pk.isdigit():
        workers = Worker.objects.visible_to(request.user).filter(enterprise__isnull=False)
        worker = workers.select_related("enterprise").filter(pk=int(worker_pk)).first()
    if worker is None:
        query = request.GET.get("q", "").strip()
        results = list(search_workers(request.user, query).order_by("name")[:PICKER_LIMIT]) if query else []
        context = {"query": query, "results": results, "nav_active": NAV, "purpose": "登记学历提升"}
        return render(request, "training/upgrade_pick.html", context)
    form = UpgradeForm(request.POST or None, instance=EducationUpgrade(worker=worker))
    if request.method == "POST":
        created = _save(request, form, services.save_upgrade, f"已登记{worker.name}的学历提升。")
        if created:
            return redirect("training:upgrade_detail", educationupgrade_pk=created.pk)
    return render(request, "training/upgrade_form.html", {"form": form, "worker": worker, "nav_active": NAV})


@login_required
@permission_required("training.change_educationupgrade", raise_exception=True)
def upgrade_edit(request, educationupgrade_pk):
    upgrade = _managed_upgrade(request, educationupgrade_pk)
    form = UpgradeForm(request.POST or None, instance=upgrade)
    if request.method == "POST" and _save(request, form, services.save_upgrade, "已保存。"):
        return redirect("training:upgrade_detail", educationupgrade_pk=upgrade.pk)
    context = {"form": form, "worker": upgrade.worker, "upgrade": upgrade, "nav_active": NAV}
    return render(request, "training/upgrade_form.html", context)


def _upgrade_page(request, upgrade, status=200, **forms):
    payments = upgrade.payments.select_related("payer")
    visible = payments.visible_to(request.user)
    context = {
        "upgrade": upgrade,
        "payments": visible,
        "paid_total": services.scholarship_total(visible),
        "manage": services.can_manage_upgrade(request.user, upgrade),
        "can_pay": request.user.has_perm("training.add_scholarshippayment"),
        "payment_form": forms.get("payment_form") or PaymentForm(user=request.user),
        "end_form": forms.get("end_form") or EndStudyForm(initial={"on": services.today()}),
        "nav_active": NAV,
    }
    return render(request, "training/upgrade_detail.html", context, status=status)


@login_required
@permission_required("training.view_educationupgrade", raise_exception=True)
def upgrade_detail(request, educationupgrade_pk):
    return _upgrade_page(request, _upgrade_for_user(request, educationupgrade_pk))


@login_required
@require_POST
@permission_required("training.add_scholarshippayment", raise_exception=True)
def upgrade_pay(request, educationupgrade_pk):
    upgrade = _upgrade_for_user(request, educationupgrade_pk)
    form = PaymentForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            payment = services.pay_scholarship(request.user, upgrade, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"已登记助学金{payment.amount}元。")
            return redirect("training:upgrade_detail", educationupgrade_pk=upgrade.pk)
    return _upgrade_page(request, upgrade, status=400, payment_form=form)


def _end_study(request, educationupgrade_pk, end, success):
    upgrade = _managed_upgrade(request, educationupgrade_pk)
    form = EndStudyForm(request.POST)
    if form.is_valid():
        try:
            end(request.user, upgrade, form.cleaned_data["on"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("training:upgrade_detail", educationupgrade_pk=upgrade.pk)
    return _upgrade_page(request, upgrade, status=400, end_form=form)


@login_required
@require_POST
@permission_required("training.change_educationupgrade", raise_exception=True)
def upgrade_graduate(request, educationupgrade_pk):
    return _end_study(request, educationupgrade_pk, services.graduate, "已登记毕业。")


@login_required
@require_POST
@permission_required("training.change_educationupgrade", raise_exception=True)
def upgrade_withdraw(request, educationupgrade_pk):
    return _end_study(request, educationupgrade_pk, services.withdraw_study, "已登记退学。")


@login_required
@permission_required("training.view_scholarshippayment", raise_exception=True)
def payment_list(request):
    payments = ScholarshipPayment.objects.visible_to(request.user).select_related(
        "upgrade__worker", "upgrade__enterprise", "payer"
    )
    query = request.GET.get("q", "").strip()
    start, end = _date_param(request, "from"), _date_param(request, "to")
    if query:
        payments = payments.filter(
            Q(upgrade__worker__name__icontains=query)
            | Q(upgrade__enterprise__name__icontains=query)
            | Q(payer__name__icontains=query)
        )
    if start:
        payments = payments.filter(paid_on__gte=start)
    if end:
        payments = payments.filter(paid_on__lte=end)
    total = services.scholarship_total(payments)
    filters = {"q": query, "from": start.isoformat() if start else "", "to": end.isoformat() if end else ""}
    if request.GET.get("export") == "xlsx":
        span = f"{filters['from'] or '最早'} 至 {filters['to'] or '今'}"
        workbook = exports.payments_workbook(payments[:EXPORT_LIMIT], total, f"助学金发放明细（{span}）")
        return xlsx_response(workbook, f"助学金发放_{services.today():%Y%m%d}.xlsx")
    context = {
        "page_obj": _page(request, payments),
        "total": total,
        "people": payments.values("upgrade__worker").distinct().count(),
        "filters": filters,
        "filtered": any(filters.values()),
        "export_query": _export_query(filters),
        "nav_active": NAV,
        "tab": "payments",
    }
    return render(request, "training/payment_list.html", context)
