"""The upload form: several files at once, and optionally the document they
are a new version of. Each file is checked on its own (``upload_check``): the
accepted ones go on, the refused ones are reported with their reasons."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from accounts.models import Project
from corpus.models import Document
from corpus.uploads import ACCEPTED_SUFFIXES, UploadRefused, upload_check


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A list of files. Each is checked by ``upload_check`` rather than by
    ``FileField`` (which would refuse the whole form for one empty file)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], "required")
        return files


class UploadForm(forms.Form):
    # Not the form's ``files`` (the uploaded files): the form's metaclass moves
    # declared fields out of the class, which mypy cannot see.
    files = MultipleFileField(  # type: ignore[assignment]
        error_messages={"required": "Choose at least one file to upload."},
        widget=MultipleFileInput(
            attrs={"accept": ",".join(sorted(ACCEPTED_SUFFIXES)), "id": "id_files"}
        ),
    )
    version_of = forms.ModelChoiceField(
        queryset=Document.objects.none(),  # the project's: see __init__
        required=False,
        empty_label="No — match by file name",
        label="New version of",
        help_text="A file with the name of a document already here is a new "
        "version of it anyway.",
    )

    def __init__(
        self, *args: Any, project: Project | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Only the current project's documents can be offered or chosen: an id
        # from another project is "not one of the available choices".
        version_of = self.fields["version_of"]
        assert isinstance(version_of, forms.ModelChoiceField)
        version_of.queryset = Document.objects.in_project(project)
        self.accepted: list[UploadedFile] = []
        self.refused: list[str] = []

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        files = data.get("files") or []
        if data.get("version_of") and len(files) > 1:
            raise forms.ValidationError(
                "A new version is one file: choose a single file for it."
            )
        for upload in files:
            try:
                upload_check(upload)
            except UploadRefused as exc:
                self.refused.append(str(exc))
            else:
                self.accepted.append(upload)
        return data
