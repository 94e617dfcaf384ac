"""The production settings: refuse to start without secrets, and pass `check --deploy` with
exactly the environment that app.spec.yml gives each component."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

SPEC = yaml.safe_load((Path(settings.BASE_DIR) / "app.spec.yml").read_text())
BASE_ENV = {"PATH": os.environ["PATH"], "HOME": str(settings.BASE_DIR)}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**BASE_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def components() -> list[dict]:
    return [*SPEC.get("services", []), *SPEC.get("workers", []), *SPEC.get("jobs", [])]


def component_env(component: dict) -> dict[str, dict]:
    return {e["key"]: e for e in [*SPEC.get("envs", []), *component.get("envs", [])]}


def resolve(entry: dict) -> str:
    """What App Platform would put there, with this machine's services behind the bindings."""
    if entry.get("type") == "SECRET":
        return secrets.token_urlsafe(50)
    bindings = {
        "${db.DATABASE_URL}": os.environ.get("DATABASE_URL", "sqlite:////tmp/hts-deploy-check.sqlite3"),
        "${redis.DATABASE_URL}": settings.REDIS_URL,
        "${APP_DOMAIN}": "hackthestudy.ondigitalocean.app",
        "${APP_URL}": "https://hackthestudy.ondigitalocean.app",
    }
    return re.sub(r"\$\{[^}]+\}", lambda m: bindings[m.group(0)], str(entry.get("value", "")))


def test_production_refuses_to_start_without_a_secret_key():
    result = manage(
        "check",
        env={"DEBUG": "False", "DATABASE_URL": "sqlite:///x", "REDIS_URL": "redis://x", "ALLOWED_HOSTS": "example.org"},
    )
    assert result.returncode != 0
    assert "SECRET_KEY not set" in result.stderr
    assert "refuses to start" in result.stderr


def test_production_refuses_a_short_secret_key():
    production = {"DEBUG": "False", "DATABASE_URL": "sqlite:///x", "REDIS_URL": "redis://x", "ALLOWED_HOSTS": "a.org"}
    result = manage("check", env={**production, "SECRET_KEY": "abcde"})
    assert result.returncode != 0 and "SECRET_KEY is too short: 5 characters" in result.stderr
    result = manage("check", env={**production, "SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("component", components(), ids=lambda c: c["name"])
def test_every_component_gets_every_variable_production_requires(component):
    env = component_env(component)
    missing = [name for name in settings.PRODUCTION_REQUIRED_ENV if name not in env]
    assert missing == []
    assert env["DEBUG"]["value"] == "False"
    assert env["SECRET_KEY"]["type"] == "SECRET"
    assert env["OPENAI_API_KEY"]["type"] == "SECRET"
    assert env["DATABASE_URL"]["value"].startswith("${") and env["REDIS_URL"]["value"].startswith("${")


@pytest.mark.parametrize("component", [*SPEC["services"], *SPEC["workers"]], ids=lambda c: c["name"])
def test_the_web_and_the_worker_keep_uploads_in_one_private_bucket(component):
    """Their containers share no disk: both get the bucket, its keys as secrets."""
    env = component_env(component)
    assert env["AWS_STORAGE_BUCKET_NAME"]["value"] and env["AWS_S3_ENDPOINT_URL"]["value"].startswith("https://")
    assert env["AWS_ACCESS_KEY_ID"]["type"] == env["AWS_SECRET_ACCESS_KEY"]["type"] == "SECRET"


def test_behind_the_platform_s_proxy_throttles_and_lockouts_trust_exactly_one_forwarded_address():
    """App Platform's router is one proxy: DRF's throttles and django-axes read the client's address
    from its X-Forwarded-For entry, never from one the client wrote (tests/ and accounts/tests/)."""
    web = next(s for s in SPEC["services"] if s["name"] == "web")
    assert component_env(web)["NUM_PROXIES"]["value"] == "1"
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.NUM_PROXIES
    assert settings.AXES_CLIENT_IP_CALLABLE == "core.rates.client_address"


def test_bindings_point_at_declared_databases():
    declared = {db["name"] for db in SPEC["databases"]}
    for component in components():
        for entry in component_env(component).values():
            for binding in re.findall(r"\$\{(\w+)\.", str(entry.get("value", ""))):
                assert binding in declared, binding


def test_the_web_and_worker_health_checks_match_the_code():
    web = next(s for s in SPEC["services"] if s["name"] == "web")
    assert web["http_port"] == 8080 and web["health_check"]["http_path"] == "/health"
    worker = next(w for w in SPEC["workers"] if w["name"] == "worker")
    assert "rundramatiq" in worker["run_command"] and "-p" in worker["run_command"]
    assert all(queue in worker["run_command"] for queue in settings.DRAMATIQ_QUEUES)
    assert worker["health_check"]["port"] == int(component_env(worker)["WORKER_HEALTH_PORT"]["value"])
    assert component_env(worker)["WORKER_HEALTH_HOST"]["value"] == "0.0.0.0"  # noqa: S104 - probed from outside
    assert any(job["kind"] == "PRE_DEPLOY" and "migrate" in job["run_command"] for job in SPEC["jobs"])


def test_check_deploy_reports_nothing_under_the_spec_environment():
    web = next(s for s in SPEC["services"] if s["name"] == "web")
    env = {key: resolve(entry) for key, entry in component_env(web).items()}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_env_example_lists_every_variable_the_code_reads():
    base = Path(settings.BASE_DIR)
    sources = [base / "hackthestudy" / "settings.py", base / "hackthestudy" / "gunicorn.py", base / "Procfile"]
    pattern = r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"|environ\.get\("([A-Z][A-Z0-9_]+)"|\$\{([A-Z][A-Z0-9_]+):-'
    read = {name for source in sources for match in re.findall(pattern, source.read_text()) for name in match if name}
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (base / ".env.example").read_text(), re.MULTILINE))
    assert len(read) > 20
    assert sorted(read - listed) == []
