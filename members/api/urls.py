"""API routes of the members app, included by api/urls.py under /api/v1/."""

from rest_framework.routers import DefaultRouter

from members.api.views import MemberViewSet

router = DefaultRouter()
router.register("members", MemberViewSet, basename="member")
urlpatterns = router.urls
