from django.urls import path

from funds import views

app_name = "funds"
urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/<str:code>/", views.account_detail, name="account_detail"),
    path("trial-balance/", views.trial_balance, name="trial_balance"),
    path("entries/", views.entry_list, name="entry_list"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("periods/", views.period_list, name="period_list"),
    path("donations/", views.donation_list, name="donation_list"),
    path("donations/new/", views.donation_create, name="donation_create"),
    path("donations/<int:pk>/receipt/", views.donation_receipt, name="donation_receipt"),
    path("allocations/new/", views.allocation_create, name="allocation_create"),
    path("programmes/<str:code>/", views.programme_detail, name="programme_detail"),
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/progress/", views.cycle_progress, name="cycle_progress"),
    path("cycles/<int:pk>/<str:action>/", views.cycle_action, name="cycle_action"),
    path("entitlements/<int:pk>/adjust/", views.entitlement_adjust, name="entitlement_adjust"),
    path("payments/", views.payment_list, name="payment_list"),
]
