"""Reading files as hostile input: size limits, binary content, encodings."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from codeward.findings import Span

MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ReadError:
    code: str
    message: str
    span: Span


def decode(data: bytes) -> str | ReadError:
    """Decode UTF-8 (UTF-16/32 when a byte-order mark says so) or say where the bytes stop being text."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
        nul = data.find(b"\0", 0, 8192)
        if nul >= 0:
            return ReadError(
                "CWF006", "binary file (it contains NUL bytes); expected YAML or JSON text", _where(data, nul)
            )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        return ReadError(
            "CWF006",
            f"not valid {encoding.removesuffix('-sig').upper()} text: byte 0x{data[exc.start]:02x} cannot be decoded",
            _where(data, exc.start),
        )
    # Normalise line ends so positions match what editors show.
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _where(data: bytes, offset: int) -> Span:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", "replace")) + 1
    return Span.point(line, column)


def read_text(path: str, max_bytes: int = MAX_BYTES) -> str | ReadError:
    from codeward.safepaths import read_refusal

    refused = read_refusal(path)
    if refused is not None:
        return ReadError("CWF012", refused, Span(1, 1, 1, 1))
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        return ReadError("CWF012", "no such file", Span(1, 1, 1, 1))
    except IsADirectoryError:
        return ReadError("CWF012", "is a directory, not a file", Span(1, 1, 1, 1))
    except OSError as exc:
        return ReadError("CWF012", f"cannot read the file: {exc.strerror or exc}", Span(1, 1, 1, 1))
    if len(data) > max_bytes:
        return ReadError(
            "CWF005",
            f"file is larger than the {max_bytes // (1024 * 1024)} MiB limit; definition files are far smaller",
            Span(1, 1, 1, 1),
        )
    return decode(data)
