"""Crisis lines answer in their own countries: 988 in the United States, 112 in
the European Union. Before this, both were shown to everyone of a locale (a
user in New York saw the EU number 112 beside 988)."""

from django.db import migrations

EU = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI "
    "ES SE"
)
BY_PHONE = {"988": "US", "112": EU}


def restrict(apps, schema_editor):
    CrisisResource = apps.get_model("journal", "CrisisResource")
    for phone, countries in BY_PHONE.items():
        CrisisResource.objects.filter(phone=phone, countries="").update(
            countries=countries
        )


class Migration(migrations.Migration):
    dependencies = [("journal", "0005_crisis_phrases_starter_list")]

    operations = [migrations.RunPython(restrict, migrations.RunPython.noop)]
