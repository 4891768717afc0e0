from changai.indicators.models import Aggregation, DataSet, DataSetIndicator, Indicator, Pillar, ValidationRule


def indicator(code, name=None, unit="人次", aggregation=Aggregation.SUM, **extra) -> Indicator:
    return Indicator.objects.create(
        code=code,
        name=name or code,
        unit=unit,
        pillar=extra.pop("pillar", Pillar.QUALITY),
        aggregation=aggregation,
        **extra,
    )


def quarterly_form(*indicators, kinds=("town",), rules=(), **extra) -> DataSet:
    dataset = DataSet.objects.create(
        code=extra.pop("code", "town-quarterly"),
        name=extra.pop("name", "乡镇产改季报"),
        period_type="quarter",
        reporting_kinds=list(kinds),
        open_offset_days=-10,
        deadline_days=10,
        change_warning_pct=50,
        **extra,
    )
    for position, item in enumerate(indicators):
        DataSetIndicator.objects.create(dataset=dataset, indicator=item, sort=position)
    for left, operator, right, message in rules:
        ValidationRule.objects.create(dataset=dataset, left=left, operator=operator, right=right, message=message)
    return dataset
