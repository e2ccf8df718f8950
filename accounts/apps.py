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

        # Every process remembers user rows for authentication
        # (accounts.authentication.USER_ROWS). Only the model's own signals
        # see every write to a row, whichever code makes it (services, the
        # admin, management commands, a shell), so they keep that cache
        # coherent; they start no workflow.
        from django.db.models.signals import post_delete, post_save

        from accounts.models import User

        post_save.connect(
            _user_row_written, sender=User, dispatch_uid="accounts.user_rows"
        )
        post_delete.connect(
            _user_row_written, sender=User, dispatch_uid="accounts.user_rows"
        )


def _user_row_written(sender: type, instance: object, **kwargs: object) -> None:
    from accounts.authentication import user_row_changed

    user_row_changed(getattr(instance, "pk", None))
