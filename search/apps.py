"""App configuration for search."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        # The corpus (below) tells search which records to index again.
        from corpus import hooks
        from search.services import INDEX_FOLLOWS_RECORDS

        hooks.register_index(INDEX_FOLLOWS_RECORDS)
