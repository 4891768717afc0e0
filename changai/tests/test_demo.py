from django.core.management import call_command

from changai.accounts.models import User
from changai.orgs.models import Kind, Org


def test_the_demo_shows_jiangyin_its_county_and_nothing_of_gaoyou(db, client):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    call_command("load_demo", stdout=open("/dev/null", "w"))  # reloading changes nothing
    assert Org.objects.filter(kind=Kind.COUNTY).count() == 95
    assert Org.objects.filter(kind=Kind.ENTERPRISE).values("credit_code").distinct().count() == (
        Org.objects.filter(kind=Kind.ENTERPRISE).count()
    )
    jiangyin = User.objects.get(username="jiangyin")
    visible = Org.objects.visible_to(jiangyin)
    assert visible.filter(kind=Kind.TOWN, name="祝塘镇").exists()
    assert visible.filter(kind=Kind.ENTERPRISE).count() >= 40
    assert not visible.filter(name__contains="高邮").exists()
    client.force_login(jiangyin)
    html = client.get("/orgs/").content.decode()
    assert "江阴市" in html and "高邮" not in html
    for username in ["admin", "sheng", "wuxi", "gaoyou", "zhutang", "qiye", "renshe", "lingdao", "shengqi"]:
        assert User.objects.get(username=username).active_memberships().exists()
