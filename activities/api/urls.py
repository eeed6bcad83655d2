"""API routes of the activities app, included by api/urls.py under /api/v1/."""

from rest_framework.routers import DefaultRouter

from activities.api.views import (
    EventViewSet,
    HonourViewSet,
    InnovationViewSet,
    NominationViewSet,
    RegistrationViewSet,
    SelectionViewSet,
    StudioOutputViewSet,
    StudioViewSet,
)

router = DefaultRouter()
router.register("activities/events", EventViewSet, basename="activity-event")
router.register("activities/registrations", RegistrationViewSet, basename="activity-registration")
router.register("activities/honours", HonourViewSet, basename="activity-honour")
router.register("activities/craftsman-selections", SelectionViewSet, basename="activity-selection")
router.register("activities/craftsman-nominations", NominationViewSet, basename="activity-nomination")
router.register("activities/studios", StudioViewSet, basename="activity-studio")
router.register("activities/studio-outputs", StudioOutputViewSet, basename="activity-studio-output")
router.register("activities/innovation-items", InnovationViewSet, basename="activity-innovation")
urlpatterns = router.urls
