from functools import cache

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone as dj_timezone

from accounts.models import AuditLog, EmailDelivery, User

TEST_PASSWORD = "correct horse battery staple"


@cache
def _test_password_hash() -> str:
    # Argon2 is deliberately slow; hash the shared test password once per run.
    return make_password(TEST_PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Sequence(lambda n: f"User {n}")
    timezone = "UTC"
    password = factory.LazyFunction(_test_password_hash)
    # Verified, as the API logs in verified addresses only; pass
    # email_verified_at=None for an account that has not confirmed its address.
    email_verified_at = factory.LazyFunction(dj_timezone.now)


class AuditLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditLog

    action = AuditLog.Action.ADMIN_ACTION
    actor = factory.SubFactory(UserFactory)
    target_type = "accounts.user"
    target_id = factory.Sequence(str)


class EmailDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailDelivery

    user = factory.SubFactory(UserFactory)
    kind = "welcome"
    to_email = factory.LazyAttribute(lambda o: o.user.email)
