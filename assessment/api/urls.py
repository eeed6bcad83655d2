"""API routes of the assessment app, included by api/urls.py under /api/v1/."""

from rest_framework.routers import DefaultRouter

from assessment.api import views

router = DefaultRouter()
router.register("assessment/sets", views.IndicatorSetViewSet, basename="assessment-set")
router.register("assessment/versions", views.VersionViewSet, basename="assessment-version")
router.register("assessment/results", views.ResultViewSet, basename="assessment-result")
urlpatterns = router.urls
