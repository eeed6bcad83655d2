"""API routes of the cadres app, included by api/urls.py under /api/v1/."""

from rest_framework.routers import DefaultRouter

from cadres.api.views import PostViewSet, SocialWorkerViewSet, TrainingRecordViewSet

router = DefaultRouter()
router.register("cadres/posts", PostViewSet, basename="cadre-post")
router.register("cadres/social-workers", SocialWorkerViewSet, basename="cadre-social-worker")
router.register("cadres/training-records", TrainingRecordViewSet, basename="cadre-training-record")
urlpatterns = router.urls
