"""The files plugin (conton.files.v1.Files) from the Python reference client, against a real
release server: clients created with conton.clients.v1.Clients/CreateClient, portal logins,
50 MiB round trips with SHA-256 checked end to end, a killed connection resumed, a cancelled
upload, oversize and wrong-hash refusals, client isolation, and the server's memory during a
512 MiB upload (read from /proc)."""
import hashlib
import os
import random
import socket
import time

import pytest

from conton_client import ContonError, StatusCode
from conton_client.gen.conton.clients.v1 import clients_pb2
from conton_client.gen.conton.files.v1 import files_pb2
from conton_client.gen.conton.identity.v1 import identity_pb2

from conftest import start_server, stop_server

MiB = 1 << 20
OWNER, PASSWORD = "owner@example.com", "correct horse 42"
FILES = "conton.files.v1.Files/"


@pytest.fixture(scope="module")
def files_server():
    """A server of its own: a known owner password, files up to 600 MiB (the 512 MiB test)."""
    wanted = {"CONTON_OWNER_EMAIL": OWNER, "CONTON_OWNER_PASSWORD": PASSWORD}
    saved = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    try:
        s = start_server(extra=["--files-max-file-bytes", str(600 * MiB)])
    finally:
        for k, v in saved.items():
            if v is None:
                del os.environ[k]
            else:
                os.environ[k] = v
    yield s
    stop_server(s)


def login(server, email, password):
    with server.channel() as ch:
        return ch.unary("conton.identity.v1.Identity/Login",
                        identity_pb2.LoginRequest(email=email, password=password)).token


@pytest.fixture(scope="module")
def staff(files_server):
    ch = files_server.channel(token=login(files_server, OWNER, PASSWORD))
    yield ch
    ch.close()


def create_client(server, staff, name, cnpj, email):
    """A PJ client with a portal login (initial password, changed at once); its id and a channel
    signed in as it."""
    client = clients_pb2.Client(person_type=clients_pb2.PERSON_TYPE_COMPANY, name=name, document=cnpj, email=email)
    access = clients_pb2.SetClientAccessRequest(email=email, initial_password="initial password 1")
    created = staff.unary("conton.clients.v1.Clients/CreateClient",
                          clients_pb2.CreateClientRequest(client=client, access=access)).client
    with server.channel(token=login(server, email, "initial password 1")) as ch:
        token = ch.unary("conton.identity.v1.Identity/ChangePassword",
                         identity_pb2.ChangePasswordRequest(current_password="initial password 1",
                                                            new_password="my own password 2")).token
    return created.id, server.channel(token=token)


@pytest.fixture(scope="module")
def client_a(files_server, staff):
    cid, ch = create_client(files_server, staff, "Padaria Pão Quente Ltda", "11.444.777/0001-61", "a@example.com")
    yield cid, ch
    ch.close()


@pytest.fixture(scope="module")
def client_b(files_server, staff):
    cid, ch = create_client(files_server, staff, "Oficina do Zé Ltda", "11.222.333/0001-81", "b@example.com")
    yield cid, ch
    ch.close()


class Content:
    """Deterministic content produced a chunk at a time (never held whole)."""

    def __init__(self, size, seed=1):
        self.size, self.seed = size, seed
        self._block = random.Random(seed).randbytes(MiB)

    def chunks(self, offset=0):
        position = offset
        while position < self.size:
            index = position // MiB
            start = position - index * MiB
            block = index.to_bytes(8, "big") + self._block[8:]
            piece = block[start:min(MiB, self.size - index * MiB)]
            yield piece
            position += len(piece)

    def sha256(self):
        h = hashlib.sha256()
        for c in self.chunks():
            h.update(c)
        return h.hexdigest()


def upload_requests(metadata, content, offset=0):
    yield files_pb2.UploadRequest(metadata=metadata)
    for c in content.chunks(offset):
        yield files_pb2.UploadRequest(chunk=c)


def upload(ch, content, declare_hash=True, **fields):
    metadata = files_pb2.UploadMetadata(size=content.size, **fields)
    if declare_hash:
        metadata.sha256 = content.sha256()
    return ch.client_stream(FILES + "Upload", upload_requests(metadata, content)).file


def download(ch, file_id, offset=0):
    """(metadata, sha256 hex, bytes received)."""
    h, n, meta = hashlib.sha256(), 0, None
    for r in ch.server_stream(FILES + "Download", files_pb2.DownloadRequest(file_id=file_id, offset=offset)):
        if r.WhichOneof("data") == "metadata":
            meta = r.metadata
        else:
            assert len(r.chunk) <= MiB
            h.update(r.chunk)
            n += len(r.chunk)
    return meta, h.hexdigest(), n


def status(ch, upload_id):
    return ch.unary(FILES + "GetUploadStatus", files_pb2.GetUploadStatusRequest(upload_id=upload_id))


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def rss_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s in /proc/%d/status" % (field, pid))


def test_fifty_mib_round_trip_with_sha256_end_to_end(staff, client_a):
    cid, _ = client_a
    content = Content(50 * MiB + 4321, seed=50)
    expected = content.sha256()
    t = time.monotonic()
    f = upload(staff, content, client_id=cid, file_name="balanço 2025.pdf")
    up = time.monotonic() - t
    assert f.sha256 == expected and f.size == content.size
    assert f.client_id == cid and f.folder_id == "general"
    assert f.direction == files_pb2.FILE_DIRECTION_OFFICE_TO_CLIENT
    t = time.monotonic()
    meta, sha, n = download(staff, f.id)
    down = time.monotonic() - t
    assert (sha, n) == (expected, content.size)
    assert meta.file.id == f.id and meta.offset == 0
    print("50 MiB: upload %.0f MiB/s, download %.0f MiB/s" % (50 / up, 50 / down))


def test_client_sends_into_received_and_b_sees_nothing_of_a(staff, client_a, client_b):
    a_id, a = client_a
    b_id, b = client_b
    office = upload(staff, Content(3000, seed=2), client_id=a_id, file_name="guia.pdf")
    mine = upload(a, Content(2000, seed=3), file_name="extrato.ofx")
    assert mine.client_id == a_id and mine.folder_id == "received"
    assert mine.direction == files_pb2.FILE_DIRECTION_CLIENT_TO_OFFICE

    listed = {x.id for x in a.unary(FILES + "ListFiles", files_pb2.ListFilesRequest()).files}
    assert {office.id, mine.id} <= listed
    assert not [x for x in b.unary(FILES + "ListFiles", files_pb2.ListFilesRequest()).files if x.client_id == a_id]
    for call in (lambda: b.unary(FILES + "ListFiles", files_pb2.ListFilesRequest(client_id=a_id)),
                 lambda: b.unary(FILES + "GetFile", files_pb2.GetFileRequest(file_id=office.id)),
                 lambda: download(b, office.id),
                 lambda: download(b, mine.id),
                 lambda: upload(b, Content(10), client_id=a_id, file_name="x.txt")):
        with pytest.raises(ContonError) as e:
            call()
        assert e.value.code == StatusCode.NOT_FOUND

    # The client's first complete download of what the office sent is the read receipt.
    assert download(a, office.id)[1] == office.sha256
    again = staff.unary(FILES + "GetFile", files_pb2.GetFileRequest(file_id=office.id)).file
    assert again.read_at_ms > 0
    # The client cannot delete; staff can, and the client's files go with their rows.
    with pytest.raises(ContonError) as e:
        a.unary(FILES + "DeleteFile", files_pb2.DeleteFileRequest(file_id=mine.id))
    assert e.value.code == StatusCode.PERMISSION_DENIED
    # While a client has files, it cannot be deleted (the files plugin's references).
    with pytest.raises(ContonError) as e:
        staff.unary("conton.clients.v1.Clients/DeleteClient", clients_pb2.DeleteClientRequest(client_id=a_id))
    assert e.value.code == StatusCode.FAILED_PRECONDITION and "files" in e.value.message


def test_killed_connection_resumes_from_upload_status(files_server, staff, client_a):
    cid, _ = client_a
    content = Content(12 * MiB + 77, seed=12)
    metadata = files_pb2.UploadMetadata(client_id=cid, file_name="folha.zip", size=content.size, sha256=content.sha256())
    ch = files_server.channel(token=staff._token)
    call = ch.bidi(FILES + "Upload")
    call.send(files_pb2.UploadRequest(metadata=metadata))
    upload_id = dict(call.initial_metadata)["upload-id"]
    chunks = content.chunks()
    for _ in range(5):
        call.send(files_pb2.UploadRequest(chunk=next(chunks)))
    assert wait_until(lambda: status(staff, upload_id).received_bytes == 5 * MiB)
    ch._raw.shutdown(socket.SHUT_RDWR)  # the connection dies: no CANCEL, no half-close
    ch._raw.close()
    with pytest.raises(ContonError) as e:
        call.result()
    assert e.value.code == StatusCode.UNAVAILABLE

    assert wait_until(lambda: not status(staff, upload_id).in_progress)
    received = status(staff, upload_id).received_bytes
    assert received == 5 * MiB
    resume = files_pb2.UploadMetadata(upload_id=upload_id, offset=received)
    f = staff.client_stream(FILES + "Upload", upload_requests(resume, content, offset=received)).file
    assert f.sha256 == content.sha256() and f.size == content.size and f.file_name == "folha.zip"
    assert download(staff, f.id)[1] == f.sha256
    with pytest.raises(ContonError) as e:
        status(staff, upload_id)
    assert e.value.code == StatusCode.NOT_FOUND


def test_cancelled_upload_leaves_no_row(staff, client_a):
    cid, _ = client_a
    before = len(staff.unary(FILES + "ListFiles", files_pb2.ListFilesRequest(client_id=cid, page_size=500)).files)
    content = Content(8 * MiB, seed=8)
    call = staff.bidi(FILES + "Upload")
    call.send(files_pb2.UploadRequest(metadata=files_pb2.UploadMetadata(client_id=cid, file_name="c.bin", size=content.size)))
    upload_id = dict(call.initial_metadata)["upload-id"]
    chunks = content.chunks()
    for _ in range(3):
        call.send(files_pb2.UploadRequest(chunk=next(chunks)))
    assert wait_until(lambda: status(staff, upload_id).received_bytes == 3 * MiB)
    call.cancel()
    assert wait_until(lambda: not status(staff, upload_id).in_progress)
    after = staff.unary(FILES + "ListFiles", files_pb2.ListFilesRequest(client_id=cid, page_size=500)).files
    assert len(after) == before and not [f for f in after if f.file_name == "c.bin"]
    # Resumable for 24 h (then swept: FilesTransferTests moves the clock), never a row until complete.
    assert status(staff, upload_id).expires_at_ms > time.time() * 1000 + 23 * 3600 * 1000


def test_oversize_is_refused_before_it_is_all_sent(staff, client_a):
    cid, _ = client_a
    with pytest.raises(ContonError) as e:
        upload(staff, Content(700 * MiB), declare_hash=False, client_id=cid, file_name="big.bin")
    assert e.value.code == StatusCode.RESOURCE_EXHAUSTED

    sent = [0]
    block = Content(MiB).chunks().__next__()

    def lying():
        yield files_pb2.UploadRequest(metadata=files_pb2.UploadMetadata(client_id=cid, file_name="liar.bin", size=2 * MiB))
        for _ in range(1024):
            sent[0] += 1
            yield files_pb2.UploadRequest(chunk=block)

    with pytest.raises(ContonError) as e:
        staff.client_stream(FILES + "Upload", lying())
    assert e.value.code == StatusCode.INVALID_ARGUMENT
    assert sent[0] < 1024, "the whole GiB was sent: the server did not stop the upload"


def test_wrong_declared_hash_is_data_loss_and_keeps_nothing(files_server, staff, client_a):
    cid, _ = client_a
    metadata = files_pb2.UploadMetadata(client_id=cid, file_name="x.pdf", size=3 * MiB, sha256="ab" * 32)
    with pytest.raises(ContonError) as e:
        staff.client_stream(FILES + "Upload", upload_requests(metadata, Content(3 * MiB, seed=77)))
    assert e.value.code == StatusCode.DATA_LOSS
    files = staff.unary(FILES + "ListFiles", files_pb2.ListFilesRequest(name_contains="x.pdf")).files
    assert not files
    # Its .part is gone at once (not kept for resuming): only other tests' resumable uploads remain.
    uploads = os.path.join(files_server.data, "blobs", "files", "uploads")
    descriptions = [n for n in os.listdir(uploads) if n.endswith(".json")]
    assert not [n for n in descriptions if '"fileName":"x.pdf"' in open(os.path.join(uploads, n)).read()]


# The transport stops reading a connection while its calls' handlers hold more than 4 MiB of
# unconsumed messages (ServerConnectionHandler's inbound backpressure): without it the server's
# memory grew with the lag between client and disk (+200 to +260 MiB measured here).
def test_server_memory_stays_flat_during_a_512_mib_upload(files_server, staff, client_a):
    cid, _ = client_a
    pid = files_server.proc.pid
    upload(staff, Content(16 * MiB, seed=1), declare_hash=False, client_id=cid, file_name="warm-up.bin")
    base = rss_kib(pid, "VmRSS")
    peak = [base]
    content = Content(512 * MiB, seed=512)

    def requests():
        yield files_pb2.UploadRequest(metadata=files_pb2.UploadMetadata(client_id=cid, file_name="grande.bin", size=content.size))
        for i, c in enumerate(content.chunks()):
            if i % 16 == 0:
                peak[0] = max(peak[0], rss_kib(pid, "VmRSS"))
            yield files_pb2.UploadRequest(chunk=c)

    t = time.monotonic()
    f = staff.client_stream(FILES + "Upload", requests()).file
    elapsed = time.monotonic() - t
    peak[0] = max(peak[0], rss_kib(pid, "VmRSS"))
    assert f.size == content.size
    growth_mib = (peak[0] - base) / 1024
    print("512 MiB upload in %.1f s (%.0f MiB/s); server RSS %d MiB before, peak %d MiB (+%.0f MiB)"
          % (elapsed, 512 / elapsed, base // 1024, peak[0] // 1024, growth_mib))
    assert growth_mib < 64, "server RSS grew by %.0f MiB during a 512 MiB upload" % growth_mib
    staff.unary(FILES + "DeleteFile", files_pb2.DeleteFileRequest(file_id=f.id))
