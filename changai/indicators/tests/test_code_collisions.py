from changai.indicators.catalogue import SEED_INDICATORS
from changai.indicators.registry import computed_indicators


def test_no_computed_indicator_takes_the_code_of_a_reported_one():
    """A computed figure under a catalogue code would overwrite what orgs report under it."""
    reported = {row["code"] for row in SEED_INDICATORS}
    clashes = sorted(ind.code for ind in computed_indicators() if ind.code in reported)
    assert clashes == []
