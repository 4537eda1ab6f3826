"""App configuration for annotations."""

from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Annotations"

    def ready(self) -> None:
        # The corpus (below) tells annotations when records change.
        from annotations.listeners import FOLLOW_RECORDS
        from corpus import hooks

        hooks.register_records(FOLLOW_RECORDS)
