"""API routes of the funds app, included by api/urls.py under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from funds.api import views

router = DefaultRouter()
router.register("funds/accounts", views.AccountViewSet, basename="fund-account")
router.register("funds/entries", views.EntryViewSet, basename="fund-entry")
router.register("funds/programmes", views.ProgrammeViewSet, basename="fund-programme")
router.register("funds/cycles", views.CycleViewSet, basename="fund-cycle")
router.register("funds/entitlements", views.EntitlementViewSet, basename="fund-entitlement")
router.register("funds/payments", views.PaymentViewSet, basename="fund-payment")
router.register("funds/donations", views.DonationViewSet, basename="fund-donation")
router.register("funds/bank-batches", views.BankBatchViewSet, basename="fund-bank-batch")
router.register("funds/payee-accounts", views.PayeeAccountViewSet, basename="fund-payee-account")
urlpatterns = [
    path("funds/trial-balance/", views.trial_balance, name="fund-trial-balance"),
    *router.urls,
]
