"""Bulk entry: one workbook row per reporting org, one column per indicator of the data set."""

from __future__ import annotations

from changai.core.imports import Column, Importer, RowError, RowErrors, register_importer_factory
from changai.core.periods import InvalidPeriod, Period

from . import services
from .models import DataSet, Submission

PREFIX = "figures"


def org_reference(org) -> str:
    """What identifies an org in a workbook: its official code, its credit code, or its platform id."""
    return org.code or org.credit_code or f"ID{org.pk}"


def importer_key(dataset: DataSet, period: str) -> str:
    return f"{PREFIX}:{dataset.code}:{period}"


def dataset_columns(dataset: DataSet) -> list[Column]:
    columns = [
        Column("org", "单位编码", required=True, kind="code", help="由系统预填，请勿修改。", width=16),
        Column("org_name", "单位名称", help="仅供识别，不会导入。", width=28),
    ]
    for link in dataset.links.select_related("indicator").order_by("sort", "pk"):
        indicator = link.indicator
        columns.append(
            Column(
                indicator.code,
                f"{indicator.name}（{indicator.unit}）",
                required=link.required,
                kind="decimal",
                help=indicator.description,
                width=14,
            )
        )
    return columns


class DataSetValuesImporter(Importer):
    dataset: DataSet
    period: str
    permission = "indicators.add_datavalue"
    key_columns = ("org",)

    def prepare(self, rows):
        period = Period.parse(self.period)
        orgs = services.expected_orgs(self.dataset, period, self.org, self.user)
        by_reference = {org_reference(org): org for org in orgs}
        statuses = dict(
            Submission.objects.filter(
                dataset=self.dataset, period=self.period, org__in=list(by_reference.values())
            ).values_list("org_id", "status")
        )
        return {"orgs": by_reference, "statuses": statuses}

    def clean_row(self, values, context):
        org = context["orgs"].get(values.get("org") or "")
        if org is None:
            raise RowError("org", "单位编码不在本次填报范围内（须为您管辖的填报单位）。")
        status = context["statuses"].get(org.pk)
        if status in (Submission.Status.SUBMITTED, Submission.Status.APPROVED):
            raise RowError("org", f"{org.name}本期已{Submission.Status(status).label}，不能再导入。")
        is_open, why = services.entry_state(self.dataset, org, self.period)
        if not is_open:
            raise RowError("org", why)
        raw = {code: value for code, value in values.items() if code not in ("org", "org_name")}
        draft = Submission(dataset=self.dataset, org=org, period=self.period)
        parsed, result = services.check(draft, raw, {}, final=True, require_explanations=False)
        if not result.ok:
            raise RowErrors(RowError(code, message) for code, message in result.errors.items())
        return {"org": org, "values": parsed}

    def plan(self, rows, context):
        return {"created": len(rows), "updated": 0, "unchanged": 0}

    def write(self, rows, context):
        for row in rows:
            services.submit_on_behalf(self.user, self.dataset, row["org"], self.period, row["values"])
        return {"created": len(rows), "updated": 0, "unchanged": 0}


def build_importer(rest: str) -> type[Importer]:
    dataset_code, _, period = rest.partition(":")
    dataset = DataSet.objects.filter(code=dataset_code, is_active=True).first()
    try:
        period_obj = Period.parse(period)
    except InvalidPeriod as exc:
        raise KeyError(rest) from exc
    if dataset is None or period_obj.type != dataset.period_type:
        raise KeyError(rest)
    return type(
        "DataSetValuesImporterFor",
        (DataSetValuesImporter,),
        {
            "key": importer_key(dataset, period),
            "title": f"{dataset.name}（{period_obj.label}）批量填报",
            "description": "每行一个填报单位。导入后各单位本期数据记为已上报（代填），仍需上级审核后计入汇总。",
            "columns": dataset_columns(dataset),
            "dataset": dataset,
            "period": period,
        },
    )


register_importer_factory(PREFIX, build_importer)
