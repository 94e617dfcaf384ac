from csp.decorators import csp_exempt
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core import views
from core.ops import health, metrics

# Health paths are answered by HealthCheckMiddleware first; the routes keep them reversible.
urlpatterns = [
    path("", views.home, name="home"),
    path("ping", health.ping, name="ping"),
    # Browsers and tools ask for /favicon.ico whatever the page says: the site's icon, not a 404.
    path("favicon.ico", views.favicon, name="favicon"),
    path("health", health.readiness, name="health"),
    path("api/v1/simple-health", health.ping, name="api-simple-health"),
    path("api/v1/health", health.readiness, name="api-health"),
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/", include("uploads.api.urls")),
    path("api/v1/", include("learning.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI sets itself up with an inline script: the one page without the site's CSP.
    path("api/docs/", csp_exempt()(SpectacularSwaggerView.as_view(url_name="schema")), name="swagger-ui"),
    path("accounts/", include("accounts.urls")),
    path("documents/", include("uploads.urls")),
    path("study/", include("learning.urls")),
    path("staff/monitor/", views.staff_monitor, name="staff-monitor"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
]

handler400 = "core.api.errors.handler400"
handler403 = "core.api.errors.handler403"
handler404 = "core.api.errors.handler404"
handler500 = "core.api.errors.handler500"
