"""The project page keeps its approvals section inside its cached body, under the page's version
(projects/page_versions.py): the requests, their versions, the client's decisions and the client's people
that section shows move it, through the projects app's change function."""

from django.db import migrations

from projects.page_versions import BY_CLIENT_ID, BY_PARENT, watch_project_changes

REQUEST = ("approvals_approvalrequest", "request_id")


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0005_watch_portal_home_changes"),
        ("projects", "0019_project_change_through_a_parent_row"),
    ]

    operations = [
        watch_project_changes("approvals_approvalrequest"),
        watch_project_changes("approvals_assetversion", BY_PARENT, parent=REQUEST),
        watch_project_changes("approvals_reviewerdecision", BY_PARENT, parent=REQUEST),
        # The approver and the decider are named by the client's people: a rename moves the client's pages.
        watch_project_changes("agencyops_clientcontact", BY_CLIENT_ID),
    ]
