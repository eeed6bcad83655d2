"""The assistance app's URLs: each part mounts its own module here, one line each."""

from django.urls import include, path

app_name = "assistance"
urlpatterns = [
    path("", include("assistance.urls_files")),
    path("", include("assistance.urls_allowance")),
    path("", include("assistance.urls_relief")),
]
