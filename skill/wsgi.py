"""The WSGI entry point, for running the verified endpoint under a server of your choice.

``voiceshop serve`` is the supported way (waitress with the limits of ``skill/server.py``). Elsewhere:
``waitress-serve --host 127.0.0.1 --port 5000 skill.wsgi:app``, or ``gunicorn 'skill.wsgi:app'``
behind a buffering proxy. The app refuses an oversized body with 400 under any server; timeouts and
the thread cap are the server's to set. Importing this module builds the app (the trust store is read
now); the shop connects on the first request.
"""

from __future__ import annotations

from skill.lambda_function import create_web_app

__all__ = ["app"]

app = create_web_app()
