"""Demo figures: approved quarterly reports of the demo towns, and a current round in progress."""

import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from changai.core.periods import Period
from changai.orgs.models import Org

from . import rollups
from .models import Aggregation, DataSet, DataValue, Submission, SubmissionEvent

# Rough size of a town's quarterly figure, by unit (a person-time count is larger than an event count).
_SCALE = {"人次": 900, "人": 60, "家": 40, "个": 12, "场": 8, "期": 6, "项": 5, "万元": 30, "元": 200000}


def _values_for(dataset: DataSet, rng: random.Random, growth: float) -> dict[int, Decimal]:
    indicators = dataset.ordered_indicators()
    values = {}
    for indicator in indicators:
        base = _SCALE.get(indicator.unit, 10) * growth * rng.uniform(0.6, 1.4)
        value = Decimal(round(base)) if indicator.integer_only else Decimal(f"{base:.1f}")
        values[indicator.pk] = value
    for rule in dataset.rules.all():  # keep the demo consistent with the form's own rules
        if rule.operator in ("<=", "<"):
            values[rule.left_id] = min(values[rule.left_id], values[rule.right_id])
    return values


@transaction.atomic
def load_demo_figures(rng: random.Random, today=None) -> int:
    dataset = DataSet.objects.filter(code="town_quarterly").first()
    if dataset is None or DataValue.objects.filter(indicator__in=dataset.indicators.all()).exists():
        return 0
    today = today or timezone.localdate()
    current = Period.containing(today, dataset.period_type).previous()
    towns = list(Org.objects.filter(kind__in=dataset.reporting_kinds, is_active=True).order_by("path"))
    written = 0
    for back in range(8, 0, -1):
        period = current.shift(-back)
        for town in towns:
            written += _approved_report(dataset, town, period, rng, growth=1 + (8 - back) * 0.05)
    for index, town in enumerate(towns):  # the current round: some done, some waiting, some not started
        if index % 4 == 0:
            written += _approved_report(dataset, town, current, rng, growth=1.4)
        elif index % 4 == 1:
            _submission(dataset, town, current, rng, Submission.Status.SUBMITTED, growth=1.4)
    rollups.refresh_all()
    return written


def _approved_report(dataset, org, period, rng, growth) -> int:
    return _submission(dataset, org, period, rng, Submission.Status.APPROVED, growth)


def _submission(dataset, org, period, rng, status, growth) -> int:
    values = _values_for(dataset, rng, growth)
    aggregations = {i.pk: i.aggregation for i in dataset.indicators.all()}
    moment = timezone.make_aware(timezone.datetime.combine(period.end, timezone.datetime.min.time()))
    submission = Submission.objects.create(
        dataset=dataset,
        org=org,
        period=period.code,
        status=status,
        submitted_at=moment,
        first_submitted_at=moment,
        reviewed_at=moment if status == Submission.Status.APPROVED else None,
    )
    DataValue.objects.bulk_create(
        [
            DataValue(
                indicator_id=pk,
                org=org,
                period=period.code,
                value=value,
                submission=submission,
                approved=status == Submission.Status.APPROVED,
            )
            for pk, value in values.items()
            if aggregations[pk] != Aggregation.RATIO
        ]
    )
    SubmissionEvent.objects.create(submission=submission, action=SubmissionEvent.Action.SUBMITTED, at=moment, values={})
    if status == Submission.Status.APPROVED:
        SubmissionEvent.objects.create(
            submission=submission, action=SubmissionEvent.Action.APPROVED, at=moment, values={}
        )
    return len(values)
