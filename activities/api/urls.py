"""API routes of the activities app, included by api/urls.py under /api/v1/."""

from rest_framework.routers import DefaultRouter

from activities.api.views import EventViewSet, HonourViewSet, NominationViewSet, RegistrationViewSet, SelectionViewSet

router = DefaultRouter()
router.register("activities/events", EventViewSet, basename="activity-event")
router.register("activities/registrations", RegistrationViewSet, basename="activity-registration")
router.register("activities/honours", HonourViewSet, basename="activity-honour")
router.register("activities/craftsman-selections", SelectionViewSet, basename="activity-selection")
router.register("activities/craftsman-nominations", NominationViewSet, basename="activity-nomination")
urlpatterns = router.urls
