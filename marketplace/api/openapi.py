"""The API's route definitions, from which both the Flask routes and the OpenAPI 3.1 document are made.

Each view in views.py is declared once with `operation(...)`: its method, path, parameters,
request body, responses and scope. The same record registers the Flask rule and describes it,
so the document cannot drift from the routes.
"""

import re
from dataclasses import dataclass, field

API_VERSION = "1.0.0"
MAX_ID = 2**31 - 1

_nullable_number = {"type": ["number", "null"]}
_nullable_string = {"type": ["string", "null"]}
_date = {"type": ["string", "null"], "format": "date"}
_datetime = {"type": ["string", "null"], "format": "date-time"}
_strings = {"type": "array", "items": {"type": "string"}}

SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "fields"],
                "properties": {
                    "code": {"type": ["string", "integer"]},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            }
        },
    },
    "TokenError": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
    },
    "Token": {
        "type": "object",
        "required": ["access_token", "token_type", "expires_in", "scope"],
        "properties": {
            "access_token": {"type": "string"},
            "token_type": {"const": "Bearer"},
            "expires_in": {"type": "integer"},
            "scope": {"type": "string"},
        },
    },
    "OrganisationRef": {
        "type": "object",
        "required": ["kbo", "name"],
        "properties": {"kbo": {"type": "string", "pattern": "^[01][0-9]{9}$"}, "name": {"type": "string"}},
    },
    "Offer": {
        "type": "object",
        "required": ["id", "ref", "title", "domains", "regions"],
        "properties": {
            "id": {"type": "integer"},
            "ref": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "domains": _strings,
            "regions": _strings,
            "cpv_codes": _strings,
            "capacity_fte": _nullable_number,
            "has_enclave": {"type": "boolean"},
            "enclave_max_team": {"type": "integer"},
            "certifications": _strings,
        },
    },
    "Supplier": {
        "type": "object",
        "required": ["kbo", "name", "kind", "province", "offers"],
        "properties": {
            "kbo": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"type": "string"},
            "province": {"type": "string"},
            "postcode": {"type": "string"},
            "municipality": {"type": "string"},
            "website": {"type": "string"},
            "is_recognised_maatwerk": {"type": "boolean"},
            "is_eligible_reserved": {"type": "boolean"},
            "offers": {"type": "array", "items": {"$ref": "#/components/schemas/Offer"}},
        },
    },
    "Need": {
        "type": "object",
        "required": ["id", "ref", "kind", "state", "title", "buyer"],
        "properties": {
            "id": {"type": "integer"},
            "ref": {"type": "string"},
            "kind": {"enum": ["outsourcing", "enclave", "reserved_contract"]},
            "state": {"enum": ["draft", "open", "in_discussion", "awarded", "closed", "cancelled"]},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "domains": _strings,
            "cpv_codes": _strings,
            "province": {"type": "string"},
            "postcode": {"type": "string"},
            "volume_fte": _nullable_number,
            "starts_on": _date,
            "ends_on": _date,
            "budget_min_eur": _nullable_number,
            "budget_max_eur": _nullable_number,
            "published_at": _datetime,
            "procurement_reference": {"type": "string"},
            "estimated_value_eur": _nullable_number,
            "deadline_at": _datetime,
            "reservation": {"type": "string"},
            "is_recognised_only": {"type": "boolean"},
            "tender_url": {"type": "string"},
            "lots": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "number": {"type": "integer"},
                        "title": {"type": "string"},
                        "is_reserved": {"type": "boolean"},
                    },
                },
            },
            "buyer": {"$ref": "#/components/schemas/OrganisationRef"},
        },
    },
    "NewNeed": {
        "type": "object",
        "required": ["kind", "title", "postcode"],
        "description": "The fields of a need, as on the page; `publish: true` publishes it at once.",
        "properties": {
            "kind": {"enum": ["outsourcing", "enclave", "reserved_contract"]},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "domains": _strings,
            "postcode": {"type": "string"},
            "volume_fte": {"type": ["number", "string", "null"]},
            "starts_on": _nullable_string,
            "ends_on": _nullable_string,
            "cpv_codes": {"type": ["array", "string"]},
            "procurement_reference": {"type": "string"},
            "estimated_value_eur": {"type": ["number", "string", "null"]},
            "deadline_at": _nullable_string,
            "reservation": {"type": "string"},
            "tender_url": {"type": "string"},
            "lots": {"type": "array", "items": {"type": "object"}},
            "publish": {"type": "boolean"},
        },
    },
    "Lead": {
        "type": "object",
        "required": ["id", "need_id", "state", "role", "buyer", "supplier"],
        "properties": {
            "id": {"type": "integer"},
            "need_id": {"type": "integer"},
            "need_ref": {"type": "string"},
            "state": {"type": "string"},
            "role": {"enum": ["buyer", "supplier"]},
            "buyer": {"$ref": "#/components/schemas/OrganisationRef"},
            "supplier": {"$ref": "#/components/schemas/OrganisationRef"},
            "updated_at": _datetime,
        },
    },
    "Match": {
        "type": "object",
        "required": ["score", "supplier", "offer", "reasons"],
        "properties": {
            "score": {"type": "number"},
            "supplier": {"$ref": "#/components/schemas/OrganisationRef"},
            "offer": {"$ref": "#/components/schemas/Offer"},
            "reasons": _strings,
        },
    },
    "IndicatorRow": {
        "type": "object",
        "required": ["quarter", "figure", "dimension", "dimension_value", "value", "unit", "suppressed"],
        "properties": {
            "quarter": {"type": "string"},
            "figure": {"type": "string"},
            "dimension": {"type": "string"},
            "dimension_value": {"type": "string"},
            "value": {"type": "string", "description": "A plain decimal, or empty when suppressed."},
            "unit": {"type": "string"},
            "suppressed": {"type": "boolean"},
        },
    },
}


def page_of(schema: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "pages"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 0},
        },
    }


def list_of(schema: str) -> dict:
    return {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def ref(schema: str) -> dict:
    return {"$ref": f"#/components/schemas/{schema}"}


PAGE_PARAMETERS = (
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}},
)
ERROR_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing, expired or invalid token",
    403: "The token lacks the scope, or the organisation may not do this",
    404: "Not found (or not yours)",
    409: "Not possible in the object's current state",
    422: "Invalid data; `fields` names each field",
    429: "Too many requests; see Retry-After",
}


@dataclass
class Operation:
    method: str
    path: str
    endpoint: str
    summary: str
    tag: str
    scope: str | None = None
    parameters: tuple = ()
    request_body: dict | None = None
    responses: dict = field(default_factory=dict)
    errors: tuple = ()
    security: list | None = None


OPERATIONS: list[Operation] = []


def flask_rule(path: str) -> str:
    """/needs/{need_id} -> /needs/<int:need_id> (every path parameter here is an integer id)."""
    return re.sub(r"{(\w+)}", r"<int:\1>", path)


def _responses(operation: Operation) -> dict:
    responses = {}
    for status, (description, schema) in operation.responses.items():
        content = {"application/json": {"schema": schema}} if schema is not None else None
        responses[str(status)] = {"description": description, **({"content": content} if content else {})}
    errors = set(operation.errors) | {429}
    if operation.scope:
        errors |= {401, 403}
    for status in sorted(errors):
        schema = ref("TokenError") if operation.tag == "OAuth" and status in (400, 401) else ref("Error")
        response = {"description": ERROR_DESCRIPTIONS[status], "content": {"application/json": {"schema": schema}}}
        if status == 429:
            response["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
        responses[str(status)] = response
    return responses


def build_document(server_url: str) -> dict:
    """The OpenAPI 3.1 document of every registered operation."""
    paths: dict[str, dict] = {}
    for operation in OPERATIONS:
        item = {
            "operationId": operation.endpoint,
            "summary": operation.summary,
            "tags": [operation.tag],
            "responses": _responses(operation),
        }
        parameters = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            }
            for name in re.findall(r"{(\w+)}", operation.path)
        ] + list(operation.parameters)
        if parameters:
            item["parameters"] = parameters
        if operation.request_body is not None:
            item["requestBody"] = operation.request_body
        if operation.scope:
            item["security"] = [{"clientCredentials": [operation.scope]}]
        elif operation.security is not None:
            item["security"] = operation.security
        paths.setdefault(operation.path, {})[operation.method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Werkbrug API",
            "version": API_VERSION,
            "description": (
                "Public data (verified suppliers and their offers, open reserved contracts, the published "
                "indicator) needs no key. Writing, and reading one's own needs, leads and matches, needs an "
                "OAuth 2 client credentials token from /oauth/token with the right scope."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "clientCredentials": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": f"{server_url}/oauth/token",
                            "scopes": {
                                "needs:read": "Read your own needs",
                                "needs:write": "Create and publish needs",
                                "leads:read": "Read your own leads",
                                "matches:read": "Read matching suppliers for your needs",
                            },
                        }
                    },
                }
            },
        },
    }
