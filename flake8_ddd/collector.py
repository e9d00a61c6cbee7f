"""The cyclic garbage collector, paused where it would only walk the heap in vain.

Checking a file leaves no reference cycle behind (``FileContext.release``; a test checks it), and
neither does reading a JSON document, so reference counting frees all of it; what the collector
would do meanwhile is traverse every live object again on each full collection, which after a
large project's index and result cache are loaded is most of the time spent.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No collection meanwhile; the collector is on again after, if it was before."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
