from django.urls import include, path

app_name = "assistance"
urlpatterns = [
    path("", include("assistance.urls_relief")),
]
