from django.urls import path

from reform import views

app_name = "reform"
urlpatterns: list = []
