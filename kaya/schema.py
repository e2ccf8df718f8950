"""OpenAPI: document the one error shape on every operation."""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable error code.")
    message = serializers.CharField(help_text="Human-readable explanation.")
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per-field messages, for validation errors.",
    )
    request_id = serializers.CharField(
        required=False, help_text="Quote this id when contacting support."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_DESCRIPTIONS = {
    "400": "Invalid input (`validation_error` with `fields`).",
    "401": "Missing, invalid or expired credentials.",
    "404": "Not found (also for objects that belong to another user).",
    "413": "Request body too large.",
    "429": "Too many requests; see `Retry-After`.",
    "500": "Server error; the body carries a request id.",
    "503": "A dependency (the database) is unavailable; retry shortly "
    "(`service_unavailable`).",
}


_OBJECT_PARAM = re.compile(r"\{(?!token\})[^}]+\}")


class KayaAutoSchema(AutoSchema):
    def _has_delete_body(self) -> bool:
        # drf-spectacular documents bodies only on POST, PUT and PATCH. A DELETE
        # that needs one (DELETE /users/me takes the password) declares its
        # serializer class with @extend_schema(request=...); a plain destroy
        # gets a serializer instance (or None) and stays bodiless.
        if self.method != "DELETE":
            return False
        declared = self.get_request_serializer()
        return isinstance(declared, type) and issubclass(
            declared, serializers.Serializer
        )

    def _get_request_body(self, direction: Any = "request") -> Any:
        if not self._has_delete_body():
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        # Any operation can meet a database outage (answered 503, see
        # kaya.exceptions).
        codes = ["429", "500", "503"]
        has_body = (
            self.method in ("POST", "PUT", "PATCH")
            and self.get_request_serializer() is not None
        ) or self._has_delete_body()
        if has_body:
            codes += ["400", "413"]
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes.append("401")
        # An object path ({pk}) can be not found; a signed {token} path answers
        # 400 for a bad token, which its view documents itself.
        if _OBJECT_PARAM.search(self.path):
            codes.append("404")
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code)
                response["description"] = _DESCRIPTIONS[code]
                responses[code] = response
        return responses
