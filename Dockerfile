# AgencyOps production image. The web server (gunicorn), the Celery worker and Celery beat all run
# from this one image with different commands; docker-compose.yml shows the whole shape.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

# WeasyPrint lays out the PDF reports with Pango and HarfBuzz; DejaVu gives it fonts to use.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. The code itself runs from /app
# (PYTHONPATH) because templates/ and static/ live beside the Python packages, not inside them.
COPY pyproject.toml README.md LICENSE ./
RUN pip install .

COPY . .

# collectstatic imports the settings, which insist on production values once DEBUG is off.
# Nothing connects to these addresses at build time.
RUN DEBUG=0 \
    SECRET_KEY=only-used-to-collect-static-files-at-build-time \
    DATABASE_URL=postgres://build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput

# Uploaded files live on a volume at /data/media (MEDIA_ROOT in docker-compose.yml).
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin agencyops \
    && mkdir -p /data/media \
    && chown -R agencyops /data
USER agencyops

EXPOSE 8000
CMD ["gunicorn", "agencyops.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
