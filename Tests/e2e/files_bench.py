#!/usr/bin/env python3
"""Upload and download throughput of one file over TLS on loopback (conton.files.v1.Files), with
the Python reference client against a release `conton serve`, beside `openssl speed -evp
aes-256-gcm` on one core. Prints wall-clock MiB/s and the server's CPU time per GiB (from
/proc/<pid>/stat), which says what the server costs whatever the client's own speed.

Usage: files_bench.py PATH/TO/conton [SIZE_MIB=256] [ROUNDS=3]
(run from the repository; imports clients/python.)
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "clients", "python"))
from conton_client import Channel  # noqa: E402
from conton_client.gen.conton.clients.v1 import clients_pb2  # noqa: E402
from conton_client.gen.conton.files.v1 import files_pb2  # noqa: E402
from conton_client.gen.conton.identity.v1 import identity_pb2  # noqa: E402
from conton_e2e import BINARY, OWNER, PASSWORD, free_port  # noqa: E402

SIZE_MIB = int(sys.argv[2]) if len(sys.argv) > 2 else 256
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
MiB = 1 << 20


def cpu_seconds(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def openssl_aes_gcm():
    r = subprocess.run(["openssl", "speed", "-seconds", "3", "-evp", "aes-256-gcm"], capture_output=True, text=True)
    line = [x for x in r.stdout.splitlines() if x.lower().startswith("aes-256-gcm")][-1]
    kbs = [float(x.rstrip("k")) for x in line.split()[1:]]
    return kbs[-1] * 1000 / MiB, line  # the largest block size, in MiB/s


def main():
    data = tempfile.mkdtemp(prefix="conton-files-bench-")
    port = free_port()
    env = dict(os.environ, CONTON_OWNER_EMAIL=OWNER, CONTON_OWNER_PASSWORD=PASSWORD)
    server = subprocess.Popen([BINARY, "serve", "--data-dir", data, "--listen", "127.0.0.1:%d" % port,
                               "--files-max-file-bytes", str((SIZE_MIB + 1) * MiB)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        while not server.stdout.readline().startswith("listening on"):
            pass
        ca = os.path.join(data, "tls", "ca.pem")
        with Channel("127.0.0.1", port, ca) as ch:
            token = ch.unary("conton.identity.v1.Identity/Login",
                             identity_pb2.LoginRequest(email=OWNER, password=PASSWORD)).token
        ch = Channel("127.0.0.1", port, ca, token=token)
        client = ch.unary("conton.clients.v1.Clients/CreateClient", clients_pb2.CreateClientRequest(client=clients_pb2.Client(
            person_type=clients_pb2.PERSON_TYPE_COMPANY, name="Bench Ltda", document="11.444.777/0001-61",
            email="bench@example.com"))).client
        block = os.urandom(MiB)

        def requests(round_):
            yield files_pb2.UploadRequest(metadata=files_pb2.UploadMetadata(
                client_id=client.id, file_name="bench.bin", size=SIZE_MIB * MiB))
            for i in range(SIZE_MIB):
                yield files_pb2.UploadRequest(chunk=round_.to_bytes(4, "big") + i.to_bytes(4, "big") + block[8:])

        ups, downs = [], []
        for r in range(ROUNDS):
            cpu, t = cpu_seconds(server.pid), time.monotonic()
            f = ch.client_stream("conton.files.v1.Files/Upload", requests(r)).file
            ups.append((time.monotonic() - t, cpu_seconds(server.pid) - cpu))
            cpu, t = cpu_seconds(server.pid), time.monotonic()
            n = 0
            for m in ch.server_stream("conton.files.v1.Files/Download", files_pb2.DownloadRequest(file_id=f.id)):
                n += len(m.chunk)
            downs.append((time.monotonic() - t, cpu_seconds(server.pid) - cpu))
            assert n == SIZE_MIB * MiB
            ch.unary("conton.files.v1.Files/DeleteFile", files_pb2.DeleteFileRequest(file_id=f.id))
        ch.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(data, ignore_errors=True)

    def report(name, runs):
        best = min(runs, key=lambda x: x[0])
        gib = SIZE_MIB / 1024
        print("%-8s %d MiB: best %.2f s = %.0f MiB/s (median %.0f MiB/s); server CPU %.2f s per GiB"
              % (name, SIZE_MIB, best[0], SIZE_MIB / best[0], SIZE_MIB / sorted(x[0] for x in runs)[len(runs) // 2],
                 best[1] / gib))

    print("python %s, %d rounds, load %s" % (sys.version.split()[0], ROUNDS, open("/proc/loadavg").read().strip()))
    report("upload", ups)
    report("download", downs)
    speed, line = openssl_aes_gcm()
    print("openssl speed -evp aes-256-gcm (one core): %.0f MiB/s at 16 KiB blocks  [%s]" % (speed, re.sub(r"\s+", " ", line)))


if __name__ == "__main__":
    main()
