from django.urls import path

from programmes import views

app_name = "programmes"
urlpatterns = [
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/<int:pk>/", views.grant_detail, name="grant_detail"),
    path("dues/", views.dues_list, name="dues_list"),
    path("dues/import/", views.dues_import, name="dues_import"),
]
