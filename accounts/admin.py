from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.forms import AdminUserChangeForm, AdminUserCreationForm
from accounts.models import User


def _per_user(model_path: str, value, user_field: str = "user") -> Subquery:
    """A per-user figure as a subquery, so that several counts do not multiply each other through joins."""
    from django.apps import apps

    rows = apps.get_model(model_path).objects.filter(**{user_field: OuterRef("pk")}).order_by()
    return Coalesce(Subquery(rows.values(user_field).annotate(v=value).values("v"), output_field=IntegerField()), 0)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "name",
        "is_active",
        "is_staff",
        "upload_count",
        "card_count",
        "review_count",
        "ai_tokens",
        "date_joined",
        "last_login",
    ]
    actions = ["deactivate"]
    list_filter = ["is_active", "is_staff", "is_superuser", "language"]
    search_fields = ["email", "name"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["name", "language", "desired_retention", "new_cards_per_day"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})]

    def get_queryset(self, request) -> QuerySet[User]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                uploads_n=_per_user("uploads.Upload", Count("id"), "owner"),
                cards_n=_per_user("learning.Flashcard", Count("id"), "upload__owner"),
                reviews_n=_per_user("learning.Review", Count("id")),
                ai_tokens_n=_per_user("learning.AIUsage", Sum("tokens_in") + Sum("tokens_out")),
            )
        )

    @admin.display(description=_("uploads"), ordering="uploads_n")
    def upload_count(self, user: User) -> int:
        return user.uploads_n

    @admin.display(description=_("flashcards"), ordering="cards_n")
    def card_count(self, user: User) -> int:
        return user.cards_n

    @admin.display(description=_("reviews"), ordering="reviews_n")
    def review_count(self, user: User) -> int:
        return user.reviews_n

    @admin.display(description=_("AI tokens"), ordering="ai_tokens_n")
    def ai_tokens(self, user: User) -> int:
        return user.ai_tokens_n

    @admin.action(description=_("Deactivate the selected users (and log out their devices)"))
    def deactivate(self, request, queryset: QuerySet[User]) -> None:
        users = [user for user in queryset if user.pk != request.user.pk]
        for user in users:
            services.user_deactivate(user=user)
        self.message_user(
            request,
            ngettext("%(count)d user deactivated.", "%(count)d users deactivated.", len(users)) % {"count": len(users)},
            messages.SUCCESS,
        )
