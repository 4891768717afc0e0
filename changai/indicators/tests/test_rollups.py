"""Rollups equal the sums computed directly from the raw values, whatever the tree and the values."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from changai.core.periods import Period
from changai.indicators import rollups
from changai.indicators.models import Aggregation, DataValue
from changai.indicators.tests.factories import indicator
from changai.orgs.models import Kind, Org
from changai.orgs.services import join_line
from changai.orgs.tests.factories import add_org

MONTHS = [f"2025M{m:02d}" for m in range(1, 13)]
value_cells = st.lists(
    st.tuples(
        st.integers(0, 5),  # which org (index into the leaves)
        st.sampled_from(MONTHS),
        st.integers(0, 1000),
        st.booleans(),  # approved
    ),
    max_size=40,
)


def brute_force(aggregation, values, below, period):
    """Approved values of orgs for which `below(org)` holds, combined by hand for the period."""
    target = Period.parse(period)
    months = [
        (code, v)
        for o, code, v, approved in values
        if approved and below(o) and target.start <= Period.parse(code).start <= target.end
    ]
    if not months:
        return None
    by_month: dict[str, list[int]] = {}
    for code, v in months:
        by_month.setdefault(code, []).append(v)
    if aggregation == Aggregation.MAX:
        return Decimal(max(max(vs) for vs in by_month.values()))
    if aggregation == Aggregation.LATEST:
        return Decimal(sum(by_month[max(by_month)]))
    return Decimal(sum(sum(vs) for vs in by_month.values()))


class RollupProperties(TestCase):
    def build_tree(self):
        province = add_org(None, name="省", code="P", kind=Kind.PROVINCE)
        city = add_org(province, name="市", code="C", kind=Kind.CITY)
        counties = [add_org(city, name=f"县{i}", code=f"X{i}", kind=Kind.COUNTY) for i in range(2)]
        towns = [add_org(counties[i % 2], name=f"镇{i}", code=f"T{i}", kind=Kind.TOWN) for i in range(3)]
        firms = [
            add_org(towns[i % 3], name=f"企业{i}", code=f"E{i}", kind=Kind.ENTERPRISE, credit_code=None)
            for i in range(3)
        ]
        line = add_org(province, name="产业系统", code="L", kind=Kind.INDUSTRY_LINE)
        join_line(line, firms[0])
        join_line(line, firms[2])
        return [province, city, *counties, *towns], [*towns, *firms], line, [firms[0], firms[2]]

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cells=value_cells, aggregation=st.sampled_from([Aggregation.SUM, Aggregation.MAX, Aggregation.LATEST]))
    def test_rollups_match_direct_sums(self, cells, aggregation):
        tree, leaves, line, line_firms = self.build_tree()
        item = indicator("x", aggregation=aggregation)
        stored = {}
        for leaf_index, month, value, approved in cells:
            leaf = leaves[leaf_index]
            stored[(leaf.pk, month)] = (leaf, month, value, approved)
        for leaf, month, value, approved in stored.values():
            DataValue.objects.create(indicator=item, org=leaf, period=month, value=value, approved=approved)
        rollups.refresh_all()
        values = [(Org.objects.get(pk=o.pk), m, v, a) for o, m, v, a in stored.values()]
        for org in [*tree, *leaves]:
            for period in ["2025M03", "2025Q1", "2025Q4", "2025H2", "2025"]:
                expected = brute_force(aggregation, values, lambda o, root=org: o.path.startswith(root.path), period)
                assert rollups.figure(item, org, period) == expected, (org.name, period)
        line_paths = [firm.path for firm in line_firms]
        for period in ["2025Q2", "2025"]:
            expected = brute_force(aggregation, values, lambda o: o.path in line_paths, period)
            assert rollups.figure(item, line, period) == expected, ("line", period)


def test_the_refresh_command_rebuilds_the_table(cast):
    from django.core.management import call_command

    from changai.indicators.models import Rollup

    item = indicator("y")
    DataValue.objects.create(indicator=item, org=cast.zhutang, period="2025M01", value=5, approved=True)
    call_command("refresh_rollups", stdout=open("/dev/null", "w"))
    assert Rollup.objects.get(indicator=item, org=cast.province, period="2025").value == 5
