"""Journal prompts, crisis lines and crisis phrases, in English and Spanish.

Crisis lines are real, well-known numbers only, each limited to the countries
where it answers (``CrisisResource.countries``; a user's country comes from
their time zone): 988 in the US, Samaritans' 116 123 in the UK and Ireland,
Spain's 024, and the EU's emergency number 112.
"""

from __future__ import annotations

from journal.models import CrisisPhrase, CrisisResource, Prompt
from kaya.demo.base import SeedRun

PROMPTS = {
    "en": [
        "What is one small thing that went well today?",
        "What are you carrying right now that you could set down?",
        "Who helped you recently, and how?",
        "What does your body need this evening?",
        "Describe a moment today when you felt at ease.",
        "What would you say to a friend who had the day you had?",
        "What is something you are looking forward to, however small?",
        "What did you learn about yourself this week?",
    ],
    "es": [
        "¿Qué es algo pequeño que ha ido bien hoy?",
        "¿Qué llevas encima ahora mismo que podrías soltar?",
        "¿Quién te ha ayudado hace poco, y cómo?",
        "¿Qué necesita tu cuerpo esta noche?",
        "Describe un momento de hoy en el que te sentiste en calma.",
        "¿Qué le dirías a un amigo que hubiera tenido un día como el tuyo?",
        "¿Qué es algo que esperas con ilusión, aunque sea pequeño?",
        "¿Qué has aprendido sobre ti esta semana?",
    ],
}

EU = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"

CRISIS_RESOURCES: list[dict[str, object]] = [
    {
        "locale": "en",
        "name": "Emergency services",
        "description": "If you are in immediate danger, call your local emergency "
        "number.",
        "phone": "112",
        # The EU's number: shown only to users whose time zone is in the EU.
        "countries": EU,
        "sort_order": 0,
    },
    {
        "locale": "en",
        "name": "988 Suicide & Crisis Lifeline (US)",
        "description": "Free, confidential support, 24/7.",
        "phone": "988",
        "sms": "988",
        "countries": "US",
        "url": "https://988lifeline.org",
        "sort_order": 10,
    },
    {
        "locale": "en",
        "name": "Samaritans (UK and Ireland)",
        "description": "Free, confidential listening, any time of day or night.",
        "phone": "116 123",
        "countries": "GB IE",
        "url": "https://www.samaritans.org",
        "sort_order": 10,
    },
    {
        "locale": "es",
        "name": "Servicios de emergencia",
        "description": "Si estás en peligro inmediato, llama al número de emergencias.",
        "phone": "112",
        "countries": EU,
        "sort_order": 0,
    },
    {
        "locale": "es",
        "name": "Línea 024 de atención a la conducta suicida (España)",
        "description": "Gratuita, confidencial y disponible las 24 horas, todos "
        "los días.",
        "phone": "024",
        "countries": "ES",
        "sort_order": 10,
    },
    {
        "locale": "es",
        "name": "988 Suicide & Crisis Lifeline (EE. UU., en español)",
        "description": "Apoyo gratuito y confidencial, 24/7: llama al 988 y pulsa "
        "2 para hablar en español.",
        "phone": "988",
        "countries": "US",
        "url": "https://988lifeline.org",
        "sort_order": 10,
    },
]

# The migration's reviewed starter list has these too (journal 0005); they are
# ensured here as well, since a flushed test or demo database may lack them.
CRISIS_PHRASES_ES = {
    CrisisPhrase.Category.SUICIDE: [
        "quiero morir",
        "quiero morirme",
        "matarme",
        "suicidarme",
        "quitarme la vida",
        "acabar con mi vida",
        "no quiero vivir",
        "no quiero seguir viviendo",
        "mejor estaría muerto",
        "mejor estaría muerta",
    ],
    CrisisPhrase.Category.SELF_HARM: [
        "hacerme daño",
        "autolesión",
        "autolesionarme",
        "cortarme",
        "lastimarme",
    ],
}


def seed(run: SeedRun) -> None:
    for locale, texts in PROMPTS.items():
        for text in texts:
            run.ensure("prompts", Prompt, {"text": text, "locale": locale})
    for resource in CRISIS_RESOURCES:
        run.ensure(
            "crisis resources",
            CrisisResource,
            {"locale": resource["locale"], "name": resource["name"]},
            resource,
        )
    for category, phrases in CRISIS_PHRASES_ES.items():
        for phrase in phrases:
            run.ensure(
                "crisis phrases",
                CrisisPhrase,
                {"locale": "es", "phrase": phrase},
                {"category": category},
            )
