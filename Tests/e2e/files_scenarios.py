#!/usr/bin/env python3
"""The files plugin's contract examples, driven exactly as the issue writes them: a release
`conton serve`, a client created with `conton call conton.clients.v1.Clients/CreateClient`, then
an upload through `( echo metadata; split -b 1048576 --filter=… ) | conton call --token T
conton.files.v1.Files/Upload -` and a download through `conton call … Files/Download`, checked
byte for byte.

Usage: files_scenarios.py PATH/TO/conton
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

from conton_e2e import BINARY, OWNER, PASSWORD, free_port

MiB = 1 << 20


def main():
    work = tempfile.mkdtemp(prefix="conton-files-e2e-")
    data = os.path.join(work, ".conton")  # `conton call`'s default --data-dir, from `work`
    port = free_port()
    env = dict(os.environ, CONTON_OWNER_EMAIL=OWNER, CONTON_OWNER_PASSWORD=PASSWORD, CONTON_ADDR="127.0.0.1:%d" % port)
    server = subprocess.Popen([BINARY, "serve", "--data-dir", data, "--listen", "127.0.0.1:%d" % port],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=work)
    try:
        while True:
            line = server.stdout.readline()
            if not line:
                raise SystemExit("server exited")
            if line.startswith("listening on"):
                break

        def call(method, body, token=None):
            cmd = [BINARY, "call"] + (["--token", token] if token else []) + [method, body]
            r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=work, timeout=120)
            assert r.returncode == 0, "%s failed: %s" % (method, r.stderr)
            return [json.loads(x) for x in r.stdout.splitlines() if x.strip()]

        token = call("conton.identity.v1.Identity/Login", json.dumps({"email": OWNER, "password": PASSWORD}))[0]["token"]
        client = call("conton.clients.v1.Clients/CreateClient", json.dumps({"client": {
            "personType": "PERSON_TYPE_COMPANY", "name": "Padaria Pão Quente Ltda", "document": "11.444.777/0001-61",
            "email": "padaria@example.com"}}), token)[0]["client"]

        # balanco.pdf: 3.5 MiB starting like a PDF, so four chunks, the last one partial.
        pdf = os.path.join(work, "balanco.pdf")
        with open(pdf, "wb") as f:
            f.write(b"%PDF-1.7\n")
            f.write(os.urandom(3 * MiB + MiB // 2 - 9))
        content = open(pdf, "rb").read()
        n = len(content)

        # The upload, verbatim (T and <id>, <n> filled in).
        script = ("( echo '{\"metadata\":{\"clientId\":\"%s\",\"fileName\":\"balanco.pdf\",\"size\":\"%d\"}}'\n"
                  "  split -b 1048576 --filter='printf \"{\\\"chunk\\\":\\\"%%s\\\"}\\n\" \"$(base64 -w0)\"' balanco.pdf ) \\\n"
                  "  | %s call --token %s conton.files.v1.Files/Upload -") % (client["id"], n, BINARY, token)
        r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, cwd=work, timeout=120)
        assert r.returncode == 0, "upload failed: " + r.stderr
        lines = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
        assert len(lines) == 1 and "file" in lines[0], r.stdout
        uploaded = lines[0]["file"]
        assert uploaded["sha256"] == hashlib.sha256(content).hexdigest(), uploaded
        assert uploaded["size"] == str(n) and uploaded["fileName"] == "balanco.pdf"
        assert uploaded["contentType"] == "application/pdf" and uploaded["clientId"] == client["id"]
        print("upload via conton call: ok (%d bytes, %s)" % (n, uploaded["sha256"]))

        # The download, verbatim.
        out = call("conton.files.v1.Files/Download", json.dumps({"fileId": uploaded["id"]}), token)
        assert "metadata" in out[0] and out[0]["metadata"]["file"]["id"] == uploaded["id"], out[0]
        assert all(set(x) == {"chunk"} for x in out[1:]) and len(out) == 1 + 4
        received = b"".join(base64.b64decode(x["chunk"]) for x in out[1:])
        assert received == content, "downloaded bytes differ"
        print("download via conton call: ok (%d chunk lines)" % (len(out) - 1))

        # Resuming a download from an offset.
        out = call("conton.files.v1.Files/Download", json.dumps({"fileId": uploaded["id"], "offset": str(n - 10)}), token)
        assert b"".join(base64.b64decode(x["chunk"]) for x in out[1:]) == content[-10:]

        # A wrong declared hash: DATA_LOSS, exit status 1, nothing listed.
        script = ("( echo '{\"metadata\":{\"clientId\":\"%s\",\"fileName\":\"x.pdf\",\"size\":\"%d\",\"sha256\":\"%s\"}}'\n"
                  "  split -b 1048576 --filter='printf \"{\\\"chunk\\\":\\\"%%s\\\"}\\n\" \"$(base64 -w0)\"' balanco.pdf ) \\\n"
                  "  | %s call --token %s conton.files.v1.Files/Upload -") % (client["id"], n, "00" * 32, BINARY, token)
        r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, cwd=work, timeout=120)
        assert r.returncode == 1 and "DATA_LOSS (15)" in r.stderr, r.stderr
        listed = call("conton.files.v1.Files/ListFiles", json.dumps({"clientId": client["id"]}), token)[0]
        assert [f["fileName"] for f in listed["files"]] == ["balanco.pdf"], listed
        print("wrong hash via conton call: DATA_LOSS, nothing kept")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)
    print("files scenarios: all passed")


if __name__ == "__main__":
    main()
