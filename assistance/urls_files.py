"""URLs of hardship files (mounted by ``assistance/urls.py``)."""

from django.urls import path

from assistance.views import files, portal_files

urlpatterns = [
    path("files/", files.file_list, name="file_list"),
    path("files/new/", files.file_create, name="file_create"),
    path("files/<int:pk>/", files.file_detail, name="file_detail"),
    path("files/<int:pk>/edit/", files.file_edit, name="file_edit"),
    path("files/<int:pk>/reveal/", files.file_reveal, name="file_reveal"),
    path("files/<int:pk>/act/<slug:action>/", files.file_action, name="file_action"),
    path("files/<int:pk>/household/new/", files.household_edit, name="household_add"),
    path("files/<int:pk>/household/<int:member>/", files.household_edit, name="household_edit"),
    path("files/<int:pk>/household/<int:member>/remove/", files.household_remove, name="household_remove"),
    path("files/<int:pk>/documents/new/", files.file_documents_add, name="file_documents_add"),
    path("files/<int:pk>/documents/<int:doc>/", files.file_document, name="file_document"),
    path("files/<int:pk>/documents/<int:doc>/remove/", files.file_document_remove, name="file_document_remove"),
    path("status/", files.status_list, name="status_list"),
    path("standards/", files.standard_list, name="standard_list"),
    path("my/", portal_files.my_file, name="my_file"),
    path("my/apply/", portal_files.my_apply, name="my_apply"),
    path("my/<int:pk>/household/", portal_files.my_household, name="my_household"),
    path("my/<int:pk>/household/<int:member>/", portal_files.my_household, name="my_household_edit"),
    path("my/<int:pk>/household/<int:member>/remove/", portal_files.my_household_remove, name="my_household_remove"),
    path("my/<int:pk>/documents/new/", portal_files.my_documents_add, name="my_documents_add"),
    path("my/<int:pk>/documents/<int:doc>/remove/", portal_files.my_document_remove, name="my_document_remove"),
]
