import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    assert "openapi: 3" in out.read_text()


@pytest.mark.urls("kaya.tests.urls")
def test_schema_documents_the_error_shape(api_client):
    schema = api_client.get("/api/v1/schema/?format=json").json()

    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["$ref"].endswith("/ErrorDetail")
    echo = schema["paths"]["/api/v1/test/echo"]["post"]["responses"]
    assert echo["400"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Error"
    )
    assert {"400", "413", "415", "429", "500"} <= set(echo)
    assert "`unsupported_charset`" in echo["400"]["description"]
    # A POST without a body cannot be invalid input; a token path is not an object.
    logout_all = schema["paths"]["/api/v1/auth/logout-all"]["post"]["responses"]
    assert "400" not in logout_all
    assert "413" not in logout_all
    assert "415" not in logout_all
    verify = schema["paths"]["/api/v1/auth/verify-email/{token}"]["get"]["responses"]
    assert "404" not in verify


@pytest.mark.parametrize(
    ("path", "script"),
    [
        ("/api/v1/docs/", "/static/drf_spectacular_sidecar/"),
        # Redoc's bundle, served with its CDN logo removed (kaya/views.py).
        ("/api/v1/redoc/", "/api/v1/redoc/redoc.standalone.js"),
    ],
)
def test_docs_pages_are_served_without_a_cdn(api_client, path, script):
    response = api_client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn.jsdelivr" not in html
    assert script in html
