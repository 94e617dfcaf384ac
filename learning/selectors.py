"""Reads shared by services, views and admin."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from learning.models import AIUsage


def ai_tokens_used_this_month(user: settings.AUTH_USER_MODEL) -> int:
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    totals = AIUsage.objects.filter(user=user, created_at__gte=start).aggregate(
        tokens_in=Sum("tokens_in"), tokens_out=Sum("tokens_out")
    )
    return (totals["tokens_in"] or 0) + (totals["tokens_out"] or 0)


def ai_budget_spent(user: settings.AUTH_USER_MODEL) -> bool:
    budget = settings.OPENAI_MONTHLY_TOKEN_BUDGET
    return bool(budget) and ai_tokens_used_this_month(user) >= budget
