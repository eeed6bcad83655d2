from django.urls import include, path

from core.views import healthz, readyz

urlpatterns = [
    path("", include("dashboard.urls")),
    path("accounts/", include("accounts.urls")),
    path("orgs/", include("orgs.urls")),
    path("members/", include("members.urls")),
    path("appeals/", include("appeals.urls")),
    path("cadres/", include("cadres.urls")),
    path("funds/", include("funds.urls")),
    path("assistance/", include("assistance.urls")),
    path("portal/", include("portal.urls")),
    path("activities/", include("activities.urls")),
    path("assessment/", include("assessment.urls")),
    path("programmes/", include("programmes.urls")),
    path("surveys/", include("surveys.urls")),
    path("portal/surveys/", include("surveys.portal_urls")),
    path("reform/", include("reform.urls")),
    path("api/v1/", include("api.urls")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]

# Under /api/ every error is JSON, 404 and 500 included (DRF answers the errors it raises itself).
handler400 = "api.exceptions.json_or_page_400"
handler403 = "api.exceptions.json_or_page_403"
handler404 = "api.exceptions.json_or_page_404"
handler500 = "api.exceptions.json_or_page_500"
