from django.urls import path

from activities.innovation_views import portal_innovation
from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("messages/", views.messages_page, name="messages"),
    path("appeals/new/", views.appeal_new, name="new"),
    path("appeals/<int:pk>/", views.appeal_detail, name="detail"),
    path("appeals/<int:pk>/rate/", views.appeal_rate, name="rate"),
    path("activities/", views.activities_page, name="activities"),
    path("activities/<int:pk>/register/", views.activity_register, name="activity_register"),
    path("innovation/", portal_innovation, name="innovation"),
]
