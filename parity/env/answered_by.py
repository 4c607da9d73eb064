"""Which replica answered: the load balancer's log of a step, joined to the tests that failed in it.

parity's own http checks carry a header the balancer logs, so their requests are known exactly. A
smoke suite's requests are not marked; a failing test is joined to the failing requests whose
method and path its message quotes, and the request before each (usually the same test's previous
step: the login before the profile page) says which replica held what came before.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from parity.env.balancer import LoggedRequest
from parity.results import TestCase

MAX_LISTED = 20


def annotate(cases: list[TestCase], logged: list[LoggedRequest], replicas: int) -> tuple[list[TestCase], dict[str, Any]]:
    """The cases, each failing one told which replica answered its failing request, and the facts
    of the step: requests per replica, the failing requests, and per test who answered."""
    answered: dict[str, dict[str, Any]] = {}
    annotated = []
    for case in cases:
        found = _failing_request(case, logged) if case.outcome in ("failed", "error") else None
        if found is None:
            annotated.append(case)
            continue
        request, previous = found
        answered[case.id] = {"answered_by": request.replica, "status": request.status,
                             "previous_by": previous.replica if previous else None, "replicas": replicas,
                             "request": f"{request.method} {request.uri}"}
        annotated.append(case.model_copy(update={"message": f"{case.message}\n{_sentence(request, previous)}"}))
    facts: dict[str, Any] = {
        "replicas": replicas,
        "requests_by_replica": dict(sorted(Counter(r.replica or "none" for r in logged).items())),
        "failed_requests": [r.describe() for r in logged if r.failed][:MAX_LISTED],
    }
    if answered:
        facts["answered_by"] = answered
    return annotated, facts


def _failing_request(case: TestCase, logged: list[LoggedRequest]) -> tuple[LoggedRequest, LoggedRequest | None] | None:
    """The failing request a failing case is about, and the request the balancer took before it."""
    if case.id.startswith("http:"):
        matches = [(1, i) for i, r in enumerate(logged) if r.check_id == case.id]
    else:
        matches = [(score, i) for i, r in enumerate(logged)
                   if r.failed and r.check_id is None and (score := _quotes(case.message, r))]
    if not matches:
        return None
    # The request quoted with its method beats one whose path only appears (in quoted code, say).
    _, index = max(matches)
    if case.id.startswith("http:"):
        return logged[index], None  # parity's checks are one request each: nothing came before
    earlier = [r for r in logged[:index] if r.check_id is None]
    return logged[index], (earlier[-1] if earlier else None)


def _quotes(message: str, request: LoggedRequest) -> int:
    """How clearly a test's message names this request: 3 with its method in the first line (the
    assertion), 2 with its method further down (quoted code), 1 by its path alone, 0 not at all
    (a bare `/` counts only with its method)."""
    path = re.escape(request.path)
    end = r"(?![\w/.-])" if request.path != "/" else r"(?=\s|$|\?|:)"
    with_method = re.compile(rf"\b{re.escape(request.method)} {path}{end}")
    headline = next((line for line in message.splitlines() if line.strip()), "")
    if with_method.search(headline):
        return 3
    if with_method.search(message):
        return 2
    if request.path != "/" and re.search(rf"(?<![\w/.-]){path}{end}", message):
        return 1
    return 0


def _sentence(request: LoggedRequest, previous: LoggedRequest | None) -> str:
    text = f"load balancer: {request.describe()}"
    if previous is not None and previous.replica:
        text += (f"; the request before it ({previous.method} {previous.uri} -> {previous.status}) "
                 f"was answered by {previous.replica}")
    return text
