import factory

from accounts.tests.factories import UserFactory
from community.models import (
    BlockedTerm,
    Comment,
    Post,
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

    term = "spamword"
