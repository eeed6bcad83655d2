from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/", views.whoami, name="whoami"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/roles/<int:assignment_id>/revoke/", views.user_revoke, name="user_revoke"),
    path("users/<int:pk>/<str:action>/", views.user_action, name="user_action"),
    path("audit/", views.audit, name="audit"),
    path("history/", views.history, name="history"),
    path("calendar/", views.calendar, name="calendar"),
]
