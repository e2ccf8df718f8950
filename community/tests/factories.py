import factory

from accounts.tests.factories import UserFactory
from community.models import (
    BlockedTerm,
    Comment,
    CommunityBan,
    Post,
    Report,
    SupportGroup,
    SupportGroupMember,
)


class SupportGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportGroup

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")
    topic = "grief"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportGroupMember

    group = factory.SubFactory(SupportGroupFactory)
    user = factory.SubFactory(UserFactory)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Post number {n}")


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment {n}")


class BlockedTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlockedTerm

    term = factory.Sequence(lambda n: f"spamword{n}")


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    reporter = factory.SubFactory(UserFactory)
    post = factory.SubFactory(PostFactory)
    reason = Report.Reason.SPAM


class CommunityBanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityBan

    user = factory.SubFactory(UserFactory)
    reason = "Repeated harassment"
    created_by = factory.SubFactory(UserFactory, is_staff=True)
