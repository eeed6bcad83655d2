from django.urls import path

from activities import craftsmen_views, innovation_views, studios_views, views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("registrations/", views.registration_list, name="registrations"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/<slug:step>/", views.activity_step, name="step"),
    path("<int:pk>/photos/<int:photo>/", views.photo_download, name="photo"),
    path("<int:pk>/photos/<int:photo>/remove/", views.photo_remove, name="photo_remove"),
    path("craftsmen/", craftsmen_views.nomination_list, name="craftsmen"),
    path("craftsmen/<int:pk>/", craftsmen_views.selection_detail, name="selection"),
    path("craftsmen/<int:pk>/<slug:step>/", craftsmen_views.selection_step, name="selection_step"),
    path("studios/", studios_views.studio_list, name="studios"),
    path("studios/<int:pk>/", studios_views.studio_detail, name="studio"),
    path("innovation/", innovation_views.innovation_list, name="innovations"),
    path("innovation/<int:pk>/", innovation_views.innovation_detail, name="innovation"),
]
