"""The OpenAPI description of app/api/access_requests.py."""

from __future__ import annotations

from app.api.access_requests import (
    EVIDENCE,
    EXTENSION_REASON,
    MAX_LIMIT,
    MAX_NUMBERS,
    MAX_REFERENCES,
    NAME,
    OPTIONAL_EVIDENCE,
    OPTIONAL_NAME,
    OTHER_REFERENCE,
)
from app.api.formats import DATE, NHS_NUMBER, PHONE, SPACE
from app.api.openapi.components import error_responses, json_request, json_response, path_id
from app.models import Authority, PackageState, Relationship
from recordings.subject_access import EXTENSION_MONTHS

_DATE = {"type": "string", "format": "date"}
REQUEST_ID = path_id("request_id")
_NHS_REFERENCE = {
    "type": "object",
    "required": ["type", "value"],
    "properties": {"type": {"const": "nhs_number"}, "value": NHS_NUMBER.schema()},
}
_OTHER_REFERENCE = {
    "type": "object",
    "required": ["type", "value"],
    "properties": {"type": {"const": "other"}, "value": OTHER_REFERENCE.schema()},
}
_NEW_REQUEST = {
    "type": "object",
    "description": "A third party's authority and its evidence reference go together, and only "
    "on a third party's request (blank evidence counts as absent). Rules no schema can state, "
    "answered 422: date_from is not after date_to; received_on is not after today (London).",
    "required": ["requester_name", "relationship", "phone_numbers"],
    "properties": {
        "requester_name": NAME.schema(),
        "relationship": {"enum": [r.value for r in Relationship]},
        "data_subject_name": OPTIONAL_NAME.schema(nullable=True),
        "authority": {"enum": [*(a.value for a in Authority), None]},
        "authority_evidence": OPTIONAL_EVIDENCE.schema(nullable=True),
        "phone_numbers": {
            "type": "array",
            "items": PHONE.schema(),
            "minItems": 1,
            "maxItems": MAX_NUMBERS,
        },
        "date_from": DATE.schema(nullable=True),
        "date_to": DATE.schema(nullable=True),
        "person_references": {
            "type": ["array", "null"],
            "items": {"oneOf": [_NHS_REFERENCE, _OTHER_REFERENCE]},
            "maxItems": MAX_REFERENCES,
        },
        "received_on": {**DATE.schema(nullable=True), "description": "Default: today in London"},
        "identity_pending": {"type": ["boolean", "null"]},
        "language": {
            "enum": ["en", "cy", None],
            "description": "The language to answer the requester in; default en",
        },
    },
    "anyOf": [
        {
            "description": "No authority",
            "properties": {
                "authority": {"type": "null"},
                "authority_evidence": {"pattern": f"^[{SPACE}]*$"},
            },
        },
        {
            "description": "A third party with authority and evidence",
            "required": ["authority", "authority_evidence"],
            "properties": {
                "relationship": {"const": Relationship.THIRD_PARTY.value},
                "authority": {"type": "string"},
                "authority_evidence": EVIDENCE.schema(),
            },
        },
    ],
}
ACCESS_REQUEST_SCHEMA = {
    "type": "object",
    "description": (
        "A subject access request. `due_date` is null while identity is pending; `flag` is "
        "`overdue`, `due_soon` (within 7 days) or null. Registration holds every matching "
        "call, so every recording of it, including one that reaches us later. The detail view "
        "adds `recordings`: every recording of those calls, a late one included (until "
        "reviewed: `include` true, no redactions), each with `include`, `redactions`, "
        "`reason`, `hold_id` (the request's hold covering it, on its call) and `held` (that "
        "hold is in force); and `fulfilment_blocker` (why it cannot be fulfilled yet, or "
        "null). The list view adds `recording_count`."
    ),
    "properties": {
        "id": {"type": "integer"},
        "reference": {"type": "string"},
        "status": {"enum": ["open", "closed"]},
        "relationship": {"enum": [r.value for r in Relationship]},
        "authority": {"enum": [*(a.value for a in Authority), None]},
        "phone_numbers": {"type": "array", "items": {"type": "string"}},
        "received_on": _DATE,
        "due_date": {"type": ["string", "null"], "format": "date"},
        "flag": {"enum": ["overdue", "due_soon", None]},
        "paused": {"type": "boolean", "description": "The clock is stopped for clarification"},
        "paused_at": {"type": ["string", "null"], "format": "date-time"},
        "pause_reason": {"type": ["string", "null"]},
        "paused_days": {
            "type": "integer",
            "description": "Whole London days paused so far; the due date includes them",
        },
        "refusal": {
            "type": ["object", "null"],
            "description": "Set when refused: the ground, the reason and the notice sent to "
            "the requester (why, and how to complain to the ICO)",
            "properties": {
                "refused_at": {"type": "string", "format": "date-time"},
                "ground": {"enum": ["manifestly_unfounded", "manifestly_excessive"]},
                "reason": {"type": "string"},
                "notice": {"type": "string"},
            },
        },
        "package": {
            "type": "object",
            "properties": {
                "state": {"enum": [*(s.value for s in PackageState), None]},
                "job_id": {"type": ["string", "null"]},
                "recordings_done": {"type": "integer"},
                "recordings_total": {"type": "integer"},
                "error": {"type": ["string", "null"]},
            },
        },
    },
}


PATHS = {
    "/api/access-requests": {
        "post": {
            "summary": "Register a subject access request; holds its calls at once",
            "description": "Records officers. A third party's request can be registered "
            "without authority but not fulfilled until authority and evidence are recorded.",
            "requestBody": json_request(_NEW_REQUEST),
            "responses": {
                "201": json_response(
                    ACCESS_REQUEST_SCHEMA, "The request, with the recordings of the calls held"
                ),
                **error_responses(400, 401, 403, 413, 422),
            },
        },
        "get": {
            "summary": "Requests with due dates and flags, soonest due first",
            "parameters": [
                {"name": "status", "in": "query", "schema": {"enum": ["open", "closed"]}},
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                },
            ],
            "responses": {
                "200": json_response({"type": "array", "items": ACCESS_REQUEST_SCHEMA}, "Requests"),
                **error_responses(401, 403, 422),
            },
        },
    },
    "/api/access-requests/{request_id}": {
        "get": {
            "summary": "One request with its recordings, review and holds",
            "parameters": [REQUEST_ID],
            "responses": {
                "200": json_response(ACCESS_REQUEST_SCHEMA, "The request"),
                **error_responses(401, 403, 404),
            },
        }
    },
    "/api/access-requests/{request_id}/identity-verified": {
        "post": {
            "summary": "Identity verified: the clock starts (default today in London)",
            "parameters": [REQUEST_ID],
            "requestBody": json_request(
                {
                    "type": "object",
                    "description": "verified_on is not after today (London): a rule no schema "
                    "can state, answered 422.",
                    "properties": {"verified_on": DATE.schema(nullable=True)},
                },
                required=False,
            ),
            "responses": {
                "200": json_response(ACCESS_REQUEST_SCHEMA, "The request with its due date"),
                **error_responses(400, 401, 403, 404, 409, 413, 422),
            },
        }
    },
    "/api/access-requests/{request_id}/extend": {
        "post": {
            "summary": "Extend once by 1 or 2 months, with a reason, before the due date",
            "parameters": [REQUEST_ID],
            "requestBody": json_request(
                {
                    "type": "object",
                    "required": ["months", "reason"],
                    "properties": {
                        "months": {"enum": list(EXTENSION_MONTHS)},
                        "reason": EXTENSION_REASON.schema(),
                    },
                }
            ),
            "responses": {
                "200": json_response(ACCESS_REQUEST_SCHEMA, "The request with its new due date"),
                **error_responses(400, 401, 403, 404, 409, 413, 422),
            },
        }
    },
    "/api/access-requests/{request_id}/authority": {
        "post": {
            "summary": "Record a third party's authority and its evidence reference",
            "parameters": [REQUEST_ID],
            "requestBody": json_request(
                {
                    "type": "object",
                    "required": ["authority", "authority_evidence"],
                    "properties": {
                        "authority": {"enum": [a.value for a in Authority]},
                        "authority_evidence": EVIDENCE.schema(),
                    },
                }
            ),
            "responses": {
                "200": json_response(ACCESS_REQUEST_SCHEMA, "The request"),
                **error_responses(400, 401, 403, 404, 409, 413, 422),
            },
        }
    },
    "/api/access-requests/{request_id}/close": {
        "post": {
            "summary": "Close: release the holds and delete the package",
            "parameters": [REQUEST_ID],
            "responses": {
                "200": json_response(ACCESS_REQUEST_SCHEMA, "The closed request"),
                **error_responses(401, 403, 404, 409),
            },
        }
    },
}
