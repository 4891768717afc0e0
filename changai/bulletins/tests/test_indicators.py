from changai.bulletins import services
from changai.core.periods import Period
from changai.indicators.registry import get_computed

from .conftest import item_from, lead

Q = Period.containing(services.today(), "quarter")


def test_items_sent_and_taken_count_for_the_sending_org_and_the_levels_above(cast, series):
    sheng = cast.users["sheng"]
    accepted = item_from(cast, series, "zhutang")
    item_from(cast, series, "gaoyou")
    withdrawn = item_from(cast, series, "gaoyou", title="撤回的")
    services.withdraw_item(cast.users["gaoyou"], withdrawn)
    article = services.accept_item(sheng, accepted)
    orgs = [cast.province, cast.jiangyin, cast.zhutang, cast.gaoyou]
    submitted = get_computed("bulletin_items_submitted").compute(Q, orgs)
    taken = get_computed("bulletin_items_accepted").compute(Q, orgs)
    assert [submitted[o.pk] for o in orgs] == [2, 1, 1, 1]
    assert [taken[o.pk] for o in orgs] == [1, 1, 1, 0]
    lead(sheng, article.issue)
    services.submit_for_review(sheng, article.issue)
    services.sign_off(sheng, article.issue)
    signed = get_computed("bulletin_issues_signed").compute(Q, [cast.province, cast.jiangyin])
    assert signed == {cast.province.pk: 1, cast.jiangyin.pk: 0}
