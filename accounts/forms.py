from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import User
from core.forms import ServiceFormMixin


class SignUpForm(ServiceFormMixin, forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Password (again)"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords do not match."))
        return data

    def save(self, *, language: str) -> User | None:
        try:
            return services.user_create(
                email=self.cleaned_data["email"],
                password=self.cleaned_data["password"],
                name=self.cleaned_data["name"],
                language=language,
            )
        except ValidationError as exc:
            self.add_service_error(exc)
            return None


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True}))


class ProfileForm(ServiceFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=User._meta.get_field("language").choices)
    # Left empty, a study setting keeps its value.
    desired_retention = User._meta.get_field("desired_retention").formfield(required=False)
    new_cards_per_day = User._meta.get_field("new_cards_per_day").formfield(required=False)

    def save(self, *, user: User) -> User | None:
        try:
            changes = {field: value for field, value in self.cleaned_data.items() if value is not None}
            return services.user_update(user=user, **changes)
        except ValidationError as exc:
            self.add_service_error(exc)
            return None


class AdminUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class AdminUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
