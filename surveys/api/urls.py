"""API routes of the surveys app, included by api/urls.py under /api/v1/."""

from rest_framework.routers import DefaultRouter

from surveys.api.views import SurveyViewSet

router = DefaultRouter()
router.register("surveys", SurveyViewSet, basename="survey")
urlpatterns = router.urls
