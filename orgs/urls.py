from django.urls import path

from orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("list/", views.organisation_list, name="list"),
    path("search/", views.search, name="search"),
    path("branch/", views.branch, name="branch"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.tree_children, name="children"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/new/", views.create_child, name="create"),
    path("<str:code>/move/", views.move, name="move"),
    path("<str:code>/close/", views.close, name="close"),
]
