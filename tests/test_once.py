"""Tables built once: many threads asking at the same time make one build."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from summarise.text.once import built_once


def test_threads_asking_together_share_one_build():
    builds = []
    started = threading.Barrier(8)

    @built_once
    def table() -> dict[str, int]:
        builds.append(1)
        time.sleep(0.05)  # long enough for every other thread to arrive while it builds
        return {"built": len(builds)}

    def ask() -> dict[str, int]:
        started.wait()
        return table()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: ask(), range(8)))
    assert len(builds) == 1
    assert all(result is results[0] for result in results)


def test_the_entity_tables_are_built_once_per_process():
    from summarise.text.entities.matching import _entities

    assert _entities() is _entities()
