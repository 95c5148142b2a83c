import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agencyops.settings")
application = get_wsgi_application()

# Fail at start-up, with what to run, rather than answer 500 on every page.
from agencyops.static_manifest import require_collected_static_files  # noqa: E402

require_collected_static_files()
