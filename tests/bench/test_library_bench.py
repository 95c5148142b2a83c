"""`make bench`, the library: search over a large library next to the raw full-text query, and how long a
20-page PDF takes from upload to searchable.

The library agency is seeded once into the bench database (LIBRARY_BENCH_ITEMS items, 50,000 by default,
over 50 clients, each with 1 to 20 pages of generated text) with COPY, then indexed in one UPDATE. The search
page is timed through Django (tenancy, ORM, ranking, snippets, template) against hand-written SQL answering
the same question over the same GIN index: the ranked first page, the match count, and the snippets of
that page. Target: within 2×, at a fixed query count.
"""

from __future__ import annotations

import io
import os
import random
import time

import pytest
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from agencyops.models import Agency, Client, Membership, Role, User
from brandkit.library import services
from brandkit.library.models import LibraryItem
from tests import factories
from tests.bench.conftest import paired_medians_ms, rendering_as_in_production
from tests.brandkit.library import fixtures

pytestmark = pytest.mark.django_db

ITEMS = int(os.environ.get("LIBRARY_BENCH_ITEMS", "50000"))
SLUG = f"library-bench-{ITEMS}"
CLIENTS = 50
TARGET_RATIO = 2.0
RUNS = 15
CHARS_PER_PAGE = 1_800
RARE_TERM = "invisalign"

_WORDS = (
    "brand campaign audience launch creative budget social search email landing page conversion "
    "engagement awareness lead report strategy design copy approval client deadline retainer content "
    "analytics traffic organic paid media banner video headline offer pricing testimonial guideline "
    "colour typography logo spacing grid photography illustration tone voice message pillar proof claim "
    "dental clinic bakery fitness studio software platform onboarding pipeline forecast quarter review"
).split()

SEARCH_SQL = """
WITH q AS (SELECT websearch_to_tsquery('english', %(q)s) AS query),
hits AS (
    SELECT i.id, i.title, i.kind, i.tags, i.client_id, i.latest_version_id, i.updated_at,
           ts_rank_cd(i.search_vector, q.query) AS rank
    FROM brandkit_libraryitem i, q
    WHERE i.agency_id = %(agency)s AND i.deleted_at IS NULL AND i.search_vector @@ q.query
),
page AS (SELECT * FROM hits ORDER BY rank DESC, updated_at DESC, id DESC LIMIT 25)
SELECT p.id, p.title, p.rank, (SELECT count(*) FROM hits),
       ts_headline('english', left(v.text, 300000), q.query,
                   'MaxFragments=2, MaxWords=30, MinWords=12')
FROM page p JOIN brandkit_libraryversion v ON v.id = p.latest_version_id, q
ORDER BY p.rank DESC
"""


def _text(rnd: random.Random, pages: int, rare: bool) -> str:
    words = []
    for _ in range(pages * CHARS_PER_PAGE // 7):
        words.append(rnd.choice(_WORDS))
    if rare:
        words.insert(rnd.randrange(len(words)), RARE_TERM)
    return " ".join(words)


def _seed_library(owner: Membership) -> Agency:
    agency = owner.agency
    rnd = random.Random(7)
    clients = Client.objects.bulk_create(
        Client(agency=agency, name=f"Library client {n:02d}", slug=f"library-client-{n:02d}") for n in range(CLIENTS)
    )
    items = io.StringIO()
    versions = io.StringIO()
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM brandkit_libraryitem")
        first_item = cursor.fetchone()[0] + 1
        cursor.execute("SELECT coalesce(max(id), 0) FROM brandkit_libraryversion")
        first_version = cursor.fetchone()[0] + 1
    for n in range(ITEMS):
        item_id, version_id = first_item + n, first_version + n
        client = clients[n % CLIENTS]
        pages = rnd.randint(1, 20)
        text = _text(rnd, pages, rare=n % 997 == 0)
        title = f"{rnd.choice(_WORDS).title()} {rnd.choice(_WORDS)} {n}"
        items.write(
            f"{item_id}\t{agency.pk}\t{client.pk}\t{title}\tresearch\t{{report}}\t\t{owner.pk}\tf\t"
            f"{version_id}\tenglish\tnow\tnow\n"
        )
        versions.write(
            f"{version_id}\t{agency.pk}\t{item_id}\t1\tlibrary/bench/{item_id}.pdf\t\tbench-{item_id}.pdf\tpdf\t"
            f"application/pdf\t{pages * 40_000}\t{n:064x}\t{pages}\t{text}\tdone\t\t\tf\t{owner.pk}\tnow\t"
            f"\t0\t0\tnone\t\n"
        )
    items.seek(0)
    versions.seek(0)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        with cursor.copy(
            "COPY brandkit_libraryitem (id, agency_id, client_id, title, kind, tags, description, owner_id, "
            "client_visible, latest_version_id, search_config, created_at, updated_at) FROM STDIN"
        ) as copy:
            copy.write(items.getvalue())
        with cursor.copy(
            "COPY brandkit_libraryversion (id, agency_id, item_id, number, file, url, original_name, file_kind, "
            "content_type, size_bytes, sha256, pages, text, extraction_state, extraction_note, notes, "
            "client_visible, uploaded_by_id, created_at, preview, preview_width, preview_height, preview_state, "
            "preview_note) FROM STDIN"
        ) as copy:
            copy.write(versions.getvalue())
        for table in ("brandkit_libraryitem", "brandkit_libraryversion"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cursor.execute(
            """
            UPDATE brandkit_libraryitem AS i SET search_vector =
                setweight(to_tsvector('english', i.title), 'A')
                || setweight(to_tsvector('english', array_to_string(i.tags, ' ') || ' ' || i.description), 'B')
                || setweight(to_tsvector('english', left(v.text, 300000)), 'C')
            FROM brandkit_libraryversion v WHERE v.id = i.latest_version_id AND i.agency_id = %s
            """,
            [agency.pk],
        )
    return agency


@pytest.fixture(scope="module")
def library_agency(django_db_setup, django_db_blocker) -> Membership:
    """The library agency in the bench database, seeded (and committed) the first time."""
    with django_db_blocker.unblock(), scopes_disabled():
        owner = Membership.objects.filter(agency__slug=SLUG, role=Role.OWNER).select_related("agency", "user").first()
        if owner is not None and LibraryItem.objects.filter(agency=owner.agency).count() < ITEMS:
            owner.agency.delete()  # an interrupted seed: start again
            owner = None
        if owner is None:
            started = time.perf_counter()
            email = f"owner@{SLUG}.bench"
            User.objects.filter(email=email).delete()  # left by an interrupted seed
            with transaction.atomic():
                owner = factories.agency_create(name="Library Bench", slug=SLUG, owner_email=email)
                _seed_library(owner)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE brandkit_libraryitem")
                cursor.execute("ANALYZE brandkit_libraryversion")
            print(f"\nSeeded {ITEMS:,} library items in {time.perf_counter() - started:.0f} s.")
    return owner


@pytest.mark.parametrize("words", ["campaign report", RARE_TERM, '"landing page"'])
def test_library_search_against_the_raw_full_text_query(library_agency, report, words):
    http = HttpClient()
    http.force_login(library_agency.user, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("library", args=[library_agency.agency.slug])
    params = {"agency": library_agency.agency.pk, "q": words}

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(SEARCH_SQL, params)
            cursor.fetchall()

    first = http.get(url, {"q": words})
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        http.get(url, {"q": words})
    with rendering_as_in_production():
        server, baseline = paired_medians_ms(lambda: http.get(url, {"q": words}), raw, times=RUNS)
    ratio = server / baseline
    passed = ratio <= TARGET_RATIO
    with scope(agency=library_agency.agency_id):
        items = LibraryItem.objects.count()
    report.add(
        f"library search {words!r} ({items:,} items)", f"{server:.1f}", str(len(captured)), f"{baseline:.1f}",
        f"{ratio:.1f}×", f"≤ {TARGET_RATIO:g}×", "PASS" if passed else "FAIL",
    )  # fmt: skip
    assert b"<mark>" in first.content
    assert passed, f"library search for {words!r}: {server:.1f} ms is {ratio:.1f}× the raw query ({baseline:.1f} ms)"


def test_a_20_page_pdf_from_upload_to_searchable(library_agency, report, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = fixtures.pdf(fixtures.guidelines_pages())
    with scope(agency=library_agency.agency_id):
        started = time.perf_counter()
        item = services.library_item_create(
            actor=library_agency, title="Timed guidelines", kind="guidelines", upload=fixtures.upload("g.pdf", data)
        )
        stored = time.perf_counter()
        version = services.library_version_index(library_version_id=item.latest_version_id)
        done = time.perf_counter()
    assert version.extraction_state == "done" and version.pages == 20
    report.add(
        "library: 20-page PDF upload → searchable", f"{(done - started) * 1000:.1f}", "—",
        f"{(stored - started) * 1000:.1f} (stored)", "—", "(shown)", "(shown)",
    )  # fmt: skip
