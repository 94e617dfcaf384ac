from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.ops.monitor import monitor_snapshot


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@staff_member_required
def staff_monitor(request: HttpRequest) -> HttpResponse:
    """Staff only (others are sent to the admin login); htmx reloads the page's body every 10 s."""
    return render(request, "staff/monitor.html", monitor_snapshot())


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and tools ask for /favicon.ico whatever the page says: the site's icon, not a 404
    (resolved per request: with DEBUG=False the static name carries the manifest's hash)."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("favicon.svg"))
