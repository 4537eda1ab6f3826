"""One-time sign-in links for new members (``/accounts/welcome/<uid>/<token>/``).

The token is Django's password-reset token with a salt of its own (a reset
token from elsewhere does not open a welcome link, nor the reverse). It is
valid for ``settings.PASSWORD_RESET_TIMEOUT`` seconds and used once: it
hashes the account's password and last sign-in, and following the link sets
the one and signs in, which changes the other.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode


class WelcomeTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "gloss.accounts.tokens.WelcomeTokenGenerator"


welcome_tokens = WelcomeTokenGenerator()


def welcome_path(user: User) -> str:
    """The path of ``user``'s one-time sign-in link (the page makes it absolute)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = welcome_tokens.make_token(user)
    return reverse("accounts:welcome", kwargs={"uidb64": uidb64, "token": token})


def user_of_link(uidb64: str, token: str) -> User | None:
    """The active account a welcome link opens, or None (forged, used, expired).

    >>> user_of_link("not base64!", "x") is None
    True
    """
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = get_user_model()._default_manager.filter(pk=pk, is_active=True).first()
    if user is None or not welcome_tokens.check_token(user, token):
        return None
    return user
