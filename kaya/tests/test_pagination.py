import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kaya.tests.urls")]


def test_default_page_size_is_twenty(api_client):
    body = api_client.get("/api/v1/test/numbers").json()

    assert body["count"] == 250
    assert body["results"] == list(range(20))


def test_page_size_is_capped_at_one_hundred(api_client):
    body = api_client.get("/api/v1/test/numbers?page_size=1000").json()

    assert len(body["results"]) == 100
    assert body["results"][-1] == 99


def test_smaller_page_size_is_honoured(api_client):
    body = api_client.get("/api/v1/test/numbers?page_size=5&page=2").json()

    assert body["results"] == [5, 6, 7, 8, 9]


@pytest.mark.parametrize("value", ["abc", "0", "-3", "1.5"])
def test_bad_page_size_gives_400(api_client, value):
    response = api_client.get(f"/api/v1/test/numbers?page_size={value}")

    assert response.status_code == 400
    assert "page_size" in response.json()["error"]["fields"]


@pytest.mark.parametrize("value", ["abc", "0", "999"])
def test_bad_page_gives_404(api_client, value):
    response = api_client.get(f"/api/v1/test/numbers?page={value}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
