"""Content-Encoding decoding with a cap on decoded bytes that holds *while* decoding.

httpx decodes a whole network chunk at once: one 64 KB read of a brotli bomb inflates to hundreds
of megabytes before any byte counter sees it (brotli reaches ~5,000:1 on filler, gzip ~1,000:1).
Here every decompressor call is limited to ``STEP`` bytes of output, so at most ``limit + STEP``
decoded bytes ever exist, whatever the ratio. Only the encodings newsmon advertises in
``Accept-Encoding`` are decoded; a server that answers with another one gets a decode error
instead of being trusted.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

import brotli

ACCEPT_ENCODING = "gzip, deflate, br"
STEP = 256 * 1024
"""Largest output of one decompressor call."""


class BodyTooLarge(Exception):
    """The decoded body passed the cap; ``decoded`` is how far decoding got (≤ limit + STEP)."""

    def __init__(self, limit: int, decoded: int) -> None:
        super().__init__(f"body over {limit} bytes (decoded)")
        self.limit = limit
        self.decoded = decoded


class BodyDecodeError(Exception):
    """The body is not valid for its Content-Encoding, or the encoding is not one we asked for."""


_Stage = Callable[[bytes, bool], Iterator[bytes]]
"""One decoding step: ``(data, final)`` to decoded pieces of at most ``STEP`` bytes."""


class _ZlibStage:
    """gzip (``wbits`` 31) or deflate (zlib-wrapped, falling back to raw deflate as browsers do)."""

    def __init__(self, wbits: int, raw_fallback: bool) -> None:
        self._d = zlib.decompressobj(wbits)
        self._raw_fallback = raw_fallback
        self._started = False

    def __call__(self, data: bytes, final: bool) -> Iterator[bytes]:
        buf = data
        while buf and not self._d.eof:
            try:
                out = self._d.decompress(buf, STEP)
            except zlib.error as exc:
                if self._raw_fallback and not self._started:
                    self._d, self._raw_fallback = zlib.decompressobj(-zlib.MAX_WBITS), False
                    continue
                raise BodyDecodeError(f"invalid compressed body: {exc}") from None
            self._started = True
            if out:
                yield out
            buf = self._d.unconsumed_tail
        if final and not self._d.eof:
            try:
                rest = self._d.flush()
            except zlib.error as exc:
                raise BodyDecodeError(f"invalid compressed body: {exc}") from None
            if rest:
                yield rest


def _brotli_stage() -> _Stage:
    d = brotli.Decompressor()

    def stage(data: bytes, final: bool) -> Iterator[bytes]:
        try:
            if data and (first := d.process(data, output_buffer_limit=STEP)):
                yield first
            # with a limit the decoder keeps the rest of its output: drain it in steps
            # (``can_accept_more_data`` turns true before the pending output is gone)
            while out := d.process(b"", output_buffer_limit=STEP):
                yield out
        except brotli.error as exc:
            raise BodyDecodeError(f"invalid brotli body: {exc}") from None

    return stage


def _identity_stage(data: bytes, final: bool) -> Iterator[bytes]:
    if data:
        yield data


def _stage_for(coding: str) -> _Stage:
    if coding in ("gzip", "x-gzip"):
        return _ZlibStage(zlib.MAX_WBITS | 16, raw_fallback=False)
    if coding == "deflate":
        return _ZlibStage(zlib.MAX_WBITS, raw_fallback=True)
    if coding == "br":
        return _brotli_stage()
    if coding == "identity":
        return _identity_stage
    raise BodyDecodeError(f"unrequested Content-Encoding {coding!r}")


class BoundedBody:
    """Decode a streamed body through its Content-Encoding chain, keeping at most ``limit`` bytes.

    ``feed`` raw network chunks, then ``finish`` for the body; either raises ``BodyTooLarge`` as
    soon as the decoded total passes ``limit`` and ``BodyDecodeError`` on a corrupt stream.
    """

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        # the last coding applied is the first to undo
        self._stages = [_stage_for(c) for c in reversed(codings)]
        self.limit = limit
        self.total = 0
        self._chunks: list[bytes] = []

    def feed(self, data: bytes) -> None:
        """Decode one raw chunk."""
        self._push(data, final=False)

    def finish(self) -> bytes:
        """Flush the decoders and return the decoded body."""
        self._push(b"", final=True)
        return b"".join(self._chunks)

    def _push(self, data: bytes, *, final: bool) -> None:
        for piece in self._run(0, data, final):
            self.total += len(piece)
            if self.total > self.limit:
                self._chunks.clear()
                raise BodyTooLarge(self.limit, self.total)
            self._chunks.append(piece)

    def _run(self, index: int, data: bytes, final: bool) -> Iterator[bytes]:
        if index == len(self._stages):
            if data:
                yield data
            return
        for piece in self._stages[index](data, final):
            yield from self._run(index + 1, piece, False)
        if final:
            yield from self._run(index + 1, b"", True)
