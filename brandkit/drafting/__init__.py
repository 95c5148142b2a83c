"""AI drafting in the client's voice (issue 13): jobs that expand briefs, write first drafts, repurpose,
produce variants and pre-edit drafts from one client's brand layer, run by Celery workers through the
openai SDK, or by the built-in offline drafter when no provider is configured."""
