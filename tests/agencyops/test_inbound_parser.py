"""The inbound mail parser on generated MIME: plain values in, plain values out, no database."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import pytest

from agencyops.inbound.parser import MalformedMessage, html_to_text, parse_message, trim_reply


def mail(
    body: str = "Looks good, go ahead.", *, html: str | None = None, subtype: str = "plain", **headers
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("sender", "Anna Li <anna@acmedental.test>")
    message["To"] = headers.pop("to", "abc123@inbound.agencyops.local")
    message["Subject"] = headers.pop("subject", "Re: Homepage proof")
    message["Date"] = format_datetime(datetime(2026, 12, 3, 14, 30, tzinfo=UTC))
    message["Message-ID"] = headers.pop("message_id", "<reply-1@acmedental.test>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if html is not None and subtype == "html":
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    return message


def test_a_plain_mail_gives_its_sender_subject_date_ids_and_text():
    parsed = parse_message(mail(In_Reply_To="<ours-1@inbound.agencyops.local>").as_bytes())

    assert parsed.sender_email == "anna@acmedental.test"
    assert parsed.sender_name == "Anna Li"
    assert parsed.subject == "Re: Homepage proof"
    assert parsed.sent_at == datetime(2026, 12, 3, 14, 30, tzinfo=UTC)
    assert parsed.message_id == "<reply-1@acmedental.test>"
    assert parsed.in_reply_to == "<ours-1@inbound.agencyops.local>"
    assert parsed.text == "Looks good, go ahead."
    assert parsed.to == ("abc123@inbound.agencyops.local",)


def test_the_text_part_is_preferred_over_the_html_part():
    parsed = parse_message(mail("Plain words.", html="<p>HTML words.</p>").as_bytes())

    assert parsed.text == "Plain words."


def test_an_html_only_mail_is_turned_into_text_without_styles_or_quoted_history():
    html = (
        "<html><head><style>p {color: red}</style></head><body>"
        "<p>Please make the logo <b>bigger</b> &amp; bolder.</p><div>Second line</div>"
        "<blockquote>On Tue we wrote: the old proof</blockquote></body></html>"
    )
    parsed = parse_message(mail(html=html, subtype="html").as_bytes())

    assert parsed.text == "Please make the logo bigger & bolder.\n\nSecond line"
    assert "color" not in parsed.full_text
    assert "the old proof" in parsed.full_text


def test_attachments_are_kept_with_name_type_and_size():
    message = mail("See the marked-up PDF.")
    message.add_attachment(
        b"%PDF-1.4 " + b"x" * 1000, maintype="application", subtype="pdf", filename="markup.pdf"
    )
    message.add_attachment(b"\x89PNG" + b"y" * 50, maintype="image", subtype="png", filename="../../logo.png")

    parsed = parse_message(message.as_bytes())

    assert parsed.text == "See the marked-up PDF."
    assert [(a.name, a.content_type, a.size) for a in parsed.attachments] == [
        ("markup.pdf", "application/pdf", 1009),
        (".._.._logo.png", "image/png", 54),
    ]
    assert parsed.attachments[0].content.startswith(b"%PDF-1.4")


def test_a_reply_keeps_only_what_the_sender_wrote_above_the_quoted_history():
    body = (
        "Can we use the blue version?\n"
        "And move the date to Friday.\n"
        "\n"
        "On Tue, 1 Dec 2026 at 10:00, Brightside <noreply@brightside.test> wrote:\n"
        "> Your homepage proof is ready.\n"
        "> Please approve by Thursday.\n"
    )
    parsed = parse_message(mail(body).as_bytes())

    assert parsed.text == "Can we use the blue version?\nAnd move the date to Friday."
    assert "Please approve by Thursday" in parsed.full_text


def test_an_outlook_reply_block_is_trimmed():
    body = (
        "Approved from our side.\n\n"
        "From: Brightside <noreply@brightside.test>\n"
        "Sent: Tuesday, December 1, 2026 10:00 AM\n"
        "To: Anna Li <anna@acmedental.test>\n"
        "Subject: Homepage proof\n\n"
        "Your homepage proof is ready.\n"
    )
    assert trim_reply(body) == "Approved from our side."


def test_signatures_are_trimmed_by_delimiter_and_by_sign_off():
    assert (
        trim_reply("Bigger logo please.\n-- \nAnna Li\nMarketing lead\n+44 20 7946 0000")
        == "Bigger logo please."
    )
    assert trim_reply("Bigger logo please.\n\nKind regards,\nAnna Li\nAcme Dental") == "Bigger logo please."
    assert trim_reply("Bigger logo please.\n\nSent from my iPhone") == "Bigger logo please."
    # A mail that is only a thank-you keeps it: there is nothing else the sender said.
    assert trim_reply("Thanks!") == "Thanks!"
    # A sign-off word far above the end is part of the message.
    long_body = "Best\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9"
    assert trim_reply(long_body) == long_body


def test_references_give_thread_ids_newest_first_after_in_reply_to():
    parsed = parse_message(mail(In_Reply_To="<c@x>", References="<a@x> <b@x> <c@x>").as_bytes())

    assert parsed.references == ("<a@x>", "<b@x>", "<c@x>")
    assert parsed.thread_ids == ("<c@x>", "<b@x>", "<a@x>")


@pytest.mark.parametrize(
    "raw",
    [b"", b"   \r\n", b"this is not a mail at all", b"Subject: no sender\r\n\r\nhello\r\n"],
)
def test_malformed_input_is_refused_with_a_reason(raw):
    with pytest.raises(MalformedMessage):
        parse_message(raw)


def test_broken_mime_structure_is_read_without_crashing():
    raw = (
        b"From: anna@acmedental.test\r\nTo: t@inbound.agencyops.local\r\nSubject: broken\r\n"
        b"Date: not a date\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: text/plain; charset=no-such-charset\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n"
    )
    parsed = parse_message(raw)

    assert parsed.sender_email == "anna@acmedental.test"
    assert parsed.sent_at is None
    assert parsed.defects  # the email package noted what was wrong


def test_html_to_text_keeps_paragraphs_apart():
    assert html_to_text("<p>One</p><p>Two<br>Three</p>") == "One\n\nTwo\nThree"


def test_nul_characters_and_odd_headers_never_reach_the_result():
    raw = (
        b"From: Anna <anna@acmedental.test>\r\nTo: team: a@x.test, t@inbound.agencyops.local;\r\n"
        b"Subject: =?utf-8?q?broken=ZZ?= proof\x00\r\nMessage-ID: <id@x>\r\n\r\nBigger\x00 logo\r\n"
    )
    parsed = parse_message(raw)

    assert parsed.text == "Bigger logo"
    assert "\x00" not in parsed.subject
    assert "t@inbound.agencyops.local" in parsed.to


def test_randomly_damaged_mail_is_read_or_refused_but_never_crashes_the_parser():
    import random

    message = mail("Hello there.\n\nOn Tue, Agency wrote:\n> old", html="<p>Hello</p>")
    message.add_attachment(b"%PDF" * 40, maintype="application", subtype="pdf", filename="a.pdf")
    base = message.as_bytes()
    rnd = random.Random(2026)
    for _ in range(400):
        damaged = bytearray(base)
        for _ in range(rnd.randint(1, 15)):
            pos = rnd.randrange(len(damaged))
            choice = rnd.random()
            if choice < 0.4:
                damaged[pos] = rnd.randrange(256)
            elif choice < 0.7:
                del damaged[pos : pos + rnd.randint(1, 30)]
            else:
                damaged[pos:pos] = rnd.choice([b"\x00", b"=?utf-8?q?", b"--", b"\r\n\r\n", b"<", b":;"])
        try:
            parsed = parse_message(bytes(damaged))
        except MalformedMessage:
            continue
        texts = (parsed.text, parsed.full_text, parsed.subject, parsed.sender_name, parsed.message_id)
        assert not any("\x00" in text for text in texts)


GMAIL_FORWARD = """FYI, see Anna's note below.

---------- Forwarded message ---------
From: Anna Li <anna@acmedental.test>
Date: Tue, 1 Dec 2026 at 10:00
Subject: Homepage proof
To: Casey <casey@agency.test>

Please make the logo bigger.

Kind regards,
Anna

On Mon, 30 Nov 2026, Casey wrote:
> here is the proof
"""

OUTLOOK_FORWARD = """See the client's note.

From: Anna Li [mailto:anna@acmedental.test]
Sent: Tuesday, December 1, 2026 10:00 AM
To: Casey
Subject: RE: Homepage proof

Approved, go ahead.
"""


def test_a_forward_gives_the_forwarded_mails_author_subject_and_trimmed_words():
    parsed = parse_message(
        mail(GMAIL_FORWARD, subject="Fwd: Homepage proof", sender="casey@agency.test").as_bytes()
    )

    assert parsed.sender_email == "casey@agency.test"
    assert parsed.text == "FYI, see Anna's note below."
    forwarded = parsed.forwarded
    assert (forwarded.sender_email, forwarded.sender_name, forwarded.subject) == (
        "anna@acmedental.test",
        "Anna Li",
        "Homepage proof",
    )
    assert forwarded.text == "Please make the logo bigger."


def test_outlook_and_apple_forwards_are_recognised():
    outlook = parse_message(mail(OUTLOOK_FORWARD, subject="FW: RE: Homepage proof").as_bytes()).forwarded
    apple = parse_message(
        mail(
            "Begin forwarded message:\n\n> From: Anna Li <anna@acmedental.test>\n> Subject: Proof\n"
            "> To: casey@agency.test\n>\n> Looks great.\n",
            subject="Fwd: Proof",
        ).as_bytes()
    ).forwarded

    assert (outlook.sender_email, outlook.text) == ("anna@acmedental.test", "Approved, go ahead.")
    assert (apple.sender_email, apple.subject, apple.text) == (
        "anna@acmedental.test",
        "Proof",
        "Looks great.",
    )


def test_a_reply_quoting_our_mail_is_not_taken_for_a_forward():
    parsed = parse_message(mail(OUTLOOK_FORWARD, subject="RE: Homepage proof").as_bytes())

    assert parsed.forwarded is None
    assert parsed.text == "See the client's note."


def test_an_html_only_gmail_or_outlook_reply_keeps_only_the_new_words():
    gmail = (
        '<div dir="ltr">Yes please, <i>go ahead</i>.</div><br><div class="gmail_quote">'
        '<div dir="ltr" class="gmail_attr">On Tue, 1 Dec 2026 at 10:00, Agency &lt;noreply@agency.test&gt; wrote:<br></div>'
        "<blockquote>Your proof is ready.</blockquote></div>"
    )
    outlook = (
        "<p>Approved.</p><hr><div id=divRplyFwdMsg><b>From:</b> Agency &lt;noreply@agency.test&gt;<br>"
        "<b>Sent:</b> Tuesday, December 1, 2026 10:00 AM<br><b>To:</b> Anna<br><b>Subject:</b> Proof</div>"
        "<div>Your proof is ready.</div>"
    )

    assert parse_message(mail(html=gmail, subtype="html").as_bytes()).text == "Yes please, go ahead."
    assert parse_message(mail(html=outlook, subtype="html").as_bytes()).text == "Approved."
