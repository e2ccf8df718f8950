from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.privacy import MODELS, RETAINED, accounts_erase, accounts_export
        from accounts.registry import privacy
        from accounts.services import EMAIL_KIND, email_delivery_build
        from kaya import outbox

        privacy.register(
            "accounts", export=accounts_export, erase=accounts_erase, models=MODELS
        )
        for label, reason in RETAINED.items():
            privacy.retain(label, reason)
        outbox.register(EMAIL_KIND, email_delivery_build)

        # Every process may remember user rows for authentication
        # (accounts.authentication). Only the model's own signals see every
        # write to a row, whichever code makes it (services, the admin,
        # management commands, a shell), so they register each write there;
        # they start no workflow. A new row has nothing remembered yet.
        from django.db.models import signals

        from accounts.models import User

        for signal, receiver in (
            (signals.pre_save, _user_row_saving),
            (signals.post_save, _user_row_written),
            (signals.pre_delete, _user_row_deleting),
            (signals.post_delete, _user_row_written),
        ):
            signal.connect(receiver, sender=User, dispatch_uid="accounts.user_rows")


# The write is registered before it is made (so that a refused registration
# leaves the row unchanged) and its last step is due once it commits.
def _user_row_saving(sender: type, instance: Any, **kwargs: Any) -> None:
    from accounts.authentication import user_row_write_begins

    # last_login alone (Django's login signal, the admin's sign-in) is not
    # registered, as the API's login does not: a sign-in must work while Redis
    # is down (see accounts.services.auth).
    if not instance._state.adding and kwargs.get("update_fields") != {"last_login"}:
        instance._row_write = user_row_write_begins(instance.pk)


def _user_row_deleting(sender: type, instance: Any, **kwargs: Any) -> None:
    from accounts.authentication import user_row_write_begins

    instance._row_write = user_row_write_begins(instance.pk)


def _user_row_written(sender: type, instance: Any, **kwargs: Any) -> None:
    from accounts.authentication import user_row_write_ends

    token = instance.__dict__.pop("_row_write", None)
    user_row_write_ends(instance.pk, token)
