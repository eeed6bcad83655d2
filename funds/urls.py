from django.urls import path

from funds import views, views_bank

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
    # money reaching the bank (docs/bank.md)
    path("bank/batches/", views_bank.batch_list, name="batch_list"),
    path("bank/batches/new/", views_bank.batch_new, name="batch_new"),
    path("bank/batches/<int:pk>/", views_bank.batch_detail, name="batch_detail"),
    path("bank/batches/<int:pk>/file/", views_bank.batch_file, name="batch_file"),
    path("bank/batches/<int:pk>/result/", views_bank.batch_result, name="batch_result"),
    path("bank/batches/<int:pk>/<str:action>/", views_bank.batch_action, name="batch_action"),
    path("bank/accounts/", views_bank.payee_account_list, name="payee_account_list"),
    path("bank/accounts/import/", views_bank.payee_account_import, name="payee_account_import"),
    path("bank/accounts/missing/", views_bank.missing_accounts, name="missing_accounts"),
    path("bank/accounts/new/<str:kind>/<int:pk>/", views_bank.payee_account_new, name="payee_account_new"),
    path("bank/accounts/<int:pk>/", views_bank.payee_account_detail, name="payee_account_detail"),
    path("bank/accounts/<int:pk>/verify/", views_bank.payee_account_verify, name="payee_account_verify"),
    path("bank/returned/", views_bank.returned_list, name="returned_list"),
    path("bank/returned/<int:pk>/", views_bank.returned_detail, name="returned_detail"),
    path("bank/returned/<int:pk>/<str:action>/", views_bank.returned_action, name="returned_action"),
]
