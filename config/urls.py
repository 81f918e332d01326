from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("reperes.web.urls")),
    path("compte/", include("reperes.network.auth_urls")),
    path("territoire/", include("reperes.territory.urls")),
    path("reseau/", include("reperes.network.urls")),
    path("", include("reperes.registry.urls")),
    path("admin/", admin.site.urls),
]
