"""Forms of the client portal's approval pages: they parse input and hand it to approvals.services.

Each ``save`` returns what the service made, or None with the service's errors on the form. Errors that
belong to no field (not the final approver, a closed round) are kept in ``refusal`` so the view can say
them as a message.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from agencyops.models import ClientContact
from approvals import services
from approvals.models import (
    ApprovalRequest,
    AssetVersion,
    ChangeRequest,
    ChangeRequestDecision,
    ChangeRequestVerdict,
    Comment,
    ReviewerDecision,
    Verdict,
    VersionKind,
)
from approvals.portal_selectors import portal_comment_for_reply

VERDICT_REQUIRED = "Choose approve, approve with changes, or request changes."
DECISION_HELP = {
    Verdict.APPROVE: "The work is signed off as it is.",
    Verdict.APPROVE_WITH_CHANGES: (
        "Signed off, on condition that the agency makes the small changes you list below. "
        "They need no further review round."
    ),
    Verdict.REQUEST_CHANGES: (
        "Not signed off yet: the agency revises the work and sends you a new version to review. "
        "Say what should change, in a comment on the work or in the box below."
    ),
}
ADVICE_HELP = {
    Verdict.APPROVE: "You are happy with it as it is.",
    Verdict.APPROVE_WITH_CHANGES: "You are happy with it, with the small changes you list below.",
    Verdict.REQUEST_CHANGES: "You think it needs another round; say what in a comment on the work.",
}


class _ServiceForm(forms.Form):
    """Maps a service's ValidationError onto the form: field errors on visible fields, the rest above it."""

    # Service field name -> the visible field that shows its message.
    error_fields: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refusal: ValidationError | None = None

    def _add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.refusal = error
            self.add_error(None, error)
            return
        for name, messages in error.error_dict.items():
            target = self.error_fields.get(name, name)
            visible = target in self.fields and not self.fields[target].widget.is_hidden
            self.add_error(target if visible else None, messages)

    @property
    def refusal_message(self) -> str:
        return " ".join(self.refusal.messages) if self.refusal is not None else ""


class _VerdictChoices:
    """Radio options paired with what each choice means, for a page that explains them."""

    verdict_help: dict[Any, str] = {}

    def verdict_options(self) -> list[tuple[Any, str]]:
        return [(radio, self.verdict_help.get(radio.data["value"], "")) for radio in self["verdict"]]  # type: ignore[index]


class PortalCommentForm(_ServiceForm):
    """A comment on the current version: general, pinned at a point of a page, or on a passage of copy.

    A pin arrives as fractions (pin_x/pin_y, filled by a click on the page) or, from the keyboard, as
    percentages across and down the page; the fractions win when both are sent.
    """

    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write your comment."},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(
        label="Page", required=False, min_value=1, widget=forms.NumberInput(attrs={"min": 1, "step": 1})
    )
    pin_x = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-pin-x": ""}))
    pin_y = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-pin-y": ""}))
    pin_across = forms.FloatField(
        label="Pin: across the page (%)",
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": "any", "data-pin-percent": "x"}),
        help_text="0 is the left edge, 100 the right edge.",
    )
    pin_down = forms.FloatField(
        label="Pin: down the page (%)",
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": "any", "data-pin-percent": "y"}),
        help_text="0 is the top, 100 the bottom. Leave both empty for a general comment.",
    )
    quote_start = forms.IntegerField(required=False, widget=forms.HiddenInput(attrs={"data-quote-start": ""}))
    quote_end = forms.IntegerField(required=False, widget=forms.HiddenInput(attrs={"data-quote-end": ""}))

    error_fields = {"pin_x": "pin_across", "pin_y": "pin_down"}

    def __init__(self, *args: Any, version: AssetVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        if version.kind == VersionKind.TEXT:
            # Copy takes a selected passage, not a pin.
            for name in ("page", "pin_x", "pin_y", "pin_across", "pin_down"):
                del self.fields[name]
            self.fields[
                "body"
            ].help_text = "Select a passage of the copy to comment on it, or write a general comment."
        else:
            del self.fields["quote_start"], self.fields["quote_end"]
            self.fields[
                "body"
            ].help_text = "Click the page to pin your comment to a spot, or give the pin's position below."
            if version.kind == VersionKind.IMAGE:
                self.fields["page"].widget = forms.HiddenInput(attrs={"data-pin-page": ""})
            else:
                self.fields["page"].widget.attrs["data-pin-page"] = ""
                self.fields["page"].help_text = "The page the pin sits on."
            self.fields["page"].initial = 1

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("pin_across", "pin_down"):
            value = data.get(name)
            if value is not None and not 0 <= value <= 100:
                self.add_error(name, "A pin must sit on the page: between 0 and 100%.")
        return data

    def pin(self) -> tuple[float | None, float | None]:
        """The pin as fractions of the page, from the click or from the percentages."""
        data = self.cleaned_data
        x, y = data.get("pin_x"), data.get("pin_y")
        if x is None and y is None:
            across, down = data.get("pin_across"), data.get("pin_down")
            x = across / 100 if across is not None else None
            y = down / 100 if down is not None else None
        return x, y

    def save(self, *, contact: ClientContact, approval: ApprovalRequest) -> Comment | None:
        """Add the comment through services.comment_add; None (with errors here) when refused."""
        data = self.cleaned_data
        parent = None
        if data.get("parent"):
            parent = portal_comment_for_reply(approval, data["parent"])
            if parent is None:
                self.add_error(None, "Reply to a comment of this request.")
                return None
        pin_x, pin_y = self.pin() if "pin_x" in self.fields else (None, None)
        try:
            return services.comment_add(
                author=contact.user,
                request=approval,
                version=self.version,
                body=data["body"],
                contact=contact,
                parent=parent,
                page=data.get("page") or 1,
                pin_x=pin_x,
                pin_y=pin_y,
                quote_start=data.get("quote_start"),
                quote_end=data.get("quote_end"),
            )
        except ValidationError as error:
            self._add_service_errors(error)
            return None


class PortalDecisionForm(_VerdictChoices, _ServiceForm):
    """The final approver's decision on the current round."""

    verdict_help = DECISION_HELP

    verdict = forms.ChoiceField(
        label="Your decision",
        choices=Verdict.choices,
        widget=forms.RadioSelect,
        error_messages={"required": VERDICT_REQUIRED, "invalid_choice": VERDICT_REQUIRED},
    )
    changes = forms.CharField(
        label="The changes you approve with",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only for “approve with changes”: list each change the agency should make.",
    )
    comment = forms.CharField(
        label="What should change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def save(self, *, contact: ClientContact, approval: ApprovalRequest) -> ReviewerDecision | None:
        """Decide through services.approval_decide; None (with errors here) when refused."""
        data = self.cleaned_data
        try:
            return services.approval_decide(
                contact=contact,
                request=approval,
                verdict=data["verdict"],
                changes=data["changes"] if data["verdict"] == Verdict.APPROVE_WITH_CHANGES else "",
                comment=data["comment"],
            )
        except ValidationError as error:
            self._add_service_errors(error)
            return None


class PortalAdviceForm(_VerdictChoices, _ServiceForm):
    """Another contact's advisory verdict on the current round: recorded for the agency, not binding."""

    verdict_help = ADVICE_HELP

    verdict = forms.ChoiceField(
        label="Your advice",
        choices=Verdict.choices,
        widget=forms.RadioSelect,
        error_messages={"required": VERDICT_REQUIRED, "invalid_choice": VERDICT_REQUIRED},
    )
    changes = forms.CharField(
        label="Changes you would want",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. Comments pinned on the work are the clearest way to say what should change.",
    )

    def save(self, *, contact: ClientContact, approval: ApprovalRequest) -> ReviewerDecision | None:
        """Record the advice through services.approval_advise; None (with errors here) when refused."""
        data = self.cleaned_data
        try:
            return services.approval_advise(
                contact=contact, request=approval, verdict=data["verdict"], changes=data["changes"]
            )
        except ValidationError as error:
            self._add_service_errors(error)
            return None


class PortalRevisionForm(_ServiceForm):
    """Ask to revise approved work: it becomes a change request, agreed before the work restarts."""

    description = forms.CharField(
        label="What would you like to change?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe the change."},
    )

    def save(self, *, contact: ClientContact, approval: ApprovalRequest) -> ChangeRequest | None:
        """Raise the change request through services.approval_request_revision."""
        try:
            return services.approval_request_revision(
                request=approval, description=self.cleaned_data["description"], contact=contact
            )
        except ValidationError as error:
            self._add_service_errors(error)
            return None


class PortalChangeRequestDecisionForm(_ServiceForm):
    """The final approver approves or rejects a change request."""

    verdict = forms.ChoiceField(
        choices=ChangeRequestVerdict.choices,
        error_messages={
            "required": "Approve or reject the change request.",
            "invalid_choice": "Approve or reject the change request.",
        },
    )
    note = forms.CharField(
        label="Note for the agency",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional.",
    )

    def save(self, *, contact: ClientContact, change_request: ChangeRequest) -> ChangeRequestDecision | None:
        """Decide through services.change_request_decide."""
        data = self.cleaned_data
        try:
            return services.change_request_decide(
                change_request=change_request, verdict=data["verdict"], note=data["note"], contact=contact
            )
        except ValidationError as error:
            self._add_service_errors(error)
            return None
