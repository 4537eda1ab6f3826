from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Projects, their members and roles, API tokens: the base of the house.

    Every other app may import this one; it imports none of them.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
