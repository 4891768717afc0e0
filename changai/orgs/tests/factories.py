import factory
from stdnum.cn import uscc

from changai.orgs.models import Kind, Org, Ownership, Size


def make_credit_code(serial: int, division: str = "320281") -> str:
    body = f"91{division}MA{serial:07d}"
    return body + uscc.calc_check_digit(body)


def add_org(parent: Org | None, **fields) -> Org:
    if parent is None:
        return Org.objects.add_root(fields)
    return Org.objects.add_child(parent, fields)


class EnterpriseFactory(factory.Factory):
    """Builds an enterprise under `parent` (pass parent=...)."""

    class Meta:
        model = dict

    name = factory.Sequence(lambda n: f"测试精密机械有限公司{n}")
    kind = Kind.ENTERPRISE
    credit_code = factory.Sequence(lambda n: make_credit_code(n + 1))
    ownership = Ownership.PRIVATE
    size = Size.SMALL
    headcount = 120
    has_union = True

    @classmethod
    def _create(cls, model_class, *args, parent, **kwargs):
        return add_org(parent, **kwargs)
