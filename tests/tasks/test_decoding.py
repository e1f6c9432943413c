"""Bounded Content-Encoding decoding: round trips, chains, corrupt streams, and the cap."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from tasks.decoding import STEP, BodyDecodeError, BodyTooLarge, BoundedBody

TEXT = "통신사 AI 동맹 news body ".encode() * 20_000


def _decode(encoding: str | None, data: bytes, limit: int = 10**8, piece: int = 1000) -> bytes:
    body = BoundedBody(encoding, limit)
    for at in range(0, len(data), piece):
        body.feed(data[at : at + piece])
    return body.finish()


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        (None, TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT)),
        ("x-gzip", gzip.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)[2:-4]),  # raw deflate, as some servers send it
        ("br", brotli.compress(TEXT)),
        ("gzip, br", brotli.compress(gzip.compress(TEXT))),
    ],
)
def test_round_trip(encoding: str | None, data: bytes) -> None:
    assert _decode(encoding, data) == TEXT


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_a_bomb_stops_one_step_past_the_cap(encoding: str) -> None:
    zeros = b"\0" * 50_000_000
    data = gzip.compress(zeros) if encoding == "gzip" else brotli.compress(zeros, quality=1)
    body = BoundedBody(encoding, 1_000_000)
    with pytest.raises(BodyTooLarge) as caught:
        body.feed(data)  # the whole compressed body in one chunk
    assert 1_000_000 < caught.value.decoded <= 1_000_000 + 2 * STEP


@pytest.mark.parametrize(
    ("encoding", "data"),
    [("gzip", b"not gzip at all"), ("br", b"\xff" * 64), ("zstd", b"x"), ("compress", b"x")],
)
def test_corrupt_or_unrequested_encodings_are_decode_errors(encoding: str, data: bytes) -> None:
    with pytest.raises(BodyDecodeError):
        _decode(encoding, data)
