"""Zip bombs: small archives that expand into gigabytes are refused from their central directory,
before anything is decompressed, with a French message naming the file; memory stays low."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.casework.services.followup import check_upload
from maillage.core import archives
from maillage.directory.interop import files as interop_files
from maillage.directory.interop.report import FileRefused

MB = 1024 * 1024


def zip_of(entries: dict[str, int | bytes], *, stored: tuple[str, ...] = ()) -> bytes:
    """A zip built in memory by chunks: an int is that many zero bytes, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            compression = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            if isinstance(content, bytes):
                archive.writestr(zipfile.ZipInfo(name), content, compress_type=compression)
                continue
            info = zipfile.ZipInfo(name)
            info.compress_type = compression
            with archive.open(info, "w", force_zip64=content > 1024 * MB) as entry:
                chunk = bytes(MB)
                for _ in range(content // MB):
                    entry.write(chunk)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb_200mb():
    return zip_of({"structures.json": 200 * MB})


def _peak_memory(function) -> tuple[int, Exception | None]:
    tracemalloc.start()
    error = None
    try:
        function()
    except Exception as exc:  # noqa: BLE001 — the refusal is what the test looks at
        error = exc
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, error


def test_an_import_zip_bomb_is_refused_without_decompressing_it(bomb_200mb):
    assert len(bomb_200mb) < 300 * 1024  # the attack: a few hundred kilobytes
    peak, error = _peak_memory(lambda: interop_files.collect_files({"annuaire.zip": bomb_200mb}))
    assert isinstance(error, FileRefused)
    assert "« annuaire.zip »" in error.message and "compressé plus de" in error.message
    assert peak < 20 * MB


def test_an_import_zip_with_too_many_entries_is_refused():
    many = zip_of({f"f{i}.csv": b"id\n" for i in range(interop_files.IMPORT_ARCHIVE_LIMITS.max_entries + 1)})
    with pytest.raises(FileRefused, match="l'archive contient .* fichiers"):
        interop_files.collect_files({"paquet.zip": many})


def test_an_import_zip_too_large_once_decompressed_is_refused():
    # Stored, not compressed: no ratio to catch, the total is.
    limits = archives.ArchiveLimits(max_entries=10, max_total_bytes=3 * MB, max_ratio=100)
    data = zip_of({"a.csv": 2 * MB, "b.csv": 2 * MB}, stored=("a.csv", "b.csv"))
    with pytest.raises(archives.ArchiveRefused, match="une fois décompressé, il dépasserait 3 Mo"):
        archives.open_zip(data, name="paquet.zip", limits=limits)


def test_an_entry_lying_about_its_size_is_cut_at_the_limit():
    data = zip_of({"services.json": 4 * MB})
    archive = zipfile.ZipFile(io.BytesIO(data))
    with pytest.raises(archives.ArchiveRefused, match="« services.json » de l'archive « x.zip » est trop volumineux"):
        archives.read_entry(archive, "services.json", name="x.zip", max_bytes=MB)


def test_an_ordinary_import_zip_still_opens():
    data = zip_of({"services.csv": b"id,name\n1,Portage\n", "organizations.csv": b"id,name\n1,CCAS\n"})
    files = interop_files.collect_files({"paquet.zip": data})
    assert files["services.csv"].startswith(b"id,name")


@pytest.mark.parametrize("bomb_entry", ["mimetype", "word/document.xml"])
def test_a_document_zip_bomb_is_refused_without_blowing_up_memory(bomb_200mb, bomb_entry):
    """A 300 KB « ODT » whose mimetype entry is 200 MB of zeros took the web process to 744 MB."""
    entries = (
        {"mimetype": 200 * MB}
        if bomb_entry == "mimetype"
        else {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": 200 * MB,
        }
    )
    data = zip_of(entries)
    name = "compte-rendu.odt" if bomb_entry == "mimetype" else "compte-rendu.docx"
    upload = SimpleUploadedFile(name, data)
    peak, error = _peak_memory(lambda: check_upload(upload))
    assert isinstance(error, ValidationError)
    message = " ".join(error.message_dict["file"])
    assert f"Le fichier « {name} » est refusé" in message
    assert peak < 20 * MB  # the upload itself is a few hundred kilobytes


def test_an_ordinary_odt_is_still_accepted():
    data = zip_of({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
    upload = SimpleUploadedFile("lettre.odt", data)
    assert check_upload(upload) == "application/vnd.oasis.opendocument.text"
