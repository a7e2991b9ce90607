"""The auditor's pages (Ministry of Finance): the workspace and the red-flag queue."""

from django.urls import path

from transparency.views import flags, workspace

app_name = "transparency"

urlpatterns = [
    path("auditor/", workspace.workspace, name="workspace"),
    path(
        "auditor/export/<slug:table>.<slug:fmt>",
        workspace.workspace_export,
        name="workspace-export",
    ),
    path("auditor/red-flags/", flags.flag_list, name="flag-list"),
    path("auditor/red-flags/<int:flag_id>/", flags.flag_detail, name="flag-detail"),
    path("auditor/red-flags/<int:flag_id>/review/", flags.flag_review, name="flag-review"),
]
