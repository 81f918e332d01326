from django.contrib import admin
from django.urls import include, path

from reperes.network.views import admin_login
from reperes.operations.views import health

# The admin's own login page would check passwords without the login throttle: it sends to ours.
admin.site.login = admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("", include("reperes.web.urls")),
    path("compte/", include("reperes.network.auth_urls")),
    path("territoire/", include("reperes.territory.urls")),
    path("reseau/", include("reperes.network.urls")),
    path("", include("reperes.registry.urls")),
    path("", include("reperes.pathways.urls")),
    path("actions/", include("reperes.mobilisation.urls")),
    path("orientations/", include("reperes.referrals.urls")),
    path("programme/", include("reperes.programme.urls")),
    path("bilan/", include("reperes.reporting.urls")),
    path("exports/", include("reperes.exports.urls")),
    path("exploitation/", include("reperes.operations.urls")),
    path("sante/", health, name="health"),
    path("admin/", admin.site.urls),
]
