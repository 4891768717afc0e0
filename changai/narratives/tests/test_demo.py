from changai.indicators.catalogue import ensure_catalogue
from changai.narratives.demo import load_demo_narratives
from changai.narratives.models import FactProposal, NarrativeReport


def test_the_demo_report_is_loaded_once_with_two_figures_accepted(cast, monkeypatch):
    monkeypatch.setattr("changai.narratives.services.schedule_refresh", lambda *args, **kwargs: None)
    ensure_catalogue()
    count = load_demo_narratives()
    report = NarrativeReport.objects.get()
    assert report.org == cast.zhutang and count == report.proposals.count() >= 20
    taken = report.proposals.filter(status__in=[FactProposal.Status.ACCEPTED, FactProposal.Status.CORRECTED])
    assert taken.count() == 2
    assert all(fact.data_value.provenance.startswith("材料识数：") for fact in taken)
    assert load_demo_narratives() == 0
