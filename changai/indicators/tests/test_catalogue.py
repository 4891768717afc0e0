import re
from collections import Counter

import pytest

from changai.core.periods import PERIOD_TYPE_CHOICES
from changai.indicators.catalogue import CROSS_FIELD_RULES, DEFAULT_DATASETS, SEED_INDICATORS, ensure_catalogue
from changai.indicators.models import (
    Aggregation,
    DataSet,
    DataSetIndicator,
    Indicator,
    Pillar,
    Source,
    Unit,
    ValidationRule,
)
from changai.indicators.registry import get_computed
from changai.orgs.models import Kind

BY_CODE = {row["code"]: row for row in SEED_INDICATORS}
RATIOS = [row for row in SEED_INDICATORS if row["aggregation"] == Aggregation.RATIO]
REPORTED = [row for row in SEED_INDICATORS if row["aggregation"] != Aggregation.RATIO]


def test_enough_reported_indicators():
    assert len(REPORTED) >= 44


def test_every_pillar_has_at_least_six_reported_indicators():
    per_pillar = Counter(row["pillar"] for row in REPORTED)
    assert set(per_pillar) == set(Pillar.values)
    assert all(count >= 6 for count in per_pillar.values()), per_pillar


def test_codes_unique_and_slug_valid():
    codes = [row["code"] for row in SEED_INDICATORS]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", code), code
        assert len(code) <= Indicator._meta.get_field("code").max_length


def test_names_unique_and_fit():
    names = [row["name"] for row in SEED_INDICATORS]
    assert len(names) == len(set(names))
    assert all(len(name) <= Indicator._meta.get_field("name").max_length for name in names)


def test_fields_use_the_models_choices():
    for row in SEED_INDICATORS:
        assert row["unit"] in Unit.values, row["code"]
        assert row["pillar"] in Pillar.values, row["code"]
        assert row["aggregation"] in Aggregation.values, row["code"]
        assert isinstance(row["integer_only"], bool)
        assert row["description"].strip(), row["code"]


def test_sort_orders_each_pillar_without_ties():
    for pillar in Pillar.values:
        sorts = [row["sort"] for row in SEED_INDICATORS if row["pillar"] == pillar]
        assert len(sorts) == len(set(sorts)), pillar


def test_money_and_percent_allow_decimals():
    for row in SEED_INDICATORS:
        if row["unit"] in (Unit.TEN_THOUSAND_YUAN, Unit.PERCENT):
            assert row["integer_only"] is False, row["code"]


def test_required_figures_are_present():
    for code in [
        "unions_formed",
        "worker_homes",
        "outdoor_stations",
        "training_sessions",
        "training_person_times",
        "senior_certified",
        "certified_total",
        "self_rating_enterprises",
        "competitions_held",
        "competition_participants",
        "innovation_studios",
        "mentorship_pairs",
        "patents_granted",
        "model_workers_honoured",
        "collective_contract_enterprises",
        "collective_contract_workers",
        "wage_contract_enterprises",
        "legal_aid_cases",
        "disputes_mediated",
        "early_warning_sweeps",
        "lectures_held",
        "lecture_audience",
        "party_members_recruited",
        "joint_meetings_held",
        "demands_collected",
        "demands_answered",
        "assistance_funds",
        "medical_aid_insured",
        "jobs_offered",
        "job_intentions",
        "childcare_classes",
    ]:
        assert code in BY_CODE, code
    assert BY_CODE["worker_homes"]["aggregation"] == Aggregation.LATEST
    assert BY_CODE["assistance_funds"]["unit"] == Unit.TEN_THOUSAND_YUAN


def test_ratios_have_both_parts_and_percent():
    assert len(RATIOS) >= 2
    for row in RATIOS:
        assert row["unit"] == Unit.PERCENT, row["code"]
        numerator, denominator = BY_CODE[row["numerator"]], BY_CODE[row["denominator"]]
        for part in (numerator, denominator):
            assert part["aggregation"] != Aggregation.RATIO
        assert numerator["aggregation"] == denominator["aggregation"], row["code"]
    for row in REPORTED:
        assert "numerator" not in row and "denominator" not in row, row["code"]


def test_rules_name_existing_indicators_and_valid_operators():
    for left, operator, right, message in CROSS_FIELD_RULES:
        assert left in BY_CODE and right in BY_CODE
        assert left != right
        assert operator in ValidationRule.Operator.values
        assert BY_CODE[left]["aggregation"] != Aggregation.RATIO and BY_CODE[right]["aggregation"] != Aggregation.RATIO
        assert 0 < len(message) <= ValidationRule._meta.get_field("message").max_length


def test_default_datasets_are_consistent():
    period_types = {value for value, _label in PERIOD_TYPE_CHOICES}
    codes = [spec["code"] for spec in DEFAULT_DATASETS]
    assert 2 <= len(codes) == len(set(codes))
    for spec in DEFAULT_DATASETS:
        assert spec["period_type"] in period_types
        assert spec["reporting_kinds"] and set(spec["reporting_kinds"]) <= set(Kind.values)
        indicators = spec["indicators"]
        assert len(indicators) == len(set(indicators))
        for code in indicators:
            assert code in BY_CODE, code
            assert BY_CODE[code]["aggregation"] != Aggregation.RATIO, f"{code} is derived, not typed in"
        for rule in spec["rules"]:
            assert rule in CROSS_FIELD_RULES
            assert rule[0] in indicators and rule[2] in indicators


def test_default_datasets_never_ask_for_the_same_figure_twice():
    """A county's own figure must not double its towns' figures, nor a yearly figure its months'."""
    seen = Counter(code for spec in DEFAULT_DATASETS for code in spec["indicators"])
    assert [code for code, count in seen.items() if count > 1] == []


def test_seed_codes_do_not_clash_with_computed_indicators():
    assert [row["code"] for row in SEED_INDICATORS if get_computed(row["code"])] == []


@pytest.mark.django_db
def test_ensure_catalogue_creates_everything():
    counts = ensure_catalogue()
    assert counts["indicators"] == len(SEED_INDICATORS)
    assert counts["datasets"] == len(DEFAULT_DATASETS)
    assert Indicator.objects.filter(code__in=BY_CODE, source=Source.REPORTED).count() == len(SEED_INDICATORS)

    rate = Indicator.objects.get(code="collective_contract_rate")
    assert rate.numerator.code == "collective_contract_enterprises"
    assert rate.denominator.code == "unionised_enterprises"

    for spec in DEFAULT_DATASETS:
        dataset = DataSet.objects.get(code=spec["code"])
        assert dataset.period_type == spec["period_type"]
        assert dataset.reporting_kinds == spec["reporting_kinds"]
        assert [ind.code for ind in dataset.ordered_indicators()] == spec["indicators"]
        rules = {(r.left.code, r.operator, r.right.code, r.message) for r in dataset.rules.select_related()}
        assert rules == set(spec["rules"])


@pytest.mark.django_db
def test_ensure_catalogue_is_idempotent():
    ensure_catalogue()
    totals = (
        Indicator.objects.count(),
        DataSet.objects.count(),
        DataSetIndicator.objects.count(),
        ValidationRule.objects.count(),
    )
    again = ensure_catalogue()
    assert set(again.values()) == {0}
    assert totals == (
        Indicator.objects.count(),
        DataSet.objects.count(),
        DataSetIndicator.objects.count(),
        ValidationRule.objects.count(),
    )


@pytest.mark.django_db
def test_ensure_catalogue_keeps_an_offices_edits():
    ensure_catalogue()
    Indicator.objects.filter(code="unions_formed").update(name="新建基层工会数", sort=1, description="本地口径")
    town = DataSet.objects.get(code="town_quarterly")
    DataSetIndicator.objects.filter(dataset=town, indicator__code="outdoor_stations").delete()
    town.rules.filter(left__code="senior_certified").delete()
    DataSet.objects.filter(code="county_monthly").update(name="月报（本地）", deadline_days=3)

    ensure_catalogue()

    unions = Indicator.objects.get(code="unions_formed")
    assert (unions.name, unions.sort, unions.description) == ("新建基层工会数", 1, "本地口径")
    assert not town.links.filter(indicator__code="outdoor_stations").exists()
    assert not town.rules.filter(left__code="senior_certified").exists()
    monthly = DataSet.objects.get(code="county_monthly")
    assert (monthly.name, monthly.deadline_days) == ("月报（本地）", 3)


@pytest.mark.django_db
def test_ensure_catalogue_fills_in_only_what_is_missing():
    Indicator.objects.create(
        code="worker_homes", name="职工之家（本地）", unit="个", pillar="rights", aggregation="latest"
    )
    Indicator.objects.create(
        code="demand_answer_rate", name="需求答复率", unit="%", pillar="institutional", aggregation="ratio"
    )

    counts = ensure_catalogue()

    assert counts["indicators"] == len(SEED_INDICATORS) - 2
    assert Indicator.objects.get(code="worker_homes").name == "职工之家（本地）"
    rate = Indicator.objects.get(code="demand_answer_rate")
    assert rate.name == "需求答复率"
    assert (rate.numerator.code, rate.denominator.code) == ("demands_answered", "demands_collected")
