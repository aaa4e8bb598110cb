"""Process tuning applied once the app has started.

Everything loaded at start-up (modules, the schema, the ORM's metadata) lives as long as the
process: `gc.freeze()` moves it out of the collector's sight, so a collection no longer walks
it. A higher generation-0 threshold makes collections rarer: a GraphQL response allocates many
short-lived objects, and with the default (700) concurrent requests trigger collections that
walk each other's live objects, which makes per-request cost grow with concurrency.

Not too high, though: a young generation of 50,000 objects took 20-60 ms to collect here, a
pause every request in flight waits for, which put `me`'s p99 at 20-50 ms (p50 about 1 ms).
At 10,000 a collection takes a few milliseconds and the 64-connection cost stays at that of one
connection (bench/RESULTS.md).
"""

from __future__ import annotations

import gc

GEN0_THRESHOLD = 10_000


def tune_garbage_collector() -> None:
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
