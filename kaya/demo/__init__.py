"""Demo content and accounts for `manage.py seed_demo`, one module per concern.

Each module has a ``seed(run)`` function that creates what is missing and never
changes a row that exists (staff may have edited it in the admin), so a second
run writes nothing. The content is real: program days are scripts a person can
follow, in English and Spanish, reviewed to be kind, non-clinical and safe.
"""
