from django.urls import include, path

urlpatterns = [
    path("", include("dashboard.urls")),
    path("accounts/", include("accounts.urls")),
    path("orgs/", include("orgs.urls")),
    path("members/", include("members.urls")),
    path("appeals/", include("appeals.urls")),
    path("funds/", include("funds.urls")),
    path("portal/", include("portal.urls")),
    path("activities/", include("activities.urls")),
    path("assessment/", include("assessment.urls")),
    path("programmes/", include("programmes.urls")),
    path("api/v1/", include("api.urls")),
]
