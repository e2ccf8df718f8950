"""The container files cannot be run here (no Docker engine), so they are checked
against the Compose specification's JSON schema and against what the README
promises about them."""

import json
import re
from pathlib import Path

import jsonschema
import yaml

from kaya.testing import compose_command, dockerfile_command

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_file_matches_the_compose_spec_schema():
    schema = json.loads((ROOT / "deploy" / "compose-spec.schema.json").read_text())
    jsonschema.Draft201909Validator(schema).validate(_compose())


def test_compose_has_every_role_with_a_healthcheck():
    services = _compose()["services"]

    assert {"db", "redis", "api", "ws", "worker", "beat", "proxy"} <= set(services)
    for name in ("db", "redis", "api", "ws", "worker", "beat", "proxy"):
        assert "healthcheck" in services[name], name


def test_api_and_ws_can_scale_to_several_replicas():
    services = _compose()["services"]

    for name in ("api", "ws"):
        assert "container_name" not in services[name]
        assert "ports" not in services[name]


def test_rest_runs_under_wsgi_and_websockets_under_asgi():
    services = _compose()["services"]

    assert services["api"]["command"][:2] == ["gunicorn", "kaya.wsgi:application"]
    # daphne, through kaya.wsserver so that a SIGTERM closes every socket (4012).
    assert services["ws"]["command"][:3] == ["python", "-m", "kaya.wsserver"]
    assert services["ws"]["command"][-1] == "kaya.asgi:application"


def test_proxy_routes_websockets_to_ws_and_the_rest_to_api():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()

    assert re.search(r"location /ws/ \{\s*proxy_pass http://kaya_ws;", conf)
    assert re.search(r"location / \{\s*proxy_pass http://kaya_api;", conf)
    assert "server ws:8001" in conf
    assert "server api:8000" in conf


def test_dockerfile_runs_as_non_root_and_collects_static():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "FROM python:3.11-slim" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert re.search(r"^USER kaya$", dockerfile, re.MULTILINE)


def test_shipped_servers_log_only_through_the_redacting_configuration():
    api = dockerfile_command()

    # One command for the image and for compose's api service.
    assert compose_command("api") == api
    assert api[api.index("--config") + 1] == "python:kaya.gunicorn_conf"
    # A plain access-log file or stream would skip the redaction filter.
    assert not {"--access-logfile", "--error-logfile", "--log-config"} & set(api)
    ws = compose_command("ws")
    assert ws[ws.index("--verbosity") + 1] == "0"
    assert "--access-log" not in ws


def test_only_the_migrate_job_runs_without_a_statement_timeout():
    services = _compose()["services"]

    assert services["migrate"]["environment"]["DB_STATEMENT_TIMEOUT_MS"] == "0"
    assert (
        services["migrate"]["environment"]["DATABASE_URL"]
        == (services["api"]["environment"]["DATABASE_URL"])
    )
    for name in ("api", "ws", "worker", "beat"):
        assert "DB_STATEMENT_TIMEOUT_MS" not in services[name]["environment"], name


def test_gunicorn_worker_freezes_the_loaded_app_after_init():
    """The hook runs in a fresh interpreter (a freeze would outlive this test):
    after it the views are imported and the app's objects are frozen."""
    import subprocess
    import sys

    script = (
        "import gc, sys\n"
        "import kaya.wsgi\n"
        "from kaya import gunicorn_conf\n"
        "assert 'wellness.analytics_views' not in sys.modules\n"
        "gunicorn_conf.post_worker_init(None)\n"
        "assert 'wellness.analytics_views' in sys.modules\n"
        "print(gc.get_freeze_count())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 10_000
