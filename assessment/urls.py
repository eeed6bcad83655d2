from django.urls import path

from assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.result_list, name="list"),
    path("sets/", views.set_list, name="sets"),
    path("sets/new/", views.set_create, name="set_create"),
    path("sets/<int:pk>/", views.set_detail, name="set_detail"),
    path("sets/<int:pk>/compute/", views.set_compute, name="set_compute"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/<int:pk>/<str:action>/", views.version_action, name="version_action"),
    path("results/<int:pk>/", views.result_detail, name="result"),
    path("results/<int:pk>/lines/<int:position>/", views.line_rows, name="line_rows"),
    path("indicators/<int:pk>/score/", views.score_form, name="score"),
]
