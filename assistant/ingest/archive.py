"""Word archives: the checks a .docx (a zip of XML parts) passes before anything inflates it.

zipfile, which python-docx reads through, inflates a whole part in one piece and only then
compares it with the size the archive declares: a part of 1 MB that declares 10 KB and inflates
to 1 GB takes 1 GB of memory before it is refused. `check_docx` reads the archive's directory
first (how many parts, their declared sizes, whether deflate could reach them), then inflates
each part in small pieces, counting, and refuses it as soon as it passes its declared size; so
what python-docx later inflates is no more than the declared sizes, which are capped.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from assistant.errors import SourceError

# Deflate cannot inflate more than 1032 times: a part declaring more lies about its size.
_DEFLATE_MAX_RATIO = 1032
_PIECE = 1 << 16  # inflate in pieces of this size, never a whole part at once


def check_docx(data: bytes, *, max_parts: int, max_inflated: int, max_markup: int) -> None:
    """Refuse a .docx that declares over `max_parts` parts, over `max_inflated` bytes in all,
    over `max_markup` bytes of XML, or a part that inflates past what it declares."""
    parts = _declared_parts(data)
    if parts > max_parts:
        raise SourceError(
            f"the .docx declares {parts} parts (Word writes a few dozen); refused as unsafe"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise SourceError("not a valid .docx (not a zip archive)") from None
    for info in infos:
        _check_declared(info)
    inflated = sum(info.file_size for info in infos)
    markup = sum(info.file_size for info in infos if info.filename.endswith((".xml", ".rels")))
    if inflated > max_inflated or markup > max_markup:
        raise SourceError(
            f"the .docx would inflate to {max(inflated, markup)} bytes; refused as unsafe"
        )
    for info in infos:
        _check_inflated(data, info)


def _declared_parts(data: bytes) -> int:
    """The number of entries the zip's end record declares (zip64 too); 0 if it has none."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        return 0  # zipfile says it is no zip
    (count,) = struct.unpack_from("<H", data, end + 10)
    locator = end - 20
    if count == 0xFFFF and locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        if data[record : record + 4] == b"PK\x06\x06" and len(data) >= record + 40:
            (count,) = struct.unpack_from("<Q", data, record + 32)
    return int(count)


def _check_declared(info: zipfile.ZipInfo) -> None:
    """Refuse a part whose directory entry cannot be true of a Word document."""
    name = info.filename
    if info.flag_bits & 0x1:
        raise SourceError(f"part {name!r} of the .docx is encrypted; it cannot be read")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise SourceError(
            f"part {name!r} of the .docx uses compression method {info.compress_type}, "
            "which Word never writes; refused as unsafe"
        )
    honest = (
        info.compress_size
        if info.compress_type == zipfile.ZIP_STORED
        else _DEFLATE_MAX_RATIO * info.compress_size + 1024
    )
    if info.file_size > honest:
        raise SourceError(
            f"part {name!r} of the .docx declares {info.file_size} bytes from "
            f"{info.compress_size}, more than it could inflate to; refused as unsafe"
        )


def _check_inflated(data: bytes, info: zipfile.ZipInfo) -> None:
    """Inflate one part in pieces; refuse it once it passes the size its entry declares."""
    name = info.filename
    header = data[info.header_offset : info.header_offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise SourceError(f"not a valid .docx (part {name!r} is damaged)")
    if info.compress_type == zipfile.ZIP_STORED:
        return  # stored: its size is what the directory says, checked above
    name_length, extra_length = struct.unpack_from("<HH", header, 26)
    start = info.header_offset + 30 + name_length + extra_length
    packed = memoryview(data)[start : start + info.compress_size]
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    inflated = 0
    try:
        for at in range(0, len(packed), _PIECE):
            piece: bytes | memoryview = packed[at : at + _PIECE]
            while piece and not inflater.eof:
                inflated += len(inflater.decompress(piece, _PIECE))
                if inflated > info.file_size:
                    raise SourceError(
                        f"part {name!r} of the .docx would inflate past the {info.file_size} "
                        "bytes it declares; refused as unsafe"
                    )
                piece = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        raise SourceError(f"not a valid .docx (part {name!r} is damaged)") from None
