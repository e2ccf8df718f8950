"""What every API view shares: one way to validate input.

Views are thin: validate with ``validated``, call one service or selector, and
serialise the result with an ``<Entity>Output`` serializer. Bad input raises
DRF's ``ValidationError``, which ``kaya.exceptions`` renders as the one 400
shape (``validation_error`` with ``fields``).

Validation is as strict as the OpenAPI document: DRF on its own reads an empty
query value (``?date_to=``) as "not given" and coerces JSON numbers into string
fields (and ``"5"`` into integers); both are refused here, so a request the
document calls invalid is never served (the contract fuzzing test checks it).

An input serializer is built once per class and thread and reused (its fields
deep-copied once, not per request): it must keep nothing of a call on itself
or its fields beyond what DRF keeps (the data, the context, the results), which
``validated`` drops when the call ends.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import QueryDict
from rest_framework import serializers
from rest_framework.serializers import BaseSerializer

NOT_A_STRING = "Not a valid string."
NOT_AN_INTEGER = "A valid integer is required."
NOT_A_NUMBER = "A valid number is required."
NOT_A_BOOLEAN = "Must be a valid boolean."
NOT_A_LIST = 'Expected a list of items but got type "{kind}".'
BAD_LOCAL_TIME = "Time has wrong format. Use hh:mm[:ss[.uuuuuu]]."
# kaya.schema.LOCAL_TIME_PATTERN: DRF's TimeField alone also reads "0730" or
# "07:30+02:00", which the document does not allow.
_LOCAL_TIME = re.compile(r"\A([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?\Z")


def _type_error(field: serializers.Field, value: Any) -> str | None:
    """The message for a JSON value of the wrong type for ``field``, or None.
    ``None`` itself is left to the field (``allow_null``)."""
    if value is None:
        return None
    if isinstance(field, serializers.ChoiceField):
        keys = list(field.choices)
        if keys and all(isinstance(key, str) for key in keys):
            return None if isinstance(value, str) else NOT_A_STRING
        return None
    if isinstance(field, serializers.TimeField):
        if isinstance(value, str) and _LOCAL_TIME.match(value):
            return None
        return BAD_LOCAL_TIME
    if isinstance(
        field,
        serializers.CharField
        | serializers.DateField
        | serializers.DateTimeField
        | serializers.TimeField
        | serializers.UUIDField,
    ):
        return None if isinstance(value, str) else NOT_A_STRING
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else NOT_A_BOOLEAN
    if isinstance(field, serializers.IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else NOT_AN_INTEGER
    if isinstance(field, serializers.FloatField):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else NOT_A_NUMBER
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return NOT_A_LIST.format(kind=type(value).__name__)
        return None
    return None


def _strict_body(fields: dict[str, serializers.Field], data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for name, field in fields.items():
        if field.read_only or name not in data:
            continue
        value = data[name]
        message = _type_error(field, value)
        if (
            message is None
            and isinstance(field, serializers.ListField)
            and isinstance(value, list)
        ):
            for item in value:
                message = _type_error(field.child, item)
                if message:
                    break
        if message:
            errors[name] = [message]
    if errors:
        raise serializers.ValidationError(errors)


def _plain_query(
    fields: dict[str, serializers.Field], query: QueryDict
) -> dict[str, Any]:
    # A plain dict, so an empty value is validated as given (DRF reads "" in a
    # QueryDict as "not given" for an optional field).
    data: dict[str, Any] = {}
    for name in query:
        field = fields.get(name)
        if isinstance(field, serializers.ListField | serializers.MultipleChoiceField):
            data[name] = query.getlist(name)
        else:
            data[name] = query[name]
    return data


def validated(
    input_class: type[BaseSerializer], data: Any, **context: Any
) -> dict[str, Any]:
    """``data`` (a request body or ``request.query_params``) checked by an input
    serializer; its validated data as a plain dict, or a 400."""
    serializer = _take(input_class, data, context)
    try:
        fields = getattr(serializer, "fields", {})
        if isinstance(data, QueryDict):
            serializer.initial_data = _plain_query(fields, data)
        elif isinstance(data, dict):
            _strict_body(fields, data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)
    finally:
        _give_back(input_class, serializer)


# Each thread keeps one instance of each input serializer between calls, its
# fields built and bound once: DRF deep-copies a serializer's declared fields
# for every instance (for a mood, the emotion and factor vocabularies' choice
# fields: most of what validating it cost). Fields keep no state of a call:
# the data, the context and the results live on the serializer and are dropped
# when the call ends, so each call validates afresh, reading its own request.
_idle = threading.local()
_CALL_STATE = ("initial_data", "_validated_data", "_errors", "_data")
# Bumped when a setting changes: a field reads some (DRF's) when it is built.
_generation = 0


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    global _generation
    _generation += 1


def _idle_serializers() -> dict[type[BaseSerializer], BaseSerializer]:
    if getattr(_idle, "generation", None) != _generation:
        _idle.generation = _generation
        _idle.serializers = {}
    return _idle.serializers  # type: ignore[no-any-return]


def _take(
    input_class: type[BaseSerializer], data: Any, context: dict[str, Any]
) -> BaseSerializer:
    # Taken out while in use: a nested call for the same class builds its own.
    serializer = _idle_serializers().pop(input_class, None)
    if serializer is None:
        return input_class(data=data, context=context)
    serializer.initial_data = data
    serializer._context = context
    return serializer


def _give_back(input_class: type[BaseSerializer], serializer: BaseSerializer) -> None:
    # Nothing of the request (its body, the user in the context) is kept.
    for name in _CALL_STATE:
        serializer.__dict__.pop(name, None)
    serializer._context = {}
    _idle_serializers()[input_class] = serializer
