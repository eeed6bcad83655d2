from django.urls import path

from reform import views

app_name = "reform"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("tasks/", views.task_list, name="task_list"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/phases/", views.phase_add, name="phase_add"),
    path("<int:pk>/tasks/", views.task_add, name="task_add"),
    path("<int:pk>/report/", views.plan_report, name="plan_report"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/reports/", views.report_add, name="report_add"),
    path("tasks/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("tasks/<int:pk>/milestones/<int:milestone>/done/", views.milestone_done, name="milestone_done"),
    path("tasks/<int:pk>/attachments/<int:att>/", views.attachment_download, name="attachment"),
    path("tasks/<int:pk>/<str:action>/", views.task_action, name="task_action"),
]
