from django.urls import path

from assistance.views import allowance as views

urlpatterns = [
    path("figures/", views.figures, name="figures"),
    path("allowance/months/", views.allowance_month_list, name="allowance_months"),
    path("allowance/cycles/<int:pk>/bank-list/", views.bank_list, name="allowance_bank_list"),
    path("my/allowance/", views.my_allowance, name="my_allowance"),
    path("holiday/payments/", views.holiday_payment_list, name="holiday_payments"),
]
