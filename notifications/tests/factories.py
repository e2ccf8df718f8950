import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications.models import Announcement, Notification, ScheduledNotification


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    type = Notification.Type.SYSTEM
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = "Body"


class ScheduledNotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduledNotification

    user = factory.SubFactory(UserFactory)
    type = Notification.Type.SESSION_REMINDER
    title = factory.Sequence(lambda n: f"Reminder {n}")
    send_at = factory.LazyFunction(timezone.now)
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")


class AnnouncementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Announcement

    title = factory.Sequence(lambda n: f"Announcement {n}")
    body = "New programs are out."
    created_by = factory.SubFactory(UserFactory, is_staff=True, is_superuser=True)
