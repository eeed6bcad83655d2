from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api import views
from orgs.api.views import OrganisationViewSet

app_name = "api"

router = DefaultRouter()
router.register("orgs", OrganisationViewSet, basename="org")

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("auth/token/", views.ObtainTokenView.as_view(), name="token"),
    path("me/", views.me, name="me"),
    path("", include(router.urls)),
    path("", include("members.api.urls")),
    path("", include("appeals.api.urls")),
    path("", include("funds.api.urls")),
]
