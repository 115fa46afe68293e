"""Raw deflate streams (zip members) inflated: by ISA-L (python-isal) where it is installed —
about twice as fast as zlib on a journal sheet (`benchmarks/bench_check.py`) — else by zlib.

    inflater = decompressobj()         # the zlib interface: decompress(data, max_length), …
    xml = inflate(raw)
"""

from __future__ import annotations

import zlib
from types import ModuleType
from typing import Any

_impl: ModuleType = zlib
ERRORS: tuple[type[Exception], ...] = (zlib.error,)
try:
    from isal import isal_zlib
except ImportError:  # a platform without an isal wheel: the standard library's zlib
    pass
else:
    _impl, ERRORS = isal_zlib, (zlib.error, isal_zlib.error)  # type: ignore[assignment]


def decompressobj() -> Any:
    """An inflater of a raw deflate stream (no zlib header), as `zlib.decompressobj(-15)`."""
    return _impl.decompressobj(-15)


def inflate(raw: bytes) -> bytes:
    """A whole raw deflate stream, inflated."""
    data: bytes = _impl.decompress(raw, -15)
    return data
