from django.apps import AppConfig


class KayaConfig(AppConfig):
    """The project package as an app: what every app shares (system checks for
    the encryption keys, cross-app management commands, shared models)."""

    name = "kaya"
    verbose_name = "KAYA"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks
        from django.db.models.signals import post_migrate

        from kaya.fields import check_encryption_keys, check_encryption_keys_deployed

        checks.register(check_encryption_keys)
        checks.register(check_encryption_keys_deployed, deploy=True)
        # Admins are registered by now (django.contrib.admin is ready first).
        from django.contrib import admin

        from kaya.admin import audit_fields_read_only

        audit_fields_read_only(admin.site)
        # The staff role groups follow kaya.staff after every migrate.
        from kaya.staff import roles_sync_after_migrate

        post_migrate.connect(
            roles_sync_after_migrate, dispatch_uid="kaya.staff.roles_sync"
        )
