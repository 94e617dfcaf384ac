from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from uploads.models import GeneratorRequest


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Document"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.pptx,.txt,.md,.markdown"}),
    )
    title = forms.CharField(label=_("Title (optional)"), max_length=255, required=False)
    generator = forms.ChoiceField(
        label=_("Study material by"),
        choices=[(choice.value, choice.label) for choice in (GeneratorRequest.AUTO, GeneratorRequest.OFFLINE)],
        initial=GeneratorRequest.AUTO,
        required=False,
    )

    def limits(self) -> dict[str, int]:
        return {
            "max_mb": settings.MAX_UPLOAD_MB,
            "max_pages": settings.MAX_PAGES,
            "max_uploads": settings.MAX_UPLOADS_PER_USER,
        }
