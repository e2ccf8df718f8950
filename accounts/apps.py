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
