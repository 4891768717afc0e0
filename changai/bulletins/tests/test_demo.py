from changai.bulletins.demo import load_demo_bulletins
from changai.bulletins.models import Issue, Item, Series


def test_the_demo_has_a_series_a_signed_issue_a_draft_and_waiting_items(cast):
    cast.line.code = "IL-320000-01"  # the demo's code for the provincial enterprises line
    cast.line.save()
    assert load_demo_bulletins() == 2
    series = Series.objects.get()
    signed = series.issues.get(status=Issue.Status.SIGNED)
    assert signed.number == 8 and signed.total_number == 38 and signed.docx
    assert series.issues.filter(status=Issue.Status.DRAFT).count() == 1
    assert Item.objects.filter(status=Item.Status.SUBMITTED).count() == 2
    assert sorted(a.source_org.name for a in signed.articles.exclude(source_org=None)) == ["江阴市", "高邮市"]
    assert load_demo_bulletins() == 0  # idempotent
