from django.urls import path

from cadres import views

app_name = "cadres"
urlpatterns = [
    path("", views.post_list, name="posts"),
    path("posts/<int:pk>/", views.post_end, name="post_end"),
    path("staffing/", views.staffing_list, name="staffing"),
    path("recruitments/", views.recruitment_list, name="recruitments"),
    path("recruitments/<int:pk>/", views.recruitment_detail, name="recruitment_detail"),
    path("recruitments/<int:pk>/score/", views.recruitment_score, name="recruitment_score"),
    path("social-workers/", views.worker_list, name="workers"),
    path("social-workers/<int:pk>/", views.worker_detail, name="worker_detail"),
    path("training/", views.class_list, name="classes"),
    path("training/<int:pk>/", views.class_detail, name="class_detail"),
    path("training/records/", views.record_list, name="records"),
    path("training/coverage/", views.coverage_list, name="coverage"),
]
