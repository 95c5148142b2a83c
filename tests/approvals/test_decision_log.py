"""A client's decision log: the page, decisions recorded by hand, corrections, the CSV and PDF exports."""

from __future__ import annotations

import csv
import io
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pypdfium2
import pytest
from django.urls import reverse
from django_scopes import scope

from agencyops.pdf import html_to_pdf, is_local
from approvals import exports, services
from approvals.models import DecisionLogEntry
from tests import factories
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db


def url(name: str, agency, *args) -> str:
    return reverse(name, args=[agency.slug, *args])


def _manual(team, client, decision, *, days_ago=0, corrects=None, **fields):
    with scope(agency=team["agency"].pk):
        return services.decision_log_add(
            actor=team["coordinator"],
            client=client,
            decision=decision,
            approver_name=fields.pop("approver_name", "Dr Anna Li"),
            asset=fields.pop("asset", "Spring campaign"),
            decided_on=date.today() - timedelta(days=days_ago),
            source_kind=fields.pop("source_kind", "call"),
            source_note=fields.pop("source_note", "Weekly call"),
            corrects=corrects,
            **fields,
        )


def _approved(team, project):
    """A copy request the default approver approved: the log gets an entry by itself."""
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=team["agency"].pk):
        services.approval_decide(contact=team["contacts"][0], request=request, verdict="approve")
    return request


# --------------------------------------------------------------------------- the page


def test_the_log_lists_decisions_newest_first_with_source_links_and_corrections(team, project, as_member):
    agency, acme = team["agency"], team["clients"][0]
    budget = _manual(team, acme, "Budget capped at 12k", days_ago=10, impact_budget="Max 12,000")
    request = _approved(team, project)
    _manual(
        team,
        acme,
        "Budget capped at 15k, not 12k",
        days_ago=1,
        corrects=budget,
        source_kind="email",
        source_note="Email from Anna, subject “Budget”",
    )
    _manual(team, team["clients"][1], "Bakery decision elsewhere")

    page = as_member.get(url("decision_log", agency, acme.pk)).content.decode()
    approved_at = page.index("Approve: Landing page copy")
    assert approved_at < page.index("Budget capped at 15k") < page.index("Budget capped at 12k")
    assert "Bakery decision elsewhere" not in page
    assert f'href="{url("approval_detail", agency, request.pk)}?v=1"' in page
    assert 'Corrects <a href="#entry-1">#1</a>' in page
    assert 'Corrected by <a href="#entry-3">#3</a>' in page
    assert "Email: Email from Anna, subject “Budget”" in page
    assert "Budget:</span> Max 12,000" in page
    assert "Recorded automatically" in page and f"Recorded by {team['coordinator'].user.full_name}" in page
    assert f'href="{url("decision_log_csv", agency, acme.pk)}"' in page
    assert f'href="{url("decision_log_pdf", agency, acme.pk)}"' in page


def test_an_empty_log_says_what_will_appear_and_how_to_record_one(team, as_coordinator):
    agency, acme = team["agency"], team["clients"][0]
    page = as_coordinator.get(url("decision_log", agency, acme.pk)).content.decode()
    assert "No decisions logged yet" in page and "logged here automatically" in page
    assert f'href="{url("decision_create", agency)}?client={acme.pk}"' in page
    assert url("decision_log_csv", agency, acme.pk) not in page


def _many_entries(team, project, count):
    acme = team["clients"][0]
    _approved(team, project)
    previous = None
    for n in range(count):
        previous = _manual(
            team,
            acme,
            f"Decision {n}",
            days_ago=n,
            corrects=previous if n % 4 == 0 else None,
            project=project,
        )


@pytest.mark.parametrize("count", [3, 60])
def test_the_log_runs_the_same_queries_for_3_or_60_entries(
    count, team, project, as_member, django_assert_num_queries
):
    _many_entries(team, project, count)
    # the first reads; the client; the entries with their sources
    with django_assert_num_queries(STAFF_PAGE_READS + 2):
        response = as_member.get(url("decision_log", team["agency"], team["clients"][0].pk))
    assert response.content.decode().count('<tr id="entry-') == count + 1


# --------------------------------------------------------------------------- recording decisions


def test_a_coordinator_records_a_decision_for_a_preselected_client(team, project, as_coordinator):
    agency, acme = team["agency"], team["clients"][0]
    earlier = _manual(team, acme, "Launch in May")
    factories.project_create(actor=team["coordinator"], client=team["clients"][1], name="Bakery ads")
    form_page = as_coordinator.get(url("decision_create", agency), {"client": acme.pk}).content.decode()
    assert f'<option value="{acme.pk}" selected>Acme Dental</option>' in form_page
    assert f'<option value="{project.pk}">Spring launch</option>' in form_page
    assert "Bakery ads" not in form_page and "#1 · " in form_page

    response = as_coordinator.post(
        url("decision_create", agency),
        {
            "client": acme.pk,
            "project": project.pk,
            "decided_on": date.today().isoformat(),
            "decision": "Launch moves to June",
            "approver_name": "Dr Anna Li",
            "asset": "Spring campaign",
            "impact_timeline": "+20 business days",
            "impact_budget": "",
            "impact_deliverables": "Print ads dropped",
            "source_kind": "meeting",
            "source_note": "Quarterly review, 3 May",
            "corrects": earlier.pk,
        },
    )
    assert response["Location"] == url("decision_log", agency, acme.pk)
    with scope(agency=agency.pk):
        entry = DecisionLogEntry.objects.get(decision="Launch moves to June")
        assert (
            entry.corrects == earlier
            and entry.project == project
            and entry.recorded_by == team["coordinator"]
        )
        assert entry.impact_deliverables == "Print ads dropped" and entry.source_kind == "meeting"


def test_choosing_another_client_reloads_its_projects_and_entries_with_htmx(team, project, as_coordinator):
    agency = team["agency"]
    _manual(team, team["clients"][1], "Bakery: weekly posts only")
    response = as_coordinator.get(
        url("decision_create", agency), {"client": team["clients"][1].pk}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="client-fields"')
    assert "Bakery: weekly posts only" in body and "Spring launch" not in body and "<html" not in body


def test_recording_a_decision_refuses_missing_facts_and_another_clients_entry(team, project, as_coordinator):
    agency, acme = team["agency"], team["clients"][0]
    bakery_entry = _manual(team, team["clients"][1], "Bakery decision")
    response = as_coordinator.post(
        url("decision_create", agency),
        {
            "client": acme.pk,
            "decision": "",
            "approver_name": "",
            "asset": "Spring",
            "decided_on": "",
            "source_kind": "email",
            "corrects": bakery_entry.pk,
        },
    )
    errors = response.context["form"].errors
    assert "Write what was decided" in errors["decision"][0]
    assert "Say who approved it" in errors["approver_name"][0]
    assert "Say when it was decided" in errors["decided_on"][0]
    assert "Correct an entry of this client's log" in errors["corrects"][0]
    assert 'id="id_decision_error"' in response.content.decode()
    with scope(agency=agency.pk):
        assert DecisionLogEntry.objects.count() == 1


def test_members_read_the_log_but_cannot_record_decisions(team, as_member):
    agency, acme = team["agency"], team["clients"][0]
    _manual(team, acme, "Logo stays blue")
    page = as_member.get(url("decision_log", agency, acme.pk)).content.decode()
    assert "Logo stays blue" in page and "Record a decision" not in page
    response = as_member.post(url("decision_create", agency), {"client": acme.pk, "decision": "X"})
    assert response.status_code == 403
    with scope(agency=agency.pk):
        assert DecisionLogEntry.objects.count() == 1


def test_another_agencys_client_log_and_exports_are_404(team, other_team, logged_in):
    acme = team["clients"][0]
    _manual(team, acme, "Secret decision")
    outsider = logged_in(other_team["owner"].user)
    for name in ("decision_log", "decision_log_csv", "decision_log_pdf"):
        foreign = outsider.get(url(name, other_team["agency"], acme.pk))
        assert foreign.status_code == 404 and b"Secret decision" not in foreign.content
        assert outsider.get(url(name, team["agency"], acme.pk)).status_code == 404
    with scope(agency=other_team["agency"].pk):
        entry_count = DecisionLogEntry.objects.count()
    response = outsider.post(
        url("decision_create", other_team["agency"]),
        {
            "client": acme.pk,
            "decision": "Sneaky",
            "approver_name": "X",
            "asset": "Y",
            "decided_on": date.today().isoformat(),
            "source_kind": "email",
        },
    )
    assert "Select a valid choice" in response.context["form"].errors["client"][0]
    with scope(agency=other_team["agency"].pk):
        assert DecisionLogEntry.objects.count() == entry_count == 0


# --------------------------------------------------------------------------- exports


def test_the_csv_has_a_header_and_one_row_per_entry(team, project, as_member):
    agency, acme = team["agency"], team["clients"][0]
    first = _manual(team, acme, "Budget capped at 12k", days_ago=5, impact_budget="=SUM(A1:A9)")
    request = _approved(team, project)
    _manual(team, acme, "Budget is 15k", days_ago=1, corrects=first)

    response = as_member.get(url("decision_log_csv", agency, acme.pk))
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="acme-dental-decision-log.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == exports.CSV_HEADER
    assert len(rows) == 4
    by_decision = {row[2]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    approval = by_decision[next(d for d in by_decision if d.startswith("Approve: Landing page copy"))]
    assert approval["Approver"] == team["contacts"][0].full_name and approval["Source"] == "Approval request"
    assert approval["Source link"].endswith(f"{url('approval_detail', agency, request.pk)}?v=1")
    assert by_decision["Budget is 15k"]["Corrects"] == "#1"
    assert by_decision["Budget capped at 12k"]["Corrected by"] == "#3"
    # A cell a spreadsheet would run as a formula is neutralised.
    assert by_decision["Budget capped at 12k"]["Budget impact"] == "'=SUM(A1:A9)"
    # Newest decision first: today's approval, yesterday's correction, then the first entry.
    assert [row[0] for row in rows[1:]] == ["#2", "#3", "#1"]


def test_the_pdf_is_a_real_pdf_with_the_agency_client_and_decisions(team, project, as_member):
    agency, acme = team["agency"], team["clients"][0]
    _manual(team, acme, "Homepage hero uses the family photo")
    response = as_member.get(url("decision_log_pdf", agency, acme.pk))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="acme-dental-decision-log.pdf"'
    assert response.content.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(response.content)
    try:
        text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()
    flat = " ".join(text.split())
    assert "Homepage hero uses the family photo" in flat
    assert "Decision log · Acme Dental" in flat and "Northwind Creative" in flat and "exported" in flat


class _CountingHandler(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).hits += 1
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_pdf_renderer_never_fetches_a_remote_url(team):
    import weasyprint

    server = HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        html = f'<p>Log</p><img src="http://127.0.0.1:{server.server_port}/tracker.png">'
        pdf = html_to_pdf(html)
        assert pdf.startswith(b"%PDF") and _CountingHandler.hits == 0
        # The same page with WeasyPrint's default fetcher does reach the server: the test can tell.
        weasyprint.HTML(string=html, base_url="/").write_pdf()
        assert _CountingHandler.hits == 1
    finally:
        server.shutdown()
    assert not is_local("file:///etc/passwd") and is_local("data:text/plain,hi")


def _pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    try:
        return " ".join(
            " ".join(document[i].get_textpage().get_text_range().split()) for i in range(len(document))
        )
    finally:
        document.close()


def test_the_pdf_names_an_approval_source_once_and_a_change_request_is_not_a_green_final_decision(
    team, project, as_member
):
    agency, acme = team["agency"], team["clients"][0]
    request = factories.approval_create(actor=team["coordinator"], project=project)
    approver = request.final_approver
    with scope(agency=agency.pk):
        services.approval_decide(
            contact=approver,
            request=request,
            verdict="request_changes",
            comment="Name the Riverside practice.",
        )
    page = as_member.get(url("approval_detail", agency, request.pk)).content.decode()
    assert "Final approver: changes needed" in page and 'badge-ok">Final decision' not in page
    flat = _pdf_text(as_member.get(url("decision_log_pdf", agency, acme.pk)).content)
    assert "Approval request “Landing page copy”, version 1" in flat
    assert "Approval request: Approval request" not in flat


def test_a_client_downloads_their_own_decision_log_as_pdf_from_the_portal(team, as_contact):
    acme, birch = team["clients"]
    agency = team["agency"]
    _manual(team, acme, "Homepage hero uses the family photo")
    _manual(team, birch, "Bakery keeps the old logo")
    log = as_contact.get(reverse("portal_decision_log", args=[agency.slug])).content.decode()
    pdf_url = reverse("portal_decision_log_pdf", args=[agency.slug])
    assert f'href="{pdf_url}"' in log
    response = as_contact.get(pdf_url)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="acme-dental-decision-log.pdf"'
    flat = _pdf_text(response.content)
    assert "Homepage hero uses the family photo" in flat and "Decision log · Acme Dental" in flat
    assert "Bakery keeps the old logo" not in flat


def test_a_change_request_is_logged_with_the_changes_the_client_asked_for(team, project):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    approver = request.final_approver
    with scope(agency=team["agency"].pk):
        services.approval_decide(
            contact=approver,
            request=request,
            verdict="request_changes",
            comment="Name the Riverside practice.",
        )
        entry = DecisionLogEntry.objects.get(approval_request=request)
    assert entry.decision.startswith("Request changes: Landing page copy")
    assert entry.decision.endswith("Changes asked for: Name the Riverside practice.")
