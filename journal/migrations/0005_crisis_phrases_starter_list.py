"""A reviewed starter list for the crisis check; staff maintain it in the admin.

Phrases are first-person or explicit signals of suicide or self-harm risk.
Ambiguous words on their own ("die", "cut", "end") are left out on purpose:
they flag jokes and recipes and teach users to ignore the support block.
"""

from django.db import migrations

STARTER = {
    "en": {
        "suicide": [
            "kill myself",
            "killing myself",
            "end my life",
            "ending my life",
            "take my own life",
            "want to die",
            "wanna die",
            "better off dead",
            "better off without me",
            "no reason to live",
            "don't want to be alive",
            "don't want to live anymore",
            "suicidal",
            "suicide plan",
            "planning my suicide",
            "end it all",
            "not worth living",
            "say goodbye forever",
            "overdose on purpose",
        ],
        "self_harm": [
            "hurt myself",
            "hurting myself",
            "harm myself",
            "harming myself",
            "self harm",
            "self-harm",
            "cut myself",
            "cutting myself",
            "burn myself",
            "burning myself",
        ],
    },
    "es": {
        "suicide": [
            "quiero morir",
            "quiero morirme",
            "matarme",
            "suicidarme",
            "quitarme la vida",
            "acabar con mi vida",
            "no quiero vivir",
        ],
        "self_harm": [
            "hacerme daño",
            "autolesión",
            "autolesionarme",
            "cortarme",
        ],
    },
}


def seed(apps, schema_editor):
    CrisisPhrase = apps.get_model("journal", "CrisisPhrase")
    for locale, categories in STARTER.items():
        for category, phrases in categories.items():
            for phrase in phrases:
                CrisisPhrase.objects.get_or_create(
                    locale=locale, phrase=phrase, defaults={"category": category}
                )


class Migration(migrations.Migration):
    dependencies = [("journal", "0004_crisis_phrases_and_resource_countries")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
