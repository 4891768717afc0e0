from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import services
from .exports import ranking_workbook
from .forms import AssesseeKindForm, MarkForm, RuleForm, ScorecardForm
from .models import Assessee, Score, Scorecard, ScoreRule
from .permissions import (
    can_edit_setup,
    can_manage,
    can_review,
    can_self_score,
    is_assessee_member,
    sees_all_rows,
)

_VIEW = "evaluations.view_scorecard"
_NAV = "evaluations"


# ---------------------------------------------------------------------------- access helpers


def _scorecard_for_user(request, scorecard_pk) -> Scorecard:
    return get_object_or_404(Scorecard.objects.visible_to(request.user).select_related("org"), pk=scorecard_pk)


def _rule_for_user(request, rule_pk) -> ScoreRule:
    rules = ScoreRule.objects.filter(scorecard__in=Scorecard.objects.visible_to(request.user).values("pk"))
    return get_object_or_404(rules.select_related("scorecard__org"), pk=rule_pk)


def _assessee_for_user(request, assessee_pk) -> Assessee:
    assessees = Assessee.objects.visible_to(request.user).select_related("org", "scorecard__org")
    return get_object_or_404(assessees, pk=assessee_pk)


def _score_for_user(request, score_pk) -> Score:
    scores = Score.objects.visible_to(request.user).select_related("rule", "assessee__org", "assessee__scorecard__org")
    return get_object_or_404(scores, pk=score_pk)


def _error(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


def _to_scorecard(scorecard):
    return redirect("evaluations:detail", scorecard_pk=scorecard.pk)


# ---------------------------------------------------------------------------- scorecards


@login_required
@permission_required(_VIEW, raise_exception=True)
def scorecard_list(request):
    scorecards = Scorecard.objects.visible_to(request.user).select_related("org").annotate(size=Count("assessees"))
    year = request.GET.get("year", "")
    if year.isdigit():
        scorecards = scorecards.filter(year=int(year))
    own = {a.scorecard_id: a.pk for a in Assessee.objects.own(request.user)}
    page_obj = Paginator(scorecards.order_by("-year", "org__path", "pk"), 30).get_page(request.GET.get("page"))
    for scorecard in page_obj.object_list:
        scorecard.own_assessee = own.get(scorecard.pk)
    context = {"page_obj": page_obj, "year": year, "nav_active": _NAV}
    return render(request, "evaluations/list.html", context)


@login_required
@permission_required("evaluations.add_scorecard", raise_exception=True)
def scorecard_create(request):
    form = ScorecardForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org = data.pop("org")
        try:
            scorecard = services.create_scorecard(request.user, org, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已建立考核，请添加评分细则和被考核单位。")
            return _to_scorecard(scorecard)
    return render(request, "evaluations/form.html", {"form": form, "title": "新建考核", "nav_active": _NAV})


@login_required
@permission_required(_VIEW, raise_exception=True)
def scorecard_detail(request, scorecard_pk):
    scorecard = _scorecard_for_user(request, scorecard_pk)
    all_rows = sees_all_rows(request.user, scorecard)
    assessees = scorecard.assessees.select_related("org")
    if not all_rows:
        assessees = assessees.filter(pk__in=Assessee.objects.own(request.user).values("pk"))
    rules, table = services.score_table(scorecard, assessees)
    rows = [
        {"assessee": a, "totals": services.add_up(scorecard, rules, table.get(a.pk, {}).values())} for a in assessees
    ]
    editable = can_edit_setup(request.user, scorecard)
    context = {
        "scorecard": scorecard,
        "rules": rules,
        "full_marks": services.full_marks(rules),
        "rows": rows,
        "all_rows": all_rows,
        "can_manage": can_manage(request.user, scorecard),
        "editable": editable,
        "rule_form": RuleForm() if editable else None,
        "kind_form": AssesseeKindForm() if editable else None,
        "brands_enabled": services.brand_model() is not None,
        "nav_active": _NAV,
    }
    return render(request, "evaluations/detail.html", context)


@login_required
@require_POST
@permission_required("evaluations.add_scorerule", raise_exception=True)
def rule_add(request, scorecard_pk):
    scorecard = _scorecard_for_user(request, scorecard_pk)
    form = RuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "评分细则填写有误：" + "；".join(e for errors in form.errors.values() for e in errors))
        return _to_scorecard(scorecard)
    try:
        rule = services.add_rule(request.user, scorecard, **form.cleaned_data)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已添加评分细则“{rule.name}”。")
    return _to_scorecard(scorecard)


@login_required
@require_POST
@permission_required("evaluations.change_scorerule", raise_exception=True)
def rule_delete(request, rule_pk):
    rule = _rule_for_user(request, rule_pk)
    try:
        services.remove_rule(request.user, rule)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已删除评分细则“{rule.name}”。")
    return _to_scorecard(rule.scorecard)


@login_required
@require_POST
@permission_required("evaluations.add_assessee", raise_exception=True)
def assessees_add(request, scorecard_pk):
    scorecard = _scorecard_for_user(request, scorecard_pk)
    form = AssesseeKindForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择单位类型。")
        return _to_scorecard(scorecard)
    kind = form.cleaned_data["kind"]
    try:
        added = services.add_assessees(request.user, scorecard, services.assessee_candidates(scorecard, kind))
    except ValidationError as exc:
        _error(request, exc)
    else:
        label = dict(form.fields["kind"].choices)[kind]
        if added:
            messages.success(request, f"已加入{added}个{label}。")
        else:
            messages.info(request, f"没有可加入的{label}。")
    return _to_scorecard(scorecard)


@login_required
@require_POST
@permission_required("evaluations.change_assessee", raise_exception=True)
def assessee_remove(request, assessee_pk):
    assessee = _assessee_for_user(request, assessee_pk)
    try:
        services.remove_assessee(request.user, assessee)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已移出{assessee.org.name}。")
    return _to_scorecard(assessee.scorecard)


def _transition(request, scorecard_pk, action, done):
    scorecard = _scorecard_for_user(request, scorecard_pk)
    try:
        action(request.user, scorecard)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, done)
    return _to_scorecard(scorecard)


@login_required
@require_POST
@permission_required("evaluations.change_scorecard", raise_exception=True)
def scorecard_open(request, scorecard_pk):
    return _transition(request, scorecard_pk, services.open_scorecard, "已开始评分，已通知被考核单位自评。")


@login_required
@require_POST
@permission_required("evaluations.change_scorecard", raise_exception=True)
def scorecard_close(request, scorecard_pk):
    return _transition(request, scorecard_pk, services.close_scorecard, "考核已结束，得分已锁定。")


@login_required
@require_POST
@permission_required("evaluations.change_scorecard", raise_exception=True)
def recompute(request, scorecard_pk):
    scorecard = _scorecard_for_user(request, scorecard_pk)
    if not can_manage(request.user, scorecard):
        raise PermissionDenied("只有考核单位可以重新计算。")
    try:
        count = services.compute_auto_scores(scorecard)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已按平台记录重新计算{count}项系统计分。")
    return _to_scorecard(scorecard)


# ---------------------------------------------------------------------------- one assessee


@login_required
@permission_required(_VIEW, raise_exception=True)
def assessee_detail(request, assessee_pk):
    assessee = _assessee_for_user(request, assessee_pk)
    scorecard = assessee.scorecard
    rules, table = services.score_table(scorecard, [assessee])
    scores = table.get(assessee.pk, {})
    for score in scores.values():
        score.assessee = assessee
    rows = [{"rule": rule, "score": scores.get(rule.pk)} for rule in rules]
    context = {
        "assessee": assessee,
        "scorecard": scorecard,
        "rows": rows,
        "totals": services.add_up(scorecard, rules, scores.values()),
        "full_marks": services.full_marks(rules),
        "can_self_score": can_self_score(request.user, assessee),
        "can_review": can_review(request.user, scorecard),
        "is_member": is_assessee_member(request.user, assessee),
        "all_rows": sees_all_rows(request.user, scorecard),
        "nav_active": _NAV,
    }
    return render(request, "evaluations/assessee_detail.html", context)


def _mark(request, score_pk, action, done):
    score = _score_for_user(request, score_pk)
    form = MarkForm(request.POST)
    target = (
        reverse("evaluations:assessee_detail", kwargs={"assessee_pk": score.assessee_id}) + f"#rule-{score.rule_id}"
    )
    if not form.is_valid():
        messages.error(request, "请填写分值。")
        return redirect(target)
    try:
        action(request.user, score, form.cleaned_data["value"], form.cleaned_data["comment"])
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, done.format(rule=score.rule.name))
    return redirect(target)


@login_required
@require_POST
@permission_required("evaluations.self_score", raise_exception=True)
def self_score(request, score_pk):
    return _mark(request, score_pk, services.enter_self_score, "已保存“{rule}”的自评分。")


@login_required
@require_POST
@permission_required("evaluations.review_score", raise_exception=True)
def review(request, score_pk):
    return _mark(request, score_pk, services.review_score, "已保存“{rule}”的考核评分。")


# ---------------------------------------------------------------------------- ranking


@login_required
@permission_required(_VIEW, raise_exception=True)
def ranking(request, scorecard_pk):
    scorecard = _scorecard_for_user(request, scorecard_pk)
    if not sees_all_rows(request.user, scorecard):
        raise PermissionDenied("排名仅考核单位及其上级可以查看。")
    rows = services.ranking(scorecard)
    rules = list(scorecard.rules.all())
    if request.GET.get("export") == "xlsx":
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        filename = f"{scorecard.year}年{scorecard.title}_得分排名.xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        ranking_workbook(scorecard, rules, rows).save(response)
        return response
    context = {"scorecard": scorecard, "rules": rules, "rows": rows, "nav_active": _NAV}
    return render(request, "evaluations/ranking.html", context)
