"""Process tuning applied once the app has started.

Everything loaded at start-up (modules, the schema, the ORM's metadata) lives as long as the
process: `gc.freeze()` moves it out of the collector's sight, so a collection no longer walks
it. A higher generation-0 threshold makes collections rarer: a GraphQL response allocates many
short-lived objects, and with the default (700) concurrent requests trigger collections that
walk each other's live objects, which makes per-request cost grow with concurrency.
"""

from __future__ import annotations

import gc

GEN0_THRESHOLD = 50_000


def tune_garbage_collector() -> None:
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
