"""The AI companion's endpoints: consent, safety, quotas, chat, conversations,
generation jobs and mood insights. The offline provider answers unless a test
asks for the ``gemini`` stub; nothing leaves 127.0.0.1."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import UserFactory
from coaching.ai import safety
from coaching.models import (
    AIConversation,
    AICrisisReferralDay,
    AIGenerationJob,
    AIMessage,
    AIUsageDay,
)
from coaching.tests.gemini_stub import Answer, blocked_body, text_body
from conftest import bearer
from journal.models import CrisisPhrase
from journal.tests.factories import (
    CrisisResourceFactory,
    JournalEntryFactory,
    MoodEntryFactory,
)
from kaya.testing import user_events
from notifications.models import Notification
from wellness.models import WellnessSession
from wellness.tests.factories import WellnessSessionFactory

pytestmark = pytest.mark.django_db

CHAT = "/api/v1/ai/chat"
SESSION = "/api/v1/ai/session/generate"
STORY = "/api/v1/ai/sleep-story/generate"
INSIGHTS = "/api/v1/ai/mood/insights"
CONVERSATIONS = "/api/v1/ai/conversations"
JOBS = "/api/v1/ai/jobs"
SESSION_BODY = {"goal": "unwind after work", "duration_seconds": 600}


@pytest.fixture(autouse=True)
def _offline_by_default(settings):
    settings.GEMINI_API_KEY = ""


@pytest.fixture(autouse=True)
def crisis_lines(db):
    CrisisPhrase.objects.get_or_create(
        locale="en", phrase="kill myself", defaults={"category": "suicide"}
    )
    return CrisisResourceFactory(
        name="Lifeline", phone="988", url="https://988lifeline.org", countries=""
    )


def _consent(user, settings):
    user.ai_consent_version = settings.AI_CONSENT_VERSION
    user.ai_consent_at = timezone.now()
    user.save(update_fields=["ai_consent_version", "ai_consent_at"])
    return user


@pytest.fixture
def consenting(user, settings):
    return _consent(user, settings)


def _error(response) -> str:
    return response.json()["error"]["code"]


# --- consent ---
@pytest.mark.parametrize(
    ("path", "body"),
    [
        (CHAT, {"message": "Hello"}),
        (SESSION, SESSION_BODY),
        (STORY, {"theme": "the sea", "duration_seconds": 600}),
        (INSIGHTS, {"date_from": "2027-02-01", "date_to": "2027-02-28"}),
    ],
)
def test_ai_endpoints_without_consent_are_403_and_call_no_provider(
    auth_client, user, gemini, path, body
):
    gemini.text("never sent")

    response = auth_client.post(path, body, format="json")

    assert response.status_code == 403
    assert _error(response) == "ai_consent_required"
    assert gemini.requests == []
    assert AIConversation.objects.count() == 0
    assert AIGenerationJob.objects.count() == 0


def test_consent_to_an_older_consent_text_is_not_enough(auth_client, user, settings):
    _consent(user, settings)
    settings.AI_CONSENT_VERSION += 1

    response = auth_client.post(CHAT, {"message": "Hello"}, format="json")

    assert response.status_code == 403
    assert _error(response) == "ai_consent_required"


# --- chat ---
def test_chat_returns_the_stored_reply_and_starts_a_conversation(
    auth_client, consenting
):
    response = auth_client.post(CHAT, {"message": "I feel restless."}, format="json")

    assert response.status_code == 200
    body = response.json()
    conversation = AIConversation.objects.get()
    assert body["conversation_id"] == conversation.pk
    assert body["user_message"]["body"] == "I feel restless."
    assert body["reply"]["role"] == "assistant"
    assert body["reply"]["replaced"] is False
    assert "AI companion" in body["reply"]["body"]  # it says it is an AI
    assert body["support"] is None
    assert conversation.message_count == 2
    assert [m.role for m in conversation.messages.all()] == ["user", "assistant"]
    assert AIUsageDay.objects.get(user=consenting).chat_messages == 1


def test_chat_messages_are_encrypted_at_rest(auth_client, consenting):
    auth_client.post(CHAT, {"message": "kestrel secret worry"}, format="json")

    message = AIMessage.objects.get(role="user")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT body FROM coaching_aimessage WHERE id = %s", [message.pk]
        )
        raw = cursor.fetchone()[0]
    assert "kestrel" not in raw
    assert raw.startswith("gAAAAA")


def test_chat_continues_a_conversation_with_its_history(
    auth_client, consenting, gemini
):
    gemini.text("First answer.")
    first = auth_client.post(CHAT, {"message": "One"}, format="json").json()
    gemini.text("Second answer.")

    second = auth_client.post(
        CHAT,
        {"message": "Two", "conversation_id": first["conversation_id"]},
        format="json",
    )

    assert second.json()["reply"]["body"] == "Second answer."
    assert second.json()["conversation_id"] == first["conversation_id"]
    assert gemini.requests[1]["json"]["contents"] == [
        {"role": "user", "parts": [{"text": "One"}]},
        {"role": "model", "parts": [{"text": "First answer."}]},
        {"role": "user", "parts": [{"text": "Two"}]},
    ]


def test_chat_into_another_users_conversation_is_404_and_stores_nothing(
    auth_client, consenting, other_user
):
    theirs = AIConversation.objects.create(user=other_user, title="theirs")

    response = auth_client.post(
        CHAT, {"message": "Hi", "conversation_id": theirs.pk}, format="json"
    )

    assert response.status_code == 404
    assert _error(response) == "not_found"
    assert AIMessage.objects.count() == 0
    assert not AIUsageDay.objects.filter(chat_messages__gt=0).exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"message": ""}, {"message": "x" * 2001}, {"message": "hi", "stream": "x"}],
)
def test_chat_bad_input_is_400(auth_client, consenting, body):
    response = auth_client.post(CHAT, body, format="json")

    assert response.status_code == 400
    assert _error(response) == "validation_error"
    assert AIMessage.objects.count() == 0


def test_the_provider_payload_carries_no_email_name_or_user_id(
    auth_client, consenting, gemini
):
    consenting.display_name = "Zephyrine Quillfeather"
    consenting.save(update_fields=["display_name"])
    gemini.text("Thanks for sharing.")

    auth_client.post(CHAT, {"message": "Long day."}, format="json")

    sent = json.dumps(gemini.requests)
    assert len(gemini.requests) == 1
    assert consenting.email not in sent
    assert "Zephyrine" not in sent
    assert "Quillfeather" not in sent
    assert "user_id" not in sent
    assert f"user.{consenting.pk}" not in sent


def test_the_system_instructions_say_ai_and_not_therapy(
    auth_client, consenting, gemini
):
    gemini.text("Hello.")

    auth_client.post(CHAT, {"message": "Hi"}, format="json")

    system = gemini.requests[0]["json"]["systemInstruction"]["parts"][0]["text"]
    assert "an AI" in system
    assert "not therapy" in system
    assert "diagnose" in system and "medication" in system and "diet" in system


# --- safety ---
def test_a_crisis_message_gets_the_safe_reply_and_lines_and_no_model_call(
    auth_client, consenting, gemini
):
    gemini.text("model text")

    response = auth_client.post(
        CHAT, {"message": "I want to kill myself"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["reply"]["body"] == safety.CRISIS_REPLY
    assert body["reply"]["replaced"] is True
    assert body["support"]["resources"][0]["name"] == "Lifeline"
    assert body["support"]["resources"][0]["phone"] == "988"
    assert gemini.requests == []
    referral = AICrisisReferralDay.objects.get()
    assert (referral.date, referral.count) == (date(2027, 3, 1), 1)
    # The counter holds no user and no content.
    assert {f.name for f in AICrisisReferralDay._meta.concrete_fields} == {
        "id",
        "date",
        "count",
    }


def test_a_crisis_signal_in_the_models_output_is_not_shown(
    auth_client, consenting, gemini
):
    gemini.text("Some people say they want to kill myself sometimes.")

    body = auth_client.post(CHAT, {"message": "Hi"}, format="json").json()

    assert body["reply"]["body"] == safety.CRISIS_REPLY
    assert body["reply"]["replaced"] is True
    assert body["support"]["locale"] == "en"
    assert "Some people" not in AIMessage.objects.get(role="assistant").body
    assert AICrisisReferralDay.objects.get().count == 1


def test_a_blocked_answer_becomes_the_fallback_message(auth_client, consenting, gemini):
    gemini.reply(Answer(body=blocked_body("SAFETY")))

    body = auth_client.post(CHAT, {"message": "Hi"}, format="json").json()

    assert body["reply"]["body"] == safety.FALLBACK_REPLY
    assert body["reply"]["replaced"] is True


def test_an_empty_answer_becomes_the_fallback_message(auth_client, consenting, gemini):
    gemini.reply(Answer(body=text_body("   ")))

    body = auth_client.post(CHAT, {"message": "Hi"}, format="json").json()

    assert body["reply"]["body"] == safety.FALLBACK_REPLY


def test_medication_advice_from_the_model_is_replaced(auth_client, consenting, gemini):
    gemini.text("You could take 50 mg of sertraline each morning.")

    body = auth_client.post(CHAT, {"message": "I can't sleep"}, format="json").json()

    assert body["reply"]["body"] == safety.OUT_OF_SCOPE_REPLY
    assert body["reply"]["replaced"] is True


def test_a_failing_provider_falls_back_to_the_offline_answer(
    auth_client, consenting, gemini
):
    gemini.reply(gemini.error(503))

    response = auth_client.post(CHAT, {"message": "Hi"}, format="json")

    assert response.status_code == 200
    assert response.json()["reply"]["body"] != ""
    assert len(gemini.requests) == 3  # the attempts, then offline


# --- quotas ---
def test_chat_over_the_free_quota_is_429_with_retry_after_to_local_midnight(
    auth_client, consenting, settings
):
    settings.AI_FREE_CHAT_PER_DAY = 2
    consenting.timezone = "America/New_York"  # 05:00 there; midnight in 19 h
    consenting.save(update_fields=["timezone"])
    for _ in range(2):
        assert (
            auth_client.post(CHAT, {"message": "Hi"}, format="json").status_code == 200
        )

    response = auth_client.post(CHAT, {"message": "Hi"}, format="json")

    assert response.status_code == 429
    assert _error(response) == "ai_quota_exceeded"
    assert response["Retry-After"] == str(19 * 3600)
    assert AIMessage.objects.filter(role="user").count() == 2


def test_premium_users_get_the_premium_quota(auth_client, consenting, settings):
    settings.AI_FREE_CHAT_PER_DAY = 1
    settings.AI_PREMIUM_CHAT_PER_DAY = 3
    consenting.subscription_tier = "premium"
    consenting.save(update_fields=["subscription_tier"])

    codes = [
        auth_client.post(CHAT, {"message": "Hi"}, format="json").status_code
        for _ in range(4)
    ]

    assert codes == [200, 200, 200, 429]


def test_generation_quota_is_counted_per_request(auth_client, consenting, settings):
    settings.AI_FREE_GENERATIONS_PER_DAY = 1

    first = auth_client.post(SESSION, SESSION_BODY, format="json")
    second = auth_client.post(STORY, {"theme": "rain", "duration_seconds": 600})

    assert first.status_code == 202
    assert second.status_code == 429
    assert _error(second) == "ai_quota_exceeded"


# --- conversations ---
def _conversation(user, messages: int = 2) -> AIConversation:
    conversation = AIConversation.objects.create(user=user, title="A talk")
    for index in range(messages):
        AIMessage.objects.create(
            conversation=conversation,
            role="user" if index % 2 == 0 else "assistant",
            body=f"message {index}",
        )
    return conversation


def test_conversation_list_shows_only_mine(auth_client, user, other_user):
    mine = _conversation(user)
    _conversation(other_user)

    response = auth_client.get(CONVERSATIONS)

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [mine.pk]


@pytest.mark.parametrize("count", [1, 3])
def test_conversation_list_query_count_does_not_grow(
    auth_client, user, count, django_assert_num_queries
):
    for _ in range(count):
        _conversation(user)

    # auth (user), the page with its count
    with django_assert_num_queries(2):
        response = auth_client.get(CONVERSATIONS)

    assert len(response.json()["results"]) == count


def test_conversation_detail_lists_its_messages_in_order(auth_client, user):
    conversation = _conversation(user, messages=3)

    response = auth_client.get(f"{CONVERSATIONS}/{conversation.pk}")

    assert response.status_code == 200
    assert [m["body"] for m in response.json()["messages"]] == [
        "message 0",
        "message 1",
        "message 2",
    ]


def test_conversation_detail_of_another_user_is_404(auth_client, other_user):
    theirs = _conversation(other_user)

    response = auth_client.get(f"{CONVERSATIONS}/{theirs.pk}")

    assert response.status_code == 404
    assert _error(response) == "not_found"


def test_deleting_my_conversation_removes_its_messages(auth_client, user):
    conversation = _conversation(user)

    response = auth_client.delete(f"{CONVERSATIONS}/{conversation.pk}")

    assert response.status_code == 204
    assert AIConversation.objects.count() == 0
    assert AIMessage.objects.count() == 0


def test_deleting_another_users_conversation_is_404_and_keeps_it(
    auth_client, other_user
):
    theirs = _conversation(other_user)

    response = auth_client.delete(f"{CONVERSATIONS}/{theirs.pk}")

    assert response.status_code == 404
    assert AIMessage.objects.filter(conversation=theirs).count() == 2


def test_purge_expired_deletes_conversations_past_the_retention(user, settings, capsys):
    settings.AI_CHAT_RETENTION_DAYS = 90
    old = _conversation(user)
    recent = _conversation(user)
    now = timezone.now()
    AIConversation.objects.filter(pk=old.pk).update(updated_at=now - timedelta(days=91))
    AIConversation.objects.filter(pk=recent.pk).update(
        updated_at=now - timedelta(days=89)
    )

    call_command("purge_expired")

    assert list(AIConversation.objects.values_list("id", flat=True)) == [recent.pk]
    assert AIMessage.objects.filter(conversation_id=old.pk).count() == 0
    assert "AI chat conversations: 1 deleted" in capsys.readouterr().out


def test_purge_expired_deletes_generation_jobs_past_the_retention(
    user, other_user, settings, capsys
):
    settings.AI_GENERATION_RETENTION_DAYS = 30
    now = timezone.now()
    jobs = {
        name: AIGenerationJob.objects.create(
            user=owner,
            kind=AIGenerationJob.Kind.SESSION,
            status=status,
            request_hash=name.ljust(64, "0"),
            created_at=now - timedelta(days=days),
        )
        for name, owner, status, days in (
            ("old", user, AIGenerationJob.Status.SUCCEEDED, 31),
            ("stuck", other_user, AIGenerationJob.Status.PENDING, 40),
            ("recent", user, AIGenerationJob.Status.SUCCEEDED, 29),
        )
    }
    session = WellnessSessionFactory(
        user=user, generated_content_id=str(jobs["old"].content_id)
    )

    call_command("purge_expired", dry_run=True)
    assert AIGenerationJob.objects.count() == 3
    call_command("purge_expired")

    assert list(AIGenerationJob.objects.values_list("id", flat=True)) == [
        jobs["recent"].pk
    ]
    session.refresh_from_db()
    assert session.generated_content_id == str(jobs["old"].content_id)
    out = capsys.readouterr().out
    assert "AI generation jobs: 2 would be deleted" in out
    assert "AI generation jobs: 2 deleted" in out


def test_the_daily_beat_task_purges_ai_chats_and_jobs_past_retention(user, settings):
    from coaching.tasks import purge_ai_records
    from kaya.celery import BEAT_SCHEDULE

    settings.AI_CHAT_RETENTION_DAYS = settings.AI_GENERATION_RETENTION_DAYS = 30
    now = timezone.now()
    old = _conversation(user)
    AIConversation.objects.filter(pk=old.pk).update(updated_at=now - timedelta(40))
    kept = _conversation(user)
    AIGenerationJob.objects.create(
        user=user,
        kind=AIGenerationJob.Kind.SLEEP_STORY,
        request_hash="1" * 64,
        created_at=now - timedelta(days=31),
    )

    deleted = purge_ai_records.delay().get()

    assert BEAT_SCHEDULE["purge-ai-records"]["task"] == purge_ai_records.name
    assert deleted == 2
    assert list(AIConversation.objects.values_list("id", flat=True)) == [kept.pk]
    assert AIGenerationJob.objects.count() == 0


# --- generation ---
def test_session_generation_returns_202_then_the_job_succeeds_through_celery(
    auth_client, consenting, django_capture_on_commit_callbacks
):
    drain = user_events(consenting.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post(SESSION, SESSION_BODY, format="json")

    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    job_id = response.json()["id"]
    detail = auth_client.get(f"{JOBS}/{job_id}").json()
    assert detail["status"] == "succeeded"
    result = detail["result"]
    assert result["title"] == "Meditation: unwind after work"
    assert sum(step["duration_seconds"] for step in result["steps"]) == 600
    assert result["script"]
    notification = Notification.objects.get(user=consenting)
    assert notification.type == "ai_generation_completed"
    assert notification.data == {"job_id": job_id, "content_id": detail["content_id"]}
    assert "unwind" not in notification.title  # never the user's words
    pushed = [e for e in drain() if e["type"] == "ai.generation.completed"]
    assert pushed == [
        {
            "type": "ai.generation.completed",
            "data": {
                "job_id": job_id,
                "kind": "session",
                "status": "succeeded",
                "content_id": detail["content_id"],
            },
        }
    ]


def test_a_session_can_be_started_from_generated_content(
    auth_client, consenting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = auth_client.post(SESSION, SESSION_BODY, format="json").json()
    detail = auth_client.get(f"{JOBS}/{job['id']}").json()

    started = auth_client.post(
        "/api/v1/sessions",
        {
            "type": "meditation",
            "title": detail["result"]["title"],
            "planned_duration_seconds": 600,
            "generated_content_id": detail["content_id"],
        },
        format="json",
    )

    assert started.status_code == 201
    assert WellnessSession.objects.get().generated_content_id == detail["content_id"]


def test_an_identical_request_reuses_the_job_and_uses_no_quota(
    auth_client, consenting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = auth_client.post(SESSION, SESSION_BODY, format="json").json()
    second = auth_client.post(SESSION, SESSION_BODY, format="json")
    other = auth_client.post(SESSION, {**SESSION_BODY, "goal": "focus"}, format="json")

    assert second.status_code == 202
    assert second.json()["id"] == first["id"]
    assert second.json()["status"] == "succeeded"
    assert other.json()["id"] != first["id"]
    assert AIUsageDay.objects.get(user=consenting).generations == 2


def test_gemini_structured_output_is_validated_and_stored(
    auth_client, consenting, gemini, django_capture_on_commit_callbacks
):
    story = {
        "title": "Harbour lights",
        "steps": [
            {
                "title": "Dusk",
                "instruction": "The boats rest.",
                "duration_seconds": 300,
            },
            {
                "title": "Night",
                "instruction": "The water hums.",
                "duration_seconds": 300,
            },
        ],
        "script": "The boats rest. The water hums.",
    }
    gemini.text(json.dumps(story))

    with django_capture_on_commit_callbacks(execute=True):
        job = auth_client.post(
            STORY, {"theme": "a harbour", "duration_seconds": 600}, format="json"
        ).json()

    stored = AIGenerationJob.objects.get(pk=job["id"])
    assert (stored.status, stored.provider, stored.result) == (
        "succeeded",
        "gemini",
        story,
    )
    sent = gemini.requests[0]["json"]
    assert sent["generationConfig"]["responseMimeType"] == "application/json"


def test_invalid_structured_output_is_not_stored(
    auth_client, consenting, gemini, django_capture_on_commit_callbacks
):
    gemini.text(json.dumps({"title": "No steps"}))

    with django_capture_on_commit_callbacks(execute=True):
        job = auth_client.post(SESSION, SESSION_BODY, format="json").json()

    stored = AIGenerationJob.objects.get(pk=job["id"])
    assert stored.status == "succeeded"
    assert stored.provider == "offline"  # the model's shape was refused
    assert stored.result["title"] == "Meditation: unwind after work"


def test_the_generation_task_is_idempotent(
    consenting, django_capture_on_commit_callbacks
):
    from coaching.services.ai import ai_generation_request
    from coaching.tasks import generate_ai_content

    with django_capture_on_commit_callbacks(execute=True):
        job = ai_generation_request(
            user=consenting, kind="session", params=SESSION_BODY
        )
    job.refresh_from_db()
    finished = job.completed_at

    generate_ai_content(job_id=job.pk)

    job.refresh_from_db()
    assert job.completed_at == finished
    assert Notification.objects.filter(user=consenting).count() == 1


def test_job_of_another_user_is_404(auth_client, other_user):
    theirs = AIGenerationJob.objects.create(
        user=other_user, kind="session", params={}, request_hash="h"
    )

    response = auth_client.get(f"{JOBS}/{theirs.pk}")

    assert response.status_code == 404
    assert _error(response) == "not_found"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (SESSION, {"goal": "x", "duration_seconds": 10}),
        (SESSION, {"goal": "x", "duration_seconds": 600, "session_type": "nap"}),
        (SESSION, {"duration_seconds": 600}),
        (STORY, {"theme": "", "duration_seconds": 600}),
    ],
)
def test_generation_bad_input_is_400(auth_client, consenting, path, body):
    response = auth_client.post(path, body, format="json")

    assert response.status_code == 400
    assert _error(response) == "validation_error"
    assert AIGenerationJob.objects.count() == 0


# --- mood insights ---
def _history(user):
    day = date(2027, 2, 20)
    moods = [
        MoodEntryFactory(user=user, mood="good", local_date=day),
        MoodEntryFactory(user=user, mood="low", local_date=day + timedelta(days=1)),
    ]
    session = WellnessSessionFactory(
        user=user,
        status="completed",
        local_date=day,
        actual_duration_seconds=600,
    )
    entry = JournalEntryFactory(user=user, body="kestrel private words", local_date=day)
    return moods, session, entry


def test_mood_insights_cite_their_data_points(auth_client, consenting):
    moods, session, entry = _history(consenting)
    MoodEntryFactory(user=UserFactory(), local_date=date(2027, 2, 20))  # not mine

    response = auth_client.post(
        INSIGHTS, {"date_from": "2027-02-01", "date_to": "2027-02-28"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["date_from"], body["date_to"]) == ("2027-02-01", "2027-02-28")
    cited = {p["ref"] for i in body["insights"] for p in i["data_points"]}
    assert cited == {
        f"mood:{moods[0].pk}",
        f"mood:{moods[1].pk}",
        f"session:{session.pk}",
        f"journal:{entry.pk}",
    }
    assert all(i["data_points"] for i in body["insights"])
    assert "kestrel" not in json.dumps(body)


def test_mood_insights_send_no_journal_text_unless_asked(
    auth_client, consenting, gemini
):
    moods, _, _ = _history(consenting)
    answer = {
        "insights": [{"text": "Steady.", "data_point_ids": [f"mood:{moods[0].pk}"]}]
    }
    gemini.text(json.dumps(answer))
    gemini.text(json.dumps(answer))
    body = {"date_from": "2027-02-01", "date_to": "2027-02-28"}

    first = auth_client.post(INSIGHTS, body, format="json")
    auth_client.post(INSIGHTS, {**body, "include_journal_text": True}, format="json")

    assert first.json()["insights"] == [
        {
            "text": "Steady.",
            "data_points": [
                {
                    "ref": f"mood:{moods[0].pk}",
                    "kind": "mood",
                    "local_date": "2027-02-20",
                    "mood": "good",
                    "score": moods[0].score,
                    "intensity": 5,
                    "session_type": None,
                    "duration_seconds": None,
                }
            ],
        }
    ]
    assert "kestrel" not in json.dumps(gemini.requests[0])
    assert "kestrel" in json.dumps(gemini.requests[1])


def test_mood_insights_drop_a_diagnosis_and_uncited_claims(
    auth_client, consenting, gemini
):
    moods, _, _ = _history(consenting)
    gemini.text(
        json.dumps(
            {
                "insights": [
                    {
                        "text": "You probably have depression.",
                        "data_point_ids": [f"mood:{moods[1].pk}"],
                    },
                    {"text": "Made up.", "data_point_ids": ["mood:999999"]},
                    {
                        "text": "Lower on day two.",
                        "data_point_ids": [f"mood:{moods[1].pk}"],
                    },
                ]
            }
        )
    )

    body = auth_client.post(
        INSIGHTS, {"date_from": "2027-02-01", "date_to": "2027-02-28"}, format="json"
    ).json()

    assert [i["text"] for i in body["insights"]] == ["Lower on day two."]


@pytest.mark.parametrize(
    "body",
    [
        {"date_from": "2027-02-10", "date_to": "2027-02-01"},
        {"date_from": "2026-01-01", "date_to": "2027-02-01"},
        {"date_from": "soon", "date_to": "2027-02-01"},
    ],
)
def test_mood_insights_bad_range_is_400(auth_client, consenting, body):
    response = auth_client.post(INSIGHTS, body, format="json")

    assert response.status_code == 400
    assert _error(response) == "validation_error"
    assert AIUsageDay.objects.count() == 0


def test_other_users_cannot_read_my_conversations_via_their_token(other_user, user):
    from rest_framework.test import APIClient

    mine = _conversation(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(other_user))

    assert client.get(CONVERSATIONS).json()["results"] == []
    assert client.get(f"{CONVERSATIONS}/{mine.pk}").status_code == 404


# --- privacy ------------------------------------------------------------------
def test_the_privacy_export_holds_my_ai_chats_jobs_and_consent(
    auth_client, consenting, django_capture_on_commit_callbacks
):
    from accounts.services import user_erase, user_export

    auth_client.post(CHAT, {"message": "Hello there"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        auth_client.post(SESSION, SESSION_BODY, format="json")

    exported = user_export(user=consenting)
    coaching = exported["apps"]["coaching"]

    conversation = coaching["ai_conversations"][0]
    assert conversation["messages"][0]["body"] == "Hello there"
    assert coaching["ai_generation_jobs"][0]["params"]["goal"] == "unwind after work"
    assert coaching["ai_usage_days"] == [
        {"local_date": "2027-03-01", "chat_messages": 1, "generations": 1}
    ]
    assert exported["apps"]["accounts"]["profile"]["ai_consent_version"] == 1

    user_erase(user=consenting)

    assert AIConversation.objects.count() == 0
    assert AIGenerationJob.objects.count() == 0
    assert AIUsageDay.objects.count() == 0
