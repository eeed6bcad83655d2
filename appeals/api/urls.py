"""API routes of the appeals app, included by api/urls.py under /api/v1/."""

from rest_framework.routers import DefaultRouter

from appeals.api.views import AppealViewSet

router = DefaultRouter()
router.register("appeals", AppealViewSet, basename="appeal")
urlpatterns = router.urls
