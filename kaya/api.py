"""What every API view shares: one way to validate input.

Views are thin: validate with ``validated``, call one service or selector, and
serialise the result with an ``<Entity>Output`` serializer. Bad input raises
DRF's ``ValidationError``, which ``kaya.exceptions`` renders as the one 400
shape (``validation_error`` with ``fields``).
"""

from __future__ import annotations

from typing import Any

from rest_framework.serializers import BaseSerializer


def validated(
    input_class: type[BaseSerializer], data: Any, **context: Any
) -> dict[str, Any]:
    """``data`` (a request body or ``request.query_params``) checked by an input
    serializer; its validated data as a plain dict, or a 400."""
    serializer = input_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
