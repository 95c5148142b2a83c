"""Content pieces through the services: versions checked on save, suggestions, dismissals, the gate
before the client, overrides kept as history, and sending for approval."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from approvals import services as approval_services
from approvals.models import ApprovalStatus
from brandkit import selectors, services
from brandkit.models import ContentState, ContentTransition
from tests import factories
from tests.brandkit.brand_data import acme_layer, birch_layer, layer_save

pytestmark = pytest.mark.django_db

LANDING = (
    "Nervous about the dentist? Calm care is what we do.\n"
    "Book a free\nconsultation this week and meet the team."
)


@pytest.fixture
def acme(team):
    coordinator, (acme, birch) = team["coordinator"], team["clients"]
    layer_save(actor=coordinator, client=acme, content=acme_layer())
    layer_save(actor=coordinator, client=birch, content=birch_layer())
    project = factories.project_create(actor=team["owner"], client=acme)
    return {**team, "client": acme, "project": project}


def create(world, body=LANDING, **kwargs):
    with scope(agency=world["agency"].pk):
        return services.content_piece_create(
            actor=kwargs.pop("actor", world["coordinator"]),
            client=world["client"],
            title=kwargs.pop("title", "Spring landing page"),
            channel=kwargs.pop("channel", "landing_page"),
            goal=kwargs.pop("goal", "lead_generation"),
            body=body,
            project=kwargs.pop("project", world["project"]),
            **kwargs,
        )


def latest(world, piece):
    with scope(agency=world["agency"].pk):
        return piece.versions.order_by("-number").first()


def test_a_new_piece_is_checked_against_the_clients_latest_brand_version(acme):
    piece = create(acme)
    version = latest(acme, piece)
    assert version.number == 1 and version.brand_version.number == 1
    avoid = [f for f in version.findings if f["check"] == "avoid"]
    assert [f["excerpt"] for f in avoid] == ["free\nconsultation"]
    assert avoid[0]["suggestion"] == "complimentary first visit" and avoid[0]["question"] == 5


def test_an_edit_is_a_new_version_and_the_old_text_stays(acme):
    piece = create(acme)
    with scope(agency=acme["agency"].pk):
        services.content_piece_edit(actor=acme["coordinator"], piece=piece, body="Calm care, at your pace.")
        texts = [v.body for v in piece.versions.order_by("number")]
    assert texts == [LANDING, "Calm care, at your pace."]


def test_accepting_a_suggestion_changes_the_words_in_a_new_version(acme):
    piece = create(acme)
    finding = next(f for f in latest(acme, piece).findings if f["check"] == "avoid")
    with scope(agency=acme["agency"].pk):
        version = services.content_finding_accept(actor=acme["members"][2], piece=piece, key=finding["key"])
    assert version.number == 2
    assert "Book a complimentary first visit this week" in version.body
    assert not [f for f in version.findings if f["check"] == "avoid"]


def test_a_dismissal_needs_a_reason_and_holds_in_later_versions(acme):
    piece = create(acme)
    finding = next(f for f in latest(acme, piece).findings if f["check"] == "avoid")
    with scope(agency=acme["agency"].pk):
        with pytest.raises(ValidationError, match="why"):
            services.content_finding_dismiss(
                actor=acme["coordinator"], piece=piece, key=finding["key"], reason=" "
            )
        services.content_finding_dismiss(
            actor=acme["coordinator"],
            piece=piece,
            key=finding["key"],
            reason="The client re-approved it for March.",
        )
        services.content_piece_edit(actor=acme["coordinator"], piece=piece, body=LANDING + " See you soon.")
        piece = selectors.content_piece_for(acme["coordinator"], piece.pk)
        open_keys = {f["key"] for f in selectors.latest_version(piece).findings} - selectors.dismissed_keys(
            piece
        )
    assert finding["key"] not in open_keys


def test_open_errors_stop_ready_for_client_unless_a_coordinator_overrides_with_a_reason(acme):
    piece = create(acme, body="Our clinic has the best results: 97% of patients smile more. Book now.")
    writer = next(m for m in acme["members"] if m.discipline == "writer")
    with scope(agency=acme["agency"].pk):
        errors = services.content.piece_open_errors(piece)
        assert errors, "an unsupported claim is an error"
        with pytest.raises(ValidationError, match="open error"):
            services.content_piece_transition(
                actor=writer, piece=piece, to_state=ContentState.READY_FOR_CLIENT
            )
        with pytest.raises(ValidationError, match="owners and coordinators"):
            services.content_piece_transition(
                actor=writer, piece=piece, to_state=ContentState.READY_FOR_CLIENT, override_reason="Fine"
            )
        piece = services.content_piece_transition(
            actor=acme["coordinator"],
            piece=piece,
            to_state=ContentState.READY_FOR_CLIENT,
            override_reason="Client supplied the 97% figure in writing today.",
        )
        move = ContentTransition.objects.get(piece=piece)
    assert piece.state == ContentState.READY_FOR_CLIENT
    assert move.override_reason == "Client supplied the 97% figure in writing today."
    assert move.created_by == acme["coordinator"] and move.open_errors


def test_a_piece_without_open_errors_goes_to_the_client_without_an_override(acme):
    piece = create(acme, body="Calm care for nervous patients, at your pace. Book your first visit.")
    with scope(agency=acme["agency"].pk):
        assert not services.content.piece_open_errors(piece)
        piece = services.content_piece_transition(
            actor=acme["members"][2], piece=piece, to_state=ContentState.READY_FOR_CLIENT
        )
    assert piece.state == ContentState.READY_FOR_CLIENT


def test_sending_creates_an_approval_request_and_the_clients_approval_approves_the_piece(acme):
    piece = create(acme, body="Calm care for nervous patients, at your pace. Book your first visit.")
    contact = acme["contacts"][0]
    with scope(agency=acme["agency"].pk):
        services.content_piece_transition(actor=acme["coordinator"], piece=piece, to_state="ready_for_client")
        piece = services.content_piece_send_for_approval(actor=acme["coordinator"], piece=piece)
        request = piece.approval_request
        assert request.status == ApprovalStatus.AWAITING_CLIENT
        assert request.versions.get().text.endswith("Book your first visit.")
        assert (
            selectors.content_piece_for(acme["coordinator"], piece.pk).effective_state == "sent_for_approval"
        )
        approval_services.approval_decide(contact=contact, request=request, verdict="approve")
        piece = selectors.content_piece_for(acme["coordinator"], piece.pk)
        assert piece.effective_state == ContentState.APPROVED
        assert [p.pk for p in selectors.content_pieces(acme["coordinator"], state="approved")] == [piece.pk]
        piece = services.content_piece_transition(
            actor=acme["coordinator"], piece=piece, to_state="published"
        )
    assert piece.state == ContentState.PUBLISHED


def test_a_piece_without_a_project_cannot_be_sent(acme):
    piece = create(acme, body="Calm care for nervous patients. Book your first visit.", project=None)
    with scope(agency=acme["agency"].pk):
        services.content_piece_transition(actor=acme["coordinator"], piece=piece, to_state="ready_for_client")
        with pytest.raises(ValidationError, match="project"):
            services.content_piece_send_for_approval(actor=acme["coordinator"], piece=piece)


def test_a_sent_piece_cannot_be_edited_until_the_client_asks_for_changes(acme):
    piece = create(acme, body="Calm care for nervous patients, at your pace. Book your first visit.")
    with scope(agency=acme["agency"].pk):
        services.content_piece_transition(actor=acme["coordinator"], piece=piece, to_state="ready_for_client")
        piece = services.content_piece_send_for_approval(actor=acme["coordinator"], piece=piece)
        with pytest.raises(ValidationError, match="cannot be edited"):
            services.content_piece_edit(actor=acme["coordinator"], piece=piece, body="Changed.")
        approval_services.approval_decide(
            contact=acme["contacts"][0],
            request=piece.approval_request,
            verdict="request_changes",
            comment="Softer, please.",
        )
        services.content_piece_edit(
            actor=acme["coordinator"], piece=piece, body="Calm care, always. Book your first visit."
        )
        piece = services.content_piece_send_for_approval(actor=acme["coordinator"], piece=piece)
        assert piece.approval_request.versions.count() == 2


def test_the_project_must_belong_to_the_pieces_client(acme):
    other_project = factories.project_create(actor=acme["owner"], client=acme["clients"][1])
    with pytest.raises(ValidationError) as refused:
        create(acme, project=other_project)
    assert "project" in refused.value.message_dict


def test_another_clients_tagline_is_possible_bleed_naming_that_client(acme):
    piece = create(
        acme, body="Calm care for nervous patients. Baked before the city wakes. Book your first visit."
    )
    bleed = [f for f in latest(acme, piece).findings if f["check"] == "bleed"]
    assert bleed and bleed[0]["staff_only"] and "Birch Bakery" in bleed[0]["message"]
