from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts import services
from accounts.forms import EmailAuthenticationForm, ProfileForm, SignUpForm
from accounts.services import LANGUAGE_CODES
from core.rates import client_address, rate_allows
from core.requests import AuthenticatedHttpRequest

TOO_MANY_ATTEMPTS = 429


class LoginView(auth_views.LoginView):
    """Django's log-in page, with at most THROTTLE_LOGIN attempts per client address whatever the
    email: one address cannot spray many accounts (django-axes locks one email at one address)."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not rate_allows("login", client_address(request)):
            form = self.get_form()
            form.add_error(None, _("Too many log-in attempts from your network. Please wait a minute and try again."))
            return self.render_to_response(self.get_context_data(form=form), status=TOO_MANY_ATTEMPTS)
        return super().post(request, *args, **kwargs)


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and not rate_allows("register", client_address(request)):
        form.add_error(None, _("Too many new accounts from your network. Please wait a while and try again."))
        return render(request, "accounts/signup.html", {"form": form}, status=TOO_MANY_ATTEMPTS)
    if request.method == "POST" and form.is_valid():
        user = form.save(language=translation.get_language() or "en")
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to HackTheStudy! Your account is ready."))
            return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    initial = {field: getattr(user, field) for field in ProfileForm.base_fields}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and form.save(user=user) is not None:
        translation.activate(user.language)
        messages.success(request, _("Your profile was saved."))
        response = redirect("accounts:profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language)
        return response
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The navigation bar's language switch; signed-in users keep the choice in their profile."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in LANGUAGE_CODES:
        services.user_update(user=request.user, language=language)
    return django_set_language(request)
