"""API routes of the reform app, included by api/urls.py under /api/v1/."""

from rest_framework.routers import DefaultRouter

from reform.api import views

router = DefaultRouter()
router.register("reform/plans", views.PlanViewSet, basename="reform-plan")
router.register("reform/tasks", views.TaskViewSet, basename="reform-task")
urlpatterns = router.urls
