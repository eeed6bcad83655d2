from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.member_create, name="create"),
    path("import/", views.import_start, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/<int:job_id>/", views.import_job, name="import_job"),
    path("import/<int:job_id>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:job_id>/report/", views.import_report, name="import_report"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/reveal/", views.member_reveal, name="reveal"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/transfer/", views.member_transfer, name="transfer"),
    path("<int:pk>/leave/", views.member_leave, name="leave"),
    path("<int:pk>/honours/", views.honour_add, name="honour_add"),
    path("<int:pk>/honours/<int:honour_id>/delete/", views.honour_remove, name="honour_remove"),
]
