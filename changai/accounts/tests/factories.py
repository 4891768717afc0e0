import factory

from changai.accounts.models import Membership, User

PASSWORD = "Test@Pass2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.LazyAttribute(lambda o: o.username)
    must_change_password = False
    password = factory.django.Password(PASSWORD)


def member(username: str, org, role) -> User:
    user = UserFactory(username=username)
    Membership.objects.create(user=user, org=org, role=role)
    return user
