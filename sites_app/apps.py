from django.apps import AppConfig


class SitesAppConfig(AppConfig):
    name = "sites_app"
    verbose_name = "Gandi Sites"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (audit of sign-in events)
