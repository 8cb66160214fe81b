"""Reading zip archives someone sent (an import, an ODT or DOCX document) without letting a small
file expand into gigabytes (« zip bomb »): every archive is checked from its central directory
before anything is decompressed (entry count, total uncompressed size, compression ratio of each
entry), and an entry is read in chunks, never past the size allowed, whatever its header says.

Refusals are `ArchiveRefused` with a French message naming the file and the reason.
"""

import io
import zipfile
from dataclasses import dataclass

# An entry whose uncompressed size is below this is never refused for its ratio: small files of
# spaces or zeros compress very well and are harmless.
RATIO_FLOOR_BYTES = 1024 * 1024
_CHUNK = 64 * 1024


class ArchiveRefused(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ArchiveLimits:
    max_entries: int
    max_total_bytes: int  # every entry, uncompressed
    max_ratio: int  # uncompressed / compressed, per entry


def _megabytes(size: int) -> str:
    if size < 1024:
        return f"{size} octets"
    if size < 1024 * 1024:
        return f"{size // 1024} Ko"
    return f"{size // (1024 * 1024)} Mo"


def open_zip(data: bytes | io.IOBase, *, name: str, limits: ArchiveLimits) -> zipfile.ZipFile:
    """The archive, once its central directory is within `limits`; BadZipFile when it is not a zip."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    archive = zipfile.ZipFile(stream)
    try:
        check_zip(archive, name=name, limits=limits)
    except ArchiveRefused:
        archive.close()
        raise
    return archive


def check_zip(archive: zipfile.ZipFile, *, name: str, limits: ArchiveLimits) -> None:
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise ArchiveRefused(
            f"Le fichier « {name} » est refusé : l'archive contient {len(infos)} fichiers "
            f"(au plus {limits.max_entries})."
        )
    total = 0
    for info in infos:
        total += info.file_size
        if total > limits.max_total_bytes:
            raise ArchiveRefused(
                f"Le fichier « {name} » est refusé : une fois décompressé, il dépasserait "
                f"{_megabytes(limits.max_total_bytes)}."
            )
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ArchiveRefused(
                f"Le fichier « {name} » est refusé : « {info.filename} » y est compressé plus de "
                f"{limits.max_ratio} fois, ce qui signale une archive piégée."
            )


def read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo | str, *, name: str, max_bytes: int) -> bytes:
    """The entry's content, read by chunks and refused as soon as it passes `max_bytes` (the header's
    size is the sender's word)."""
    info = archive.getinfo(info) if isinstance(info, str) else info
    if info.file_size > max_bytes:
        raise ArchiveRefused(
            f"Le fichier « {info.filename} » de l'archive « {name} » est trop volumineux "
            f"(au plus {_megabytes(max_bytes)} une fois décompressé)."
        )
    buffer = bytearray()
    with archive.open(info) as entry:
        while chunk := entry.read(_CHUNK):
            buffer += chunk
            if len(buffer) > max_bytes:
                raise ArchiveRefused(
                    f"Le fichier « {info.filename} » de l'archive « {name} » est trop volumineux "
                    f"(au plus {_megabytes(max_bytes)} une fois décompressé)."
                )
    return bytes(buffer)
