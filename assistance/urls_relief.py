"""URLs of 大病救助 and 金秋助学 (mounted by one line in assistance/urls.py)."""

from django.urls import path

from assistance.views import relief as views

urlpatterns = [
    path("relief/", views.relief_list, name="relief_list"),
    path("relief/<int:pk>/", views.relief_detail, name="relief_detail"),
    path("relief/<int:pk>/<str:action>/", views.relief_action, name="relief_action"),
    path("relief/<int:pk>/documents/<int:doc>/", views.relief_document, name="relief_document"),
    path("scholarships/", views.scholarship_list, name="scholarship_list"),
    path("scholarships/<int:pk>/", views.scholarship_detail, name="scholarship_detail"),
    path("scholarships/<int:pk>/<str:action>/", views.scholarship_action, name="scholarship_action"),
    path("scholarships/<int:pk>/documents/<int:doc>/", views.scholarship_document, name="scholarship_document"),
    path("my/relief/", views.my_relief, name="my_relief"),
    path("my/relief/new/", views.my_relief_new, name="my_relief_new"),
    path("my/relief/<int:pk>/", views.my_relief_detail, name="my_relief_detail"),
    path("my/scholarships/new/", views.my_scholarship_new, name="my_scholarship_new"),
    path("my/scholarships/<int:pk>/", views.my_scholarship_detail, name="my_scholarship_detail"),
]
