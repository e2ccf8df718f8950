"""The API speaks one vocabulary (README, "API conventions").

The OpenAPI schema is generated here with drf-spectacular and every schema,
property and query parameter is checked against the rules; the websocket events
are produced for real (on the configured channel layer) and their payloads are
checked against the same rules. A new app that drifts fails here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.apps import apps
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator

from kaya.testing import user_events
from notifications import realtime

if TYPE_CHECKING:
    pass

pytestmark = pytest.mark.django_db

# A duration-ish name: it must be an integer named *_seconds.
DURATION_ISH = re.compile(
    r"duration|minute|(^|_)hours$|elapsed|position|progress(?!_percent)|ttl|timeout"
    r"|expires_in|_ms$|millis|_secs?$|seconds"
)
# Each name on the left has one canonical spelling on the right.
SYNONYMS = {
    "total_sessions": "sessions_count",
    "sessions_total": "sessions_count",
    "sessions": "sessions_count",
    "entries_total": "entries_count",
    "updated": "updated_count",
    "achievements": "achievements_count",
    "achievements_unlocked": "achievements_count",
    "days_completed": "days_completed_count",
    "days_with": "days_with_count",
    "days_without": "days_without_count",
    "total_minutes": "duration_seconds",
    "minutes_total": "duration_seconds",
    "minutes": "duration_seconds",
    "average_mood": "average_score",
    "average_change": "average_mood_change",
    "position_seconds": "progress_seconds",
    "date": "local_date",
    "from": "date_from",
    "to": "date_to",
    "start_date": "date_from",
    "end_date": "date_to",
    "since": "date_from",
    "until": "date_to",
}
PROJECT_APPS = (
    "accounts",
    "notifications",
    "journal",
    "community",
    "coaching",
    "wellness",
)
RANGE_PARAMETERS = {"date_from", "date_to"}
RANGE_ISH = {"from", "to", "start", "end", "since", "until", "start_date", "end_date"}
# REST renders instants in UTC with a "Z"; the websocket must too.
UTC_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
ANY_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _entity_names() -> set[str]:
    """Names that, when they hold an integer, are an id that must say so."""
    names: set[str] = {"user"}
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        snake = _snake(model.__name__)
        names.add(snake)
        names.add(snake.split("_")[-1])
    return names


@pytest.fixture(scope="module")
def schema(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    if "allOf" in node and len(node["allOf"]) == 1:
        return _resolve(schema, node["allOf"][0])
    return node


def _kind(schema: dict[str, Any], node: dict[str, Any]) -> str:
    node = _resolve(schema, node)
    if "oneOf" in node or "anyOf" in node:
        members = {
            _kind(schema, member).split(":")[0]
            for member in node.get("oneOf", node.get("anyOf"))
            if member.get("type") != "null"
        }
        # A nullable or blank-or-valid field: the kinds its members share.
        return members.pop() if len(members) == 1 else "union"
    kind = node.get("type", "object" if "properties" in node else "any")
    return f"{kind}:{node['format']}" if "format" in node else str(kind)


def _properties(
    schema: dict[str, Any], node: Any, where: str
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every (where, name, property) of every object schema, nested included."""
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            yield where, name, prop
        for key, value in node.items():
            if key != "$ref":
                yield from _properties(schema, value, where)
    elif isinstance(node, list):
        for value in node:
            yield from _properties(schema, value, where)


def _all_properties(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for component, node in schema["components"]["schemas"].items():
        found.extend(_properties(schema, node, component))
    for path, operations in schema["paths"].items():
        found.extend(_properties(schema, operations, path))
    return found


def _query_parameters(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", parameter)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    ]


def _name_errors(where: str, name: str, kind: str) -> list[str]:
    errors = []
    if name in SYNONYMS:
        errors.append(f"{where}.{name}: say {SYNONYMS[name]!r}")
    if DURATION_ISH.search(name) and not (
        name.endswith("_seconds") and kind == "integer"
    ):
        errors.append(f"{where}.{name} ({kind}): durations are integer *_seconds")
    if name.endswith("_seconds") and kind != "integer":
        errors.append(f"{where}.{name} ({kind}): *_seconds is an integer")
    return errors


# --- the OpenAPI schema -----------------------------------------------------
def test_durations_are_integer_seconds_and_each_concept_has_one_name(schema):
    errors = [
        error
        for where, name, prop in _all_properties(schema)
        for error in _name_errors(where, name, _kind(schema, prop))
    ]
    errors += [
        error
        for where, parameter in _query_parameters(schema)
        for error in _name_errors(
            where, parameter["name"], _kind(schema, parameter.get("schema", {}))
        )
    ]

    assert errors == []


def test_a_name_has_one_type_everywhere(schema):
    kinds: dict[str, set[str]] = defaultdict(set)
    seen: dict[str, set[str]] = defaultdict(set)
    for where, name, prop in _all_properties(schema):
        # The JSON type; formats differ between input and output (email, uri).
        kind = _kind(schema, prop).split(":")[0]
        kinds[name].add(kind)
        seen[name].add(f"{where}:{kind}")

    assert {name: sorted(seen[name]) for name in kinds if len(kinds[name]) > 1} == {}


def test_id_references_are_named_id(schema):
    entities = _entity_names()
    errors = [
        f"{where}.{name}: an id reference is named {name}_id"
        for where, name, prop in _all_properties(schema)
        if name in entities and _kind(schema, prop) in {"integer", "string:uuid"}
    ]

    assert errors == []


def test_every_date_range_is_date_from_and_date_to(schema):
    errors = [
        f"{where} ?{parameter['name']}"
        for where, parameter in _query_parameters(schema)
        if (
            _kind(schema, parameter.get("schema", {})) == "string:date"
            or parameter["name"] in RANGE_ISH
        )
        and parameter["name"] not in RANGE_PARAMETERS
    ]

    assert errors == []


def test_every_json_response_is_an_object_at_the_top_level(schema):
    errors = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                for media, content in response.get("content", {}).items():
                    if media == "application/json" and "schema" in content:
                        kind = _kind(schema, content["schema"])
                        if kind != "object":
                            errors.append(f"{method.upper()} {path} {status}: {kind}")

    assert errors == []


def test_datetimes_are_declared_as_date_time(schema):
    errors = [
        f"{where}.{name} ({_kind(schema, prop)})"
        for where, name, prop in _all_properties(schema)
        if name.endswith("_at") and _kind(schema, prop) != "string:date-time"
    ]

    assert errors == []


def test_the_rules_catch_the_old_spellings():
    """The checks above are only as good as the rules: each old spelling fails."""
    assert _name_errors("S", "total_minutes", "number:double")
    assert _name_errors("S", "duration_minutes", "integer")
    assert _name_errors("S", "minutes", "number:double")
    assert _name_errors("S", "position_seconds", "integer")
    assert _name_errors("S", "average_mood", "number:double")
    assert _name_errors("S", "from", "string:date")
    assert _name_errors("S", "expires_in", "integer")
    assert _name_errors("S", "total_hours", "integer")
    assert _name_errors("S", "quiet_hours_start", "string:time") == []
    assert _name_errors("S", "total_seconds", "number:double")
    assert _name_errors("S", "duration_seconds", "integer") == []
    assert {"enrollment", "program_day", "mood_entry", "prompt"} <= _entity_names()


# --- the websocket events ---------------------------------------------------
def _payload_errors(value: Any, where: str) -> list[str]:
    entities = _entity_names()
    errors: list[str] = []
    if isinstance(value, dict):
        for name, item in value.items():
            if isinstance(item, bool):
                kind = "boolean"
            elif isinstance(item, int):
                kind = "integer"
            elif isinstance(item, float):
                kind = "number"
            else:
                kind = type(item).__name__
            errors += _name_errors(where, name, kind)
            if name in entities and kind == "integer":
                errors.append(f"{where}.{name}: an id reference is named {name}_id")
            errors += _payload_errors(item, f"{where}.{name}")
    elif isinstance(value, list):
        for item in value:
            errors += _payload_errors(item, where)
    elif (
        isinstance(value, str)
        and ANY_INSTANT.match(value)
        and not UTC_INSTANT.match(value)
    ):
        errors.append(f"{where}: {value!r} is not a UTC instant ending in Z")
    return errors


def _produce_every_event(auth_client, user, capture) -> dict[str, dict[str, Any]]:
    """Trigger each event the server pushes today, through the API."""
    from notifications.services import notification_create

    drain = user_events(user.pk)
    with capture(execute=True):
        notification_create(
            user=user, type="system", title="Welcome", data={"kind": "welcome"}
        )
    with capture(execute=True):
        started = auth_client.post(
            "/api/v1/sessions",
            {"type": "yoga", "title": "Flow", "planned_duration_seconds": 600},
            format="json",
        )
        session_id = started.json()["id"]
    with capture(execute=True):
        auth_client.patch(
            f"/api/v1/sessions/{session_id}/progress",
            {"progress_seconds": 60},
            format="json",
        )
    with capture(execute=True):
        auth_client.patch(
            f"/api/v1/sessions/{session_id}/complete",
            {"actual_duration_seconds": 540},
            format="json",
        )
    # Community: another member posts in the user's group and comments on the
    # user's post.
    from accounts.tests.factories import UserFactory
    from community.tests.factories import (
        MemberFactory,
        PostFactory,
        SupportGroupFactory,
    )
    from conftest import bearer

    group = SupportGroupFactory()
    MemberFactory(group=group, user=user)
    peer = UserFactory()
    MemberFactory(group=group, user=peer)
    peer_client = type(auth_client)()
    peer_client.credentials(HTTP_AUTHORIZATION=bearer(peer))
    with capture(execute=True):
        peer_client.post(
            "/api/v1/community",
            {"body": "Hello group", "group_id": group.pk},
            format="json",
        )
    own_post = PostFactory(author=user)
    with capture(execute=True):
        peer_client.post(
            f"/api/v1/community/{own_post.pk}/comments",
            {"body": "Hello", "anonymous": True},
            format="json",
        )
    # The AI companion: a streamed chat reply and a generated session.
    user.ai_consent_version = settings.AI_CONSENT_VERSION
    user.save(update_fields=["ai_consent_version"])
    with capture(execute=True):
        auth_client.post(
            "/api/v1/ai/chat", {"message": "Hello", "stream": True}, format="json"
        )
    with capture(execute=True):
        auth_client.post(
            "/api/v1/ai/session/generate",
            {"goal": "calm", "duration_seconds": 300},
            format="json",
        )
    produced: dict[str, dict[str, Any]] = {}
    for event in drain():
        produced.setdefault(event["type"], event["data"])
    return produced


# Pushed by no code yet; once one is, it must be produced above and checked.
NOT_YET_PUSHED = {
    realtime.ACHIEVEMENT_UNLOCKED,
}


EVENT_TYPE = re.compile(r"[a-z_]+(\.[a-z_]+)+")


def _pushed_event_constants() -> set[str]:
    """Every realtime.<EVENT> constant named by the project's (non-test) code."""
    names: set[str] = set()
    for app in PROJECT_APPS:
        names |= _constants_in(Path(settings.BASE_DIR) / app)
    values = {getattr(realtime, name, None) for name in names}
    # Event types are dotted lower-case names ("notification.created"); close
    # codes and their documentation are not events, nor are the names of the
    # public channels a socket subscribes to ("community.feed").
    return {
        value
        for value in values
        if isinstance(value, str)
        and EVENT_TYPE.fullmatch(value)
        and value not in realtime.CHANNELS
    }


def _constants_in(root: Path) -> set[str]:
    found = set()
    for source in root.rglob("*.py"):
        if "tests" in source.parts or source.name == "realtime.py":
            continue
        found |= set(re.findall(r"realtime\.([A-Z][A-Z_]+)\b", source.read_text()))
    return found


def test_websocket_payloads_follow_the_rest_vocabulary(
    auth_client, user, django_capture_on_commit_callbacks
):
    produced = _produce_every_event(
        auth_client, user, django_capture_on_commit_callbacks
    )

    assert set(produced) == {
        realtime.NOTIFICATION_CREATED,
        realtime.SESSION_PROGRESS,
        realtime.SESSION_COMPLETED,
        realtime.COMMUNITY_POST_CREATED,
        realtime.COMMUNITY_COMMENT_CREATED,
        realtime.AI_CHAT_DELTA,
        realtime.AI_CHAT_DONE,
        realtime.AI_GENERATION_COMPLETED,
    }
    errors = [
        error
        for event_type, data in produced.items()
        for error in _payload_errors(data, event_type)
    ]
    assert errors == []


def test_every_pushed_event_is_checked_here():
    """An app that starts pushing a new event type must add it to the test above."""
    pushed = _pushed_event_constants()

    assert pushed & NOT_YET_PUSHED == set()
    assert pushed <= {
        realtime.NOTIFICATION_CREATED,
        realtime.SESSION_PROGRESS,
        realtime.SESSION_COMPLETED,
        realtime.COMMUNITY_POST_CREATED,
        realtime.COMMUNITY_COMMENT_CREATED,
        realtime.AI_CHAT_DELTA,
        realtime.AI_CHAT_DONE,
        realtime.AI_GENERATION_COMPLETED,
    }


def test_a_notification_has_the_same_datetimes_on_rest_and_websocket(
    auth_client, user, django_capture_on_commit_callbacks
):
    from notifications.services import notification_create

    drain = user_events(user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        notification_create(user=user, type="system", title="Hello")
    pushed = drain()[0]["data"]
    listed = auth_client.get("/api/v1/notifications").json()["results"][0]

    assert pushed["created_at"] == listed["created_at"]
    assert UTC_INSTANT.match(pushed["created_at"])
    assert pushed["read_at"] is None
