"""API routes of hardship files, included by api/urls.py under /api/v1/."""

from rest_framework.routers import DefaultRouter

from assistance.api.views import FileViewSet

router = DefaultRouter()
router.register("assistance/files", FileViewSet, basename="assistance-file")
urlpatterns = router.urls
