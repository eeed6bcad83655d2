"""API routes of the members app, included by api/urls.py under /api/v1/."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
urlpatterns = router.urls
