from django.urls import path

from appeals import views

app_name = "appeals"
urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("new/", views.appeal_create, name="create"),
    path("rates/", views.rates, name="rates"),
    path("liaisons/", views.liaisons, name="liaisons"),
    path("notifications/", views.notifications, name="notifications"),
    path("<int:pk>/", views.appeal_detail, name="detail"),
    path("<int:pk>/do/<str:action>/", views.appeal_action, name="action"),
    path("<int:pk>/referrals/<int:ref>/<str:action>/", views.referral_action, name="referral_action"),
    path("<int:pk>/attachments/<int:att>/", views.attachment_download, name="attachment"),
]
