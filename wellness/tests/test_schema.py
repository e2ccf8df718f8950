import pytest

pytestmark = pytest.mark.django_db

EXPECTED = {
    "/api/v1/sessions": {"get", "post"},
    "/api/v1/sessions/stats": {"get"},
    "/api/v1/sessions/{id}": {"get"},
    "/api/v1/sessions/{id}/complete": {"patch"},
    "/api/v1/sessions/{id}/progress": {"patch"},
    "/api/v1/sessions/{id}/abandon": {"post"},
    "/api/v1/programs": {"get"},
    "/api/v1/programs/{id}": {"get"},
    "/api/v1/programs/{id}/enroll": {"post"},
    "/api/v1/programs/enrollments/my": {"get"},
    "/api/v1/programs/enrollments/{id}/progress": {"patch"},
    "/api/v1/analytics/dashboard": {"get"},
    "/api/v1/analytics/mood-trends": {"get"},
    "/api/v1/analytics/activity-breakdown": {"get"},
    "/api/v1/analytics/correlations": {"get"},
}


def test_every_wellness_endpoint_is_in_the_schema_with_its_errors(api_client):
    paths = api_client.get("/api/v1/schema/?format=json").json()["paths"]

    for path, methods in EXPECTED.items():
        assert set(paths[path]) - {"parameters"} == methods, path
    complete = paths["/api/v1/sessions/{id}/complete"]["patch"]["responses"]
    assert {"200", "400", "401", "404", "409"} <= set(complete)
    enroll = paths["/api/v1/programs/{id}/enroll"]["post"]["responses"]
    assert {"200", "201", "403", "404"} <= set(enroll)
    progress = paths["/api/v1/programs/enrollments/{id}/progress"]["patch"]
    assert {"200", "400", "404", "409"} <= set(progress["responses"])
    for path in (
        "/api/v1/sessions",
        "/api/v1/programs",
        "/api/v1/analytics/mood-trends",
        "/api/v1/analytics/activity-breakdown",
        "/api/v1/analytics/correlations",
    ):
        bad_query = paths[path]["get"]["responses"]["400"]
        assert bad_query["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }, path
    stats = paths["/api/v1/sessions/stats"]["get"]["description"]
    assert "past dates are never recomputed" in stats
    correlations = paths["/api/v1/analytics/correlations"]["get"]["description"]
    assert "at least 3 days with and 3 days without" in correlations


def test_paths_answer_with_and_without_a_trailing_slash(auth_client):
    created = auth_client.post(
        "/api/v1/sessions/",
        {"type": "focus", "title": "Deep work", "planned_duration_seconds": 1500},
        format="json",
    )
    assert created.status_code == 201
    session_id = created.json()["id"]
    assert auth_client.get(f"/api/v1/sessions/{session_id}/").status_code == 200
    assert auth_client.get("/api/v1/programs/enrollments/my/").status_code == 200
    assert auth_client.get("/api/v1/programs/").status_code == 200
