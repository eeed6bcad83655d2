"""The worker's survey pages, mounted under /portal/surveys/."""

from django.urls import path

from surveys import views

app_name = "survey_portal"
urlpatterns = [
    path("", views.my_surveys, name="list"),
    path("<int:pk>/", views.survey_answer, name="answer"),
]
