# syntax=docker/dockerfile:1
# One image for every component: gunicorn by default, `python manage.py rundramatiq ...` for
# the worker, `python manage.py migrate` for the pre-deploy job (see app.spec.yml).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# Build-time values only: settings refuse to load in production mode without them.
RUN DEBUG=False SECRET_KEY=build-only-never-used-at-run-time-0123456789abcdefghijklmnop DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 ALLOWED_HOSTS=localhost \
    sh -c "python manage.py compilemessages && python manage.py collectstatic --noinput"

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PORT=8080
RUN useradd --create-home --uid 10001 app
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=app:app /app /app
WORKDIR /app
USER app
EXPOSE 8080
CMD ["gunicorn", "-c", "python:hackthestudy.gunicorn", "hackthestudy.wsgi"]
