from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api import views
from orgs.api.permissions import holds
from orgs.api.views import OrganisationViewSet
from orgs.roles import Perm

app_name = "api"

router = DefaultRouter()
router.register("orgs", OrganisationViewSet, basename="org")

urlpatterns = [
    # The API's description is for those who connect systems to it (Perm.API_DOCS); others get the
    # JSON 403 every refused API call gets.
    path("openapi.json", SpectacularJSONAPIView.as_view(permission_classes=[holds(Perm.API_DOCS)]), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api:schema", permission_classes=[holds(Perm.API_DOCS)]),
        name="docs",
    ),
    path("auth/token/", views.ObtainTokenView.as_view(), name="token"),
    path("me/", views.me, name="me"),
    path("", include(router.urls)),
    path("", include("members.api.urls")),
    path("", include("appeals.api.urls")),
    path("", include("cadres.api.urls")),
    path("", include("funds.api.urls")),
    path("", include("assistance.api.urls")),
    path("", include("assistance.api.urls_relief")),
    path("", include("activities.api.urls")),
    path("", include("assessment.api.urls")),
    path("", include("surveys.api.urls")),
    path("", include("reform.api.urls")),
]
