"""The API's operations, read from the OpenAPI schema, for tests that must cover
every endpoint (an endpoint added later is walked without editing the tests)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from drf_spectacular.generators import SchemaGenerator

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def anonymous(self) -> bool:
        # drf-spectacular lists {} among the security options of an AllowAny view.
        return {} in self.spec.get("security", [{}])

    @property
    def takes_json(self) -> bool:
        content = self.spec.get("requestBody", {}).get("content", {})
        return "application/json" in content

    @property
    def path_parameters(self) -> list[str]:
        return _PLACEHOLDER.findall(self.path)

    def parameters(self, where: str) -> list[dict[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p["in"] == where]

    def request_properties(self) -> list[str]:
        """The top-level fields of the JSON request body."""
        content = self.spec.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema", {})
        if "$ref" in schema:
            schema = components()[schema["$ref"].rsplit("/", 1)[-1]]
        return sorted(schema.get("properties", {}))


@functools.cache
def _schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def components() -> dict[str, Any]:
    return _schema()["components"]["schemas"]


@functools.cache
def operations() -> tuple[Operation, ...]:
    return tuple(
        Operation(method.upper(), path, spec)
        for path, item in _schema()["paths"].items()
        for method, spec in item.items()
    )


def json_body_operations() -> list[Operation]:
    return [op for op in operations() if op.takes_json]


def query_operations() -> list[Operation]:
    return [op for op in operations() if op.parameters("query")]


def fill_path(path: str, values: dict[str, Any]) -> str:
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), path)
