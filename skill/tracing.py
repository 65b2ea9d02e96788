"""X-Ray subsegments through Powertools Tracer, made only where Lambda's X-Ray daemon listens.

`Tracer()` always imports `aws_xray_sdk.core`, even when tracing is off, and that import builds the
SDK's global recorder. Outside Lambda (no `LAMBDA_TASK_ROOT`) the recorder makes a centralized-sampling
botocore client for the X-Ray service: a second botocore session that loads `endpoints.json` and the
xray service model, ~0.2-1.2 s on this project's machines, which is what an earlier measurement saw and
why Tracer was once left out. Inside Lambda the recorder takes the local sampler instead and the import
costs tens of milliseconds. So the Tracer is made only inside Lambda, never under `sam local` or when
`POWERTOOLS_TRACE_DISABLED` is truthy, and it patches botocore alone (PynamoDB's and boto3's calls go
through it), never `patch_all()`, which would import requests, httplib, sqlite3 and the rest.

The web service, the simulator, the kiosk and the tests import nothing of the X-Ray SDK.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["PATCHED_MODULES", "lambda_tracer", "traced", "tracing_wanted"]

PATCHED_MODULES = ("botocore",)
"""The only library patched: every DynamoDB call (PynamoDB, boto3) goes through botocore."""

_TRUTHY = {"1", "t", "true", "y", "yes", "on"}  # as Powertools reads it (strtobool)


def tracing_wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """True in a Lambda function (not `sam local`, not Chalice) unless POWERTOOLS_TRACE_DISABLED is set."""
    if environ.get("POWERTOOLS_TRACE_DISABLED", "").strip().lower() in _TRUTHY:
        return False
    if environ.get("AWS_SAM_LOCAL") or environ.get("AWS_CHALICE_CLI_MODE"):
        return False
    return bool(environ.get("LAMBDA_TASK_ROOT"))


def lambda_tracer(service: str, environ: Mapping[str, str] = os.environ) -> Any | None:
    """A Tracer patching botocore only, or None where tracing is unwanted or aws-xray-sdk is missing.

    A missing SDK is not an error: the function still answers, with Lambda's own segments only.
    """
    if not tracing_wanted(environ):
        return None
    try:
        import aws_xray_sdk.core  # noqa: F401 - Powertools imports it lazily and fails late without it
        from aws_lambda_powertools import Tracer
    except ImportError:
        return None
    return Tracer(service=service, patch_modules=list(PATCHED_MODULES))


def traced(handler: Callable[[dict, Any], dict], tracer: Any | None) -> Callable[[dict, Any], dict]:
    """The handler inside a `## lambda_handler` subsegment (cold start annotated), or as it is without a tracer.

    The response is not captured as metadata: it holds what the shop said to a customer (products, totals).
    """
    if tracer is None:
        return handler
    wrapped: Callable[[dict, Any], dict] = tracer.capture_lambda_handler(handler, capture_response=False)
    return wrapped
