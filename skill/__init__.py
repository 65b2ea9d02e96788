"""The Alexa adapter: ask-sdk-core handlers, the Lambda entry point and the verified web service.

Inside Lambda, importing this package pauses Python's cyclic garbage collector until
`skill.lambda_function` has finished importing (it calls `resume_collection`). A cold start imports
~900 modules and the shop's ~80 dataclasses: the collector ran ~100 times during that import and
once more over every object (a full collection, ~30 ms) during the first request, finding next to
nothing, since modules live as long as the process. Resuming freezes what the import made
(`gc.freeze`), so later collections, warm requests included, skip those objects. Outside Lambda
(tests, the web service, the kiosk) nothing changes.
"""

from __future__ import annotations

import gc
import os

__all__ = ["resume_collection"]

_paused = bool(os.environ.get("LAMBDA_TASK_ROOT")) and gc.isenabled()
if _paused:
    gc.disable()


def resume_collection() -> bool:
    """Freeze the objects the import made and turn collection back on; False when it was never paused."""
    global _paused
    if not _paused:
        return False
    _paused = False
    gc.freeze()
    gc.enable()
    return True
