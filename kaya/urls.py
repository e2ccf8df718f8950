from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)

from kaya import health
from kaya.routing import remembered_include
from kaya.views import ApiIndexView, OfflineRedocView, dev_home, redoc_bundle

handler400 = "kaya.exceptions.handler400"
handler403 = "kaya.exceptions.handler403"
handler404 = "kaya.exceptions.handler404"
handler500 = "kaya.exceptions.handler500"

api_v1: list[URLPattern | URLResolver] = [
    path("", ApiIndexView.as_view(), name="api-index"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("redoc/", OfflineRedocView.as_view(url_name="schema"), name="redoc"),
    path("redoc/redoc.standalone.js", redoc_bundle, name="redoc-bundle"),
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
    path("", include("journal.urls")),
    path("", include("community.urls")),
    path("", include("coaching.urls")),
    path("", include("wellness.urls")),
]

urlpatterns = [
    path("", dev_home, name="home"),
    path("health", health.liveness, name="health"),
    path("health/ready", health.readiness, name="health-ready"),
    path("admin/", admin.site.urls),
    # Resolved once per path and process: the apps' includes are tried in turn.
    remembered_include("api/v1/", api_v1),
]

if settings.KAYA_BENCH:
    from kaya import bench

    urlpatterns += [
        path("bench/json", bench.bench_json, name="bench-json"),
        path("bench/one", bench.bench_one, name="bench-one"),
    ]
