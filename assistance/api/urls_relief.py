"""API routes of relief and scholarships, included by api/urls.py under /api/v1/."""

from rest_framework.routers import DefaultRouter

from assistance.api import views_relief as views

router = DefaultRouter()
router.register("assistance/relief", views.ReliefApplicationViewSet, basename="assistance-relief")
router.register("assistance/scholarships", views.ScholarshipApplicationViewSet, basename="assistance-scholarship")
router.register("assistance/relief-payments", views.AssistancePaymentViewSet, basename="assistance-payment")
urlpatterns = router.urls
