"""Forms of the account pages: they parse and bound what people type; the
rules (who may join, the last admin) are in ``accounts.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Membership, Project
from accounts.roles import Role

ROLE_CHOICES = Membership.RoleChoice.choices


class RoleField(forms.TypedChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("initial", int(Role.ANNOTATOR))
        super().__init__(choices=ROLE_CHOICES, coerce=_role, **kwargs)


def _role(value: str) -> Role:
    """``"3"`` -> ``Role.CURATOR`` (the choices bound it to 1..4).

    >>> _role("3")
    <Role.CURATOR: 3>
    """
    return Role(int(value))


class MemberAddForm(forms.Form):
    who = forms.CharField(label="User name or email", max_length=254, strip=True)
    role = RoleField()


class MemberCreateForm(forms.Form):
    username = forms.CharField(label="User name", max_length=150, strip=True)
    name = forms.CharField(label="Name", max_length=300, required=False)
    email = forms.EmailField(label="Email", required=False)
    role = RoleField()


class RoleForm(forms.Form):
    role = RoleField()


class TokenCreateForm(forms.Form):
    """A new API token, in one of the person's own projects."""

    project = forms.ModelChoiceField(
        queryset=Project.objects.none(), empty_label=None, label="Project"
    )

    def __init__(self, *args: Any, projects: list[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["project"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Project.objects.filter(pk__in=[p.pk for p in projects])


class ProjectCreateForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, strip=True)


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form, by field when it has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
