"""The API kit (agencyops/api/): a permission map per HTTP method, filter serializers, scoped related ids,
object lookup through scoped querysets. Each piece is checked through real endpoints that use it."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from agencyops.api.fields import ScopedInputSerializer, ScopedPrimaryKeyRelatedField
from agencyops.api.filters import FlagFilterField, IdFilterField
from agencyops.api.permissions import MethodPermission
from agencyops.api.views import AgencyAPIView
from agencyops.models import ClientContact
from agencyops.permissions import can_plan_projects, is_agency_member
from projects.models import Project
from tests import factories
from tests.factories import token_client

pytestmark = pytest.mark.django_db

NOT_FOUND_BODY = {"detail": "Not found."}
ROLE_REFUSED_BODY = {"detail": "Your role in this agency does not allow this."}
TOO_LARGE_FOR_THE_DATABASE = 99_999_999_999


def url(name: str, agency, **kwargs) -> str:
    return reverse(name, kwargs={"agency_slug": agency.slug, **kwargs})


def project_names(agency) -> list[str]:
    with scope(agency=agency.pk):
        return sorted(Project.objects.values_list("name", flat=True))


# --- The permission map ----------------------------------------------------------------------


def test_a_member_reads_the_projects_but_the_map_refuses_them_starting_one(team):
    factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="Spring site")
    member = token_client(team["members"][0].user)

    listed = member.get(url("api_project_list", team["agency"]))
    refused = member.post(
        url("api_project_list", team["agency"]),
        {"client": team["clients"][0].pk, "name": "Sneaky", "template": "builtin:website-launch"},
        format="json",
    )

    assert [row["name"] for row in listed.json()["results"]] == ["Spring site"]
    assert refused.status_code == 403 and refused.json() == ROLE_REFUSED_BODY
    assert project_names(team["agency"]) == ["Spring site"]


def test_a_method_the_view_implements_but_the_map_leaves_out_is_refused(team):
    class HalfMappedView(AgencyAPIView):
        permission_map = {"GET": is_agency_member}

        def get(self, request, agency_slug):  # pragma: no cover - never dispatched here
            raise AssertionError

        def post(self, request, agency_slug):  # pragma: no cover - never dispatched here
            raise AssertionError

    view = HalfMappedView()
    factory = APIRequestFactory()
    for method, allowed in (("get", True), ("head", True), ("post", False), ("put", True)):
        request = getattr(factory, method)("/")
        request.membership = team["owner"]
        # PUT is not implemented at all: the map stays out of the way and DRF answers 405 to everyone.
        assert MethodPermission().has_permission(request, view) is allowed, method


def test_the_map_reads_the_callers_role_per_method(team):
    class PlanningView(AgencyAPIView):
        permission_map = {"GET": is_agency_member, "POST": can_plan_projects}

        def get(self, request, agency_slug):  # pragma: no cover
            raise AssertionError

        def post(self, request, agency_slug):  # pragma: no cover
            raise AssertionError

    factory = APIRequestFactory()

    def allowed(method: str, membership) -> bool:
        request = getattr(factory, method)("/")
        request.membership = membership
        return MethodPermission().has_permission(request, PlanningView())

    assert allowed("get", team["members"][0]) and allowed("post", team["coordinator"])
    assert not allowed("post", team["members"][0])
    assert not allowed("get", None)  # no membership: nothing is allowed


def test_an_edit_of_history_is_405_for_every_role_not_403(team):
    # A decision-log entry implements GET only: PATCH is "not allowed" for everyone, never "forbidden".
    answers = [
        token_client(membership.user).patch(
            url("api_decision_detail", team["agency"], entry_id=1), {"decision": "x"}, format="json"
        )
        for membership in (team["owner"], team["members"][0])
    ]

    assert [answer.status_code for answer in answers] == [405, 405]


# --- Filter serializers ----------------------------------------------------------------------


def test_bad_filters_are_one_400_naming_every_field(team):
    response = token_client(team["owner"].user).get(
        url("api_project_list", team["agency"]), {"client": "acme", "status": "late", "at_risk": "maybe"}
    )

    assert response.status_code == 400
    assert response.json() == {
        "client": ["Give a client's id, a whole number."],
        "status": ["“late” is not a project status; use planning, active, on_hold, done, cancelled."],
        "at_risk": ["Use at_risk=true or at_risk=false."],
    }


def test_a_filter_id_too_large_for_the_database_is_a_400_not_a_500(team):
    response = token_client(team["owner"].user).get(
        url("api_approval_list", team["agency"]), {"project": TOO_LARGE_FOR_THE_DATABASE}
    )

    assert response.status_code == 400
    assert response.json() == {"project": ["Give a project's id, a whole number."]}


def test_good_filters_narrow_the_list_and_blank_ones_are_ignored(team):
    factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="Acme site")
    factories.project_create(actor=team["coordinator"], client=team["clients"][1], name="Bakery menu")
    api = token_client(team["owner"].user)

    narrowed = api.get(url("api_project_list", team["agency"]), {"client": team["clients"][1].pk})
    blank = api.get(url("api_project_list", team["agency"]), {"client": "", "status": " "})

    assert [row["name"] for row in narrowed.json()["results"]] == ["Bakery menu"]
    assert sorted(row["name"] for row in blank.json()["results"]) == ["Acme site", "Bakery menu"]


def test_the_filter_fields_parse_query_strings():
    class Filters(serializers.Serializer):
        client = IdFilterField(what="client")
        late = FlagFilterField(name="late")

    good = Filters(data={"client": "12", "late": "yes"})
    bad = Filters(data={"client": "0", "late": "perhaps"})

    assert good.is_valid() and good.validated_data == {"client": 12, "late": True}
    assert not bad.is_valid()
    assert bad.errors == {
        "client": ["Give a client's id, a whole number."],
        "late": ["Use late=true or late=false."],
    }


def test_the_schema_lists_each_filter_serializer_as_query_parameters(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    paths = yaml.safe_load(target.read_text())["paths"]

    def query(path: str, method: str) -> dict[str, dict]:
        operation = paths[path][method]
        return {p["name"]: p["schema"] for p in operation.get("parameters", []) if p["in"] == "query"}

    projects = query("/api/v1/agencies/{agency_slug}/projects/", "get")
    approvals = query("/api/v1/agencies/{agency_slug}/approvals/", "get")
    task_edit = query("/api/v1/agencies/{agency_slug}/tasks/{id}/", "patch")
    portal = query("/api/v1/portal/{agency_slug}/approvals/", "get")

    assert projects["status"]["enum"] == ["planning", "active", "on_hold", "done", "cancelled"]
    assert projects["client"]["type"] == "integer" and projects["at_risk"]["type"] == "boolean"
    assert {"status", "client", "project", "limit", "offset"} <= set(approvals)
    assert set(task_edit) == {"preview"}
    assert "in_revision" in portal["status"]["enum"]
    # A create takes no filters: they are read by the list only.
    assert "status" not in query("/api/v1/agencies/{agency_slug}/projects/", "post")


# --- Related ids through scoped querysets ----------------------------------------------------


def test_another_agencys_client_as_a_related_id_is_a_400_on_that_field(team, other_team):
    api = token_client(team["owner"].user)
    with scope(agency=team["agency"].pk):
        before = ClientContact.objects.count()

    for given in (other_team["clients"][0].pk, TOO_LARGE_FOR_THE_DATABASE, "acme", True):
        response = api.post(
            url("api_contact_list", team["agency"]),
            {"client": given, "full_name": "Mallory", "email": "mallory@example.test"},
            format="json",
        )
        assert response.status_code == 400, given
        assert response.json() == {"client": ["No such client in this agency."]}, given

    with scope(agency=team["agency"].pk):
        assert ClientContact.objects.count() == before


def test_related_ids_are_checked_only_once_the_rest_of_the_input_is_valid(team, other_team):
    theirs = factories.project_create(actor=other_team["coordinator"], client=other_team["clients"][0])
    with scope(agency=other_team["agency"].pk):
        their_task = theirs.tasks.values_list("pk", flat=True).first()
    api = token_client(team["coordinator"].user)

    shape = api.post(
        url("api_approval_list", team["agency"]),
        {"project": theirs.pk, "final_approver": team["contacts"][0].pk, "title": ""},
        format="json",
    )
    lookups = api.post(
        url("api_approval_list", team["agency"]),
        {
            "project": theirs.pk,
            "final_approver": other_team["contacts"][0].pk,
            "title": "Homepage copy",
            "due_at": "2030-01-07T15:00:00+00:00",
            "text": "Hello",
            "task": their_task,
        },
        format="json",
    )

    assert shape.status_code == 400 and "project" not in shape.json() and "title" in shape.json()
    assert lookups.status_code == 400
    assert lookups.json() == {
        "project": ["Choose one of your projects."],
        "final_approver": ["Choose a contact at this project's client."],
        "task": ["Choose a task of this project."],
    }


def test_a_list_of_related_ids_is_looked_up_in_one_query_and_refused_whole(
    team, other_team, django_assert_num_queries
):
    class RecipientsInput(ScopedInputSerializer):
        contacts = ScopedPrimaryKeyRelatedField(
            model=ClientContact, many=True, max_length=3, message="Pick contacts of this agency."
        )
        note = serializers.CharField()

    mine = [c.pk for c in team["contacts"]]
    theirs = other_team["contacts"][0].pk
    with scope(agency=team["agency"].pk):
        with django_assert_num_queries(1):
            accepted = RecipientsInput(data={"contacts": [*mine, mine[0]], "note": "Weekly"})
            assert accepted.is_valid(), accepted.errors
        assert accepted.validated_data["contacts"] == team["contacts"]  # in the order given, each once
        # Input refused for its shape costs no query and does not name the ids yet.
        with django_assert_num_queries(0):
            shape = RecipientsInput(data={"contacts": [mine[0], theirs], "note": ""})
            assert not shape.is_valid() and set(shape.errors) == {"note"}
        # One id that is not the agency's refuses the field (not dropped), in the same single query.
        with django_assert_num_queries(1):
            foreign = RecipientsInput(data={"contacts": [mine[0], theirs], "note": "Weekly"})
            assert not foreign.is_valid()
        assert foreign.errors == {"contacts": ["Pick contacts of this agency."]}
        with django_assert_num_queries(0):
            for bad in ("1,2", [1, 2, 3, 4], [True], {"a": 1}, [TOO_LARGE_FOR_THE_DATABASE], 7):
                refused = RecipientsInput(data={"contacts": bad, "note": "Weekly"})
                assert not refused.is_valid() and set(refused.errors) == {"contacts"}, bad


# --- Object lookup through the scoped queryset -----------------------------------------------


def test_another_agencys_object_and_an_impossible_id_are_the_same_404(team, other_team):
    api = token_client(team["owner"].user)
    theirs = other_team["clients"][0].pk

    for pk in (theirs, TOO_LARGE_FOR_THE_DATABASE):
        read = api.get(url("api_client_detail", team["agency"], pk=pk))
        edit = api.patch(url("api_client_detail", team["agency"], pk=pk), {"name": "Mine now"}, format="json")
        assert read.status_code == 404 and read.json() == NOT_FOUND_BODY, pk
        assert edit.status_code == 404 and edit.json() == NOT_FOUND_BODY, pk

    with scope(agency=other_team["agency"].pk):
        assert other_team["clients"][0].__class__.objects.get(pk=theirs).name != "Mine now"


def test_a_project_of_another_agency_is_a_404_on_every_project_endpoint(team, other_team):
    theirs = factories.project_create(actor=other_team["coordinator"], client=other_team["clients"][0])
    api = token_client(team["owner"].user)

    answers = [
        api.get(url("api_project_detail", team["agency"], pk=theirs.pk)),
        api.post(url("api_project_launch", team["agency"], pk=theirs.pk), {}, format="json"),
        api.post(url("api_project_tasks", team["agency"], pk=theirs.pk), {"title": "x"}, format="json"),
    ]

    assert [(a.status_code, a.json()) for a in answers] == [(404, NOT_FOUND_BODY)] * 3


# --- Reporting on the kit ----------------------------------------------------------------------


def test_a_view_without_a_permission_map_allows_nothing(team):
    class UnmappedView(AgencyAPIView):
        def get(self, request, agency_slug):  # pragma: no cover
            raise AssertionError

    request = APIRequestFactory().get("/")
    request.membership = team["owner"]
    assert MethodPermission().has_permission(request, UnmappedView()) is False


def test_reporting_maps_let_the_team_log_time_but_only_leads_change_the_setup(team):
    from reporting.api import ColumnMappingListView, TimeEntryListView

    factory = APIRequestFactory()

    def allowed(view, method: str, membership) -> bool:
        request = getattr(factory, method)("/")
        request.membership = membership
        return MethodPermission().has_permission(request, view())

    member = team["members"][0]
    assert allowed(TimeEntryListView, "post", member) and allowed(ColumnMappingListView, "get", member)
    assert not allowed(ColumnMappingListView, "post", member)
    assert allowed(ColumnMappingListView, "post", team["coordinator"])


def test_bad_reporting_filters_are_a_400_naming_each_field(team, settings):
    settings.REPORTING_METRICS_MAX_DAYS = 31
    api = token_client(team["owner"].user)

    metrics = api.get(
        url("api_reporting_metrics", team["agency"]),
        {"client": "acme", "campaign": TOO_LARGE_FOR_THE_DATABASE, "interval": "hour", "start": "soon"},
    )
    too_long = api.get(
        url("api_reporting_metrics", team["agency"]), {"start": "2026-01-01", "end": "2026-03-01"}
    )
    times = api.get(url("api_reporting_time_entry_list", team["agency"]), {"task": "x", "end": "later"})
    alerts = api.get(url("api_reporting_alert_list", team["agency"]), {"all": "maybe"})
    dashboard = api.get(url("api_reporting_dashboard_website", team["agency"]), {"from": "2020-01-01"})

    assert metrics.status_code == 400
    assert set(metrics.json()) == {"client", "campaign", "interval", "start"}
    assert metrics.json()["client"] == ["Give a client's id, a whole number."]
    assert metrics.json()["campaign"] == ["Give a campaign's id, a whole number."]
    assert too_long.status_code == 400 and too_long.json() == {"end": ["Ask for at most 31 days at a time."]}
    assert times.status_code == 400 and set(times.json()) == {"task", "end"}
    assert alerts.status_code == 400 and alerts.json() == {"all": ["Use all=true or all=false."]}
    assert dashboard.status_code == 400 and set(dashboard.json()) == {"to"}


def test_another_agencys_ids_in_reporting_are_refused(team, other_team):
    theirs = factories.project_create(actor=other_team["coordinator"], client=other_team["clients"][0])
    with scope(agency=other_team["agency"].pk):
        their_task = theirs.tasks.values_list("pk", flat=True).first()
    api = token_client(team["coordinator"].user)

    mapping = api.post(
        url("api_reporting_column_mappings", team["agency"]),
        {"client": other_team["clients"][0].pk, "name": "CRM", "mapping": {"date": "Created"}},
        format="json",
    )
    timed = api.post(
        url("api_reporting_time_entry_list", team["agency"]),
        {"task": their_task, "minutes": 30},
        format="json",
    )
    # In a query string, another agency's client is the same 404 as a missing one.
    metrics = api.get(url("api_reporting_metrics", team["agency"]), {"client": other_team["clients"][0].pk})
    detail = api.get(url("api_reporting_campaign_detail", team["agency"], pk=TOO_LARGE_FOR_THE_DATABASE))

    assert mapping.status_code == 400 and mapping.json() == {"client": ["No such client in this agency."]}
    assert timed.status_code == 400 and timed.json() == {"task": ["No such task in this agency."]}
    assert metrics.status_code == 404 and metrics.json() == NOT_FOUND_BODY
    assert detail.status_code == 404 and detail.json() == NOT_FOUND_BODY


def test_the_token_key_to_revoke_is_read_by_a_filter_serializer(team):
    api = token_client(team["owner"].user)

    too_long = api.delete(reverse("api_token") + "?key=" + "k" * 65)
    unknown = api.delete(reverse("api_token") + "?key=nosuchkey")

    assert too_long.status_code == 400 and list(too_long.json()) == ["key"]
    assert unknown.status_code in (400, 404) and api.get(reverse("api_token")).status_code == 200
