"""The gate in front of Bolt at /slack/events: signature, timestamp and body shape, checked first.

    bolt = slack_guard(SlackRequestHandler(app), signing_secret=settings.slack_signing_secret)

Bolt reads the timestamp with `int()` and the body with `json.loads` before it knows whether a
request is Slack's, and indexes into payloads as if Slack's shapes were guaranteed; a stray or
hostile request then costs a 500 and a traceback in the log. Here every request is refused with a
4xx and one warning line unless it is signed with our secret, fresh, and shaped as Bolt expects:

- 401: no or bad signature, a timestamp that is not ASCII digits, or one over 5 minutes old;
- 400: a body that is not UTF-8, a form `payload` that is not one JSON object, a JSON body that is
  not an object, or an object missing what Bolt's listeners index (a view without a string type,
  block actions without actions or action ids, an interaction without its user's id);
- 413: a body over `MAX_BODY`.

Slack's SSL check (`ssl_check=1`, unsigned by design) passes through to Bolt, which answers it.
"""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

MAX_BODY = 1024 * 1024  # Slack's largest payloads (a modal's state, a message's blocks) stay well below
MAX_AGE_SECONDS = 5 * 60  # Slack's own guidance against replays
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # str.isdigit() takes "²" and full-width digits; int() does not
_ACTION_TYPES = ("block_actions", "interactive_message")
_VIEW_TYPES = ("view_submission", "view_closed")


class Refused(Exception):
    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class GuardedRequestHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, with its request parsing made to answer 400 instead of raising.

    Bolt builds its context (team, user, channel ids) from the body while constructing the
    request, outside its own error handling; a shape the gate did not foresee lands here.
    """

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        try:
            bolt_request = BoltRequest(body=request.get_body(), query=request.query_string,
                                       headers=request.get_headers())
        except (AttributeError, KeyError, IndexError, TypeError, ValueError) as exc:
            log.warning("refused a Slack request Bolt cannot read (%s: %s)", type(exc).__name__, str(exc)[:200])
            return BoltResponse(status=400, body="bad request")
        return self.app.dispatch(bolt_request)


def slack_guard(bolt: WsgiApp, *, signing_secret: str | None, clock: Callable[[], float] = time.time) -> WsgiApp:
    """Wrap Bolt's WSGI handler; requests reach it only when signed, fresh and well-formed."""
    verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return bolt(environ, start_response)  # Bolt answers 404 (no OAuth flow is configured)
        try:
            body = _read(environ)
            if not _is_ssl_check(body):
                _check_signature(verifier, environ, body, clock())
                _check_shape(body, environ.get("CONTENT_TYPE", ""))
        except Refused as refused:
            log.warning("refused a request at /slack/events: %s (%s)", refused.reason, refused.status,
                        extra={"remote_addr": environ.get("REMOTE_ADDR", "")})
            payload = refused.reason.encode()
            start_response(refused.status, [("Content-Type", "text/plain; charset=utf-8"),
                                            ("Content-Length", str(len(payload)))])
            return [payload]
        # the body was read to check it: Bolt reads it again from here
        environ["wsgi.input"] = io.BytesIO(body.encode())
        environ["CONTENT_LENGTH"] = str(len(environ["wsgi.input"].getbuffer()))
        return bolt(environ, start_response)

    return application


def _read(environ: dict[str, Any]) -> str:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused("400 Bad Request", "Content-Length is not a number") from None
    if length > MAX_BODY:
        raise Refused("413 Payload Too Large", f"body over {MAX_BODY} bytes")
    raw: bytes = environ["wsgi.input"].read(length) if length > 0 else b""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("400 Bad Request", "body is not UTF-8") from None


def _is_ssl_check(body: str) -> bool:
    fields = dict(parse_qsl(body, keep_blank_values=True))
    return fields.get("ssl_check") == "1" and "payload" not in fields and "command" not in fields


def _check_signature(verifier: SignatureVerifier | None, environ: dict[str, Any], body: str, now: float) -> None:
    if verifier is None:
        raise Refused("401 Unauthorized", "SLACK_SIGNING_SECRET is not set: no request can be verified")
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE")
    if not timestamp or not signature:
        raise Refused("401 Unauthorized", "unsigned (no X-Slack-Signature or X-Slack-Request-Timestamp)")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise Refused("401 Unauthorized", "X-Slack-Request-Timestamp is not a number")
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        raise Refused("401 Unauthorized", "X-Slack-Request-Timestamp is over 5 minutes off")
    if not verifier.is_valid(body, timestamp, signature):
        raise Refused("401 Unauthorized", "bad signature")


def _check_shape(body: str, content_type: str) -> None:
    """Parse as Bolt will (`slack_bolt.request.internals.parse_body`) and refuse what it would trip on."""
    if not body:
        return
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/json" or body.startswith("{"):
        _check_event(_json_object(body, "JSON body"))
        return
    fields = parse_qsl(body, keep_blank_values=True)
    payloads = [value for key, value in fields if key == "payload"]
    if len(payloads) > 1:
        raise Refused("400 Bad Request", "more than one payload field")
    if payloads:
        _check_interaction(_json_object(payloads[0], "payload"))
    elif "payload" in body:
        # Bolt looks for the substring "payload" and, finding no field of that name, reads nothing
        return


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise Refused("400 Bad Request", f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise Refused("400 Bad Request", f"{what} is not a JSON object")
    return value


def _bad(why: str) -> Refused:
    return Refused("400 Bad Request", why)


def _optional_object(body: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = body.get(key)
    if value is not None and not isinstance(value, dict):
        raise _bad(f"{key} is not an object")
    return value


def _ids_are_text(obj: dict[str, Any], where: str, keys: tuple[str, ...] = ("id", "team_id", "enterprise_id")) -> None:
    for key in keys:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise _bad(f"{where}.{key} is not a string")


def _party(body: dict[str, Any], key: str) -> None:
    """`team`, `user`, `channel`, `enterprise`: an id string, an object with string ids, or absent."""
    value = body.get(key)
    if isinstance(value, dict):
        _ids_are_text(value, key)
    elif value is not None and not isinstance(value, str):
        raise _bad(f"{key} is neither an id nor an object")


def _check_interaction(payload: dict[str, Any]) -> None:
    kind = payload.get("type")
    if not isinstance(kind, str):
        raise _bad("payload.type is not a string")
    for key in ("team", "user", "channel", "enterprise"):
        _party(payload, key)
    user = payload.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        raise _bad("payload.user is not an object with an id")  # Slack names the person in every interaction
    for key in ("container", "message", "state"):
        _optional_object(payload, key)
    _ids_are_text(payload, "payload", ("callback_id", "action_id", "block_id", "trigger_id", "response_url",
                                       "api_app_id", "team_id", "user_id", "channel_id", "enterprise_id"))
    if "view" in payload or kind in _VIEW_TYPES:
        view = payload.get("view")
        if not isinstance(view, dict):
            raise _bad(f"{kind} without a view object")
        if not isinstance(view.get("type"), str):
            raise _bad(f"{kind} with a view that has no type")
        _ids_are_text(view, "view", ("id", "callback_id", "team_id", "app_installed_team_id", "private_metadata",
                                     "hash", "root_view_id", "previous_view_id"))
        # the state's values are the form's fields: the view's own handler answers them with field errors
        _optional_object(view, "state")
    if kind in _ACTION_TYPES:
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions or not all(isinstance(a, dict) for a in actions):
            raise _bad(f"{kind} without a list of actions")
        for action in actions:
            _ids_are_text(action, "action", ("action_id", "block_id", "name", "type", "value"))
            if kind == "block_actions" and not isinstance(action.get("action_id"), str):
                raise _bad("block action without an action_id")
        if kind == "interactive_message" and not isinstance(payload.get("callback_id"), str):
            raise _bad("interactive_message without a callback_id")
    authorizations = payload.get("authorizations")
    if authorizations is not None and not (isinstance(authorizations, list)
                                           and all(isinstance(a, dict) for a in authorizations)):
        raise _bad("authorizations is not a list of objects")


def _check_event(body: dict[str, Any]) -> None:
    if not isinstance(body.get("type"), str):
        raise _bad("type is not a string")
    _ids_are_text(body, "body", ("team_id", "enterprise_id", "api_app_id", "token", "challenge", "event_id",
                                 "context_team_id", "context_enterprise_id"))
    authorizations = body.get("authorizations")
    if authorizations is not None:
        if not (isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)):
            raise _bad("authorizations is not a list of objects")
        for auth in authorizations:
            _ids_are_text(auth, "authorization", ("team_id", "enterprise_id", "user_id"))
    if "event" in body or body["type"] == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise _bad("event is not an object with a type")
        if "subtype" in event and event["subtype"] is not None and not isinstance(event["subtype"], str):
            raise _bad("event.subtype is not a string")
