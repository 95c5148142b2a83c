"""The reads every request makes before its page's own, for the tests that count a page's queries.

A staff page (and an API call signed in by its session) first reads the session, then, in one statement,
the person with their membership in the page's agency (its agency, the bell's unread count) and the agencies
of the shell's switcher (agencyops.tenancy.signed_in_membership).
"""

STAFF_PAGE_READS = 2
