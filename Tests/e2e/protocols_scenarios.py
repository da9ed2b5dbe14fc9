#!/usr/bin/env python3
"""The protocols plugin end to end against a release `conton serve`, through the Python reference
client over real TLS, by staff and by two client logins activated from real e-mail (aiosmtpd):

- staff uploads guides to the office's own area, named with each client's CPF/CNPJ, and sends
  them in one CreateProtocolBatch that matches each file to its client by the number in its name;
  the "documents await" e-mail reaches the SMTP server;
- the client lists its unseen protocols, opens one, downloads its guide (the bytes and SHA-256
  agree), acknowledges it ("Li e recebi");
- the other client reaches none of it (NOT_FOUND for every method a client may call);
- the evidence log is recomputed here, in Python, from docs/PROTOCOLS.md's canonical form alone,
  and VerifyEvidence agrees; the comprovante's text (pdftotext) lists every entry's hash and the
  chain's head, and VerifyDocument recognises the PDF.

Usage: protocols_scenarios.py PATH/TO/conton
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile

from aiosmtpd.controller import Controller

from conton_client import Channel, StatusCode
from conton_client.gen.conton.clients.v1 import clients_pb2
from conton_client.gen.conton.documents.v1 import documents_pb2
from conton_client.gen.conton.files.v1 import files_pb2
from conton_client.gen.conton.protocols.v1 import protocols_pb2
from conton_e2e import OWNER_ENV, Sink, activate, free_port, refused, run_scenarios, running, token_for, wait_for

P = "conton.protocols.v1.Protocols/"
PORTAL_UA = "conton-e2e-portal/1.0 (pytest)"


def canonical(protocol_id, e):
    """docs/PROTOCOLS.md, "Evidence chain": the form every entry's sha256 is the hash of."""
    fields = [str(protocol_id), str(e.sequence), str(e.at_ms), str(e.action), e.principal_kind, e.principal_id,
              e.principal_name, e.peer, e.user_agent, e.item_id, e.file_sha256, e.detail, e.previous_sha256]
    return "conton.protocols.evidence.v1\n" + "".join("%d:%s\n" % (len(f.encode()), f) for f in fields)


def stream(ch, method, request, metadata=None):
    """The header and the bytes of a DocumentChunk stream, checked against the header."""
    header, data = None, bytearray()
    for chunk in ch.server_stream(method, request, response_class=documents_pb2.DocumentChunk, timeout=60, metadata=metadata):
        if chunk.WhichOneof("part") == "header":
            assert header is None and not data, "the header comes first, once"
            header = chunk.header
        else:
            assert header is not None
            data += chunk.data
    assert header.size_bytes == len(data) and header.sha256 == hashlib.sha256(data).hexdigest(), header
    return header, bytes(data)


def upload(ch, name, content):
    """An office-area upload (the office's own files, which no client sees)."""
    def requests():
        yield files_pb2.UploadRequest(metadata=files_pb2.UploadMetadata(file_name=name, size=len(content), office_area=True))
        for i in range(0, len(content), 1 << 20):
            yield files_pb2.UploadRequest(chunk=content[i:i + (1 << 20)])
    return ch.client_stream("conton.files.v1.Files/Upload", requests(), response_class=files_pb2.UploadResponse, timeout=60).file


def life_cycle_by_staff_and_client():
    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    data = tempfile.mkdtemp(prefix="conton-protocols-")
    try:
        with running(data, dict(OWNER_ENV, CONTON_SMTP_URL="smtp://127.0.0.1:%d?tls=none" % smtp_port)) as (proc, port, _):
            ca = data + "/tls/ca.pem"
            staff = Channel("127.0.0.1", port, ca, token=token_for(data, port))
            people = {}
            for name, document, email in [("Joana Araújo", "529.982.247-25", "joana@example.com"),
                                          ("Padaria Pão Quente Ltda", "11.444.777/0001-61", "padaria@example.com")]:
                request = clients_pb2.CreateClientRequest()
                request.client.person_type = clients_pb2.PERSON_TYPE_INDIVIDUAL if len(document) == 14 else clients_pb2.PERSON_TYPE_COMPANY
                request.client.name, request.client.document, request.client.email = name, document, email
                request.access.send_access_email = True
                people[email] = staff.unary("conton.clients.v1.Clients/CreateClient", request,
                                            response_class=clients_pb2.CreateClientResponse).client
            joana, padaria = people["joana@example.com"], people["padaria@example.com"]

            # The guides, named as offices name them; 200 KiB each.
            guides = {}
            for client, name in [(joana, "DAS 529.982.247-25 11-2026.pdf"), (padaria, "PGDASD-DAS-11444777000161-202611.pdf")]:
                content = b"%PDF-1.4\n" + os.urandom(200 * 1024)
                guides[client.id] = (upload(staff, name, content), content)
            types = staff.unary(P + "ListDocumentTypes", protocols_pb2.ListDocumentTypesRequest(),
                                response_class=protocols_pb2.ListDocumentTypesResponse).document_types
            das = next(t for t in types if t.name == "DAS")
            batch = protocols_pb2.CreateProtocolBatchRequest(send=True, message="Segue o DAS de novembro.")
            batch.item.document_type_id, batch.item.competence, batch.item.due_date = das.id, "2026-11", "2026-12-20"
            batch.rows.add(client_document="52998224725", amount_cents=9_990)
            batch.rows.add(client_id=padaria.id, amount_cents=45_678)
            batch.file_ids.extend([guides[padaria.id][0].id, guides[joana.id][0].id])
            result = staff.unary(P + "CreateProtocolBatch", batch, response_class=protocols_pb2.CreateProtocolBatchResponse)
            assert (result.created, result.rejected) == (2, 0), result
            assert [(r.client_id, r.file_id) for r in result.results] == \
                [(joana.id, guides[joana.id][0].id), (padaria.id, guides[padaria.id][0].id)], result
            pid = result.results[0].protocol_id

            # The "documents await" e-mail reached the real SMTP server.
            assert wait_for(lambda: [m for r, m in sink.messages if r == ["joana@example.com"] and "Protocolo nº" in m["subject"]]), \
                [m["subject"] for _, m in sink.messages]

            joana_ch = Channel("127.0.0.1", port, ca, token=activate(sink, data, port, "joana@example.com", ca))
            padaria_ch = Channel("127.0.0.1", port, ca, token=activate(sink, data, port, "padaria@example.com", ca))
            ua = [("user-agent", PORTAL_UA)]

            def joana_call(method, request, response_class):
                return joana_ch.unary(P + method, request, response_class=response_class, metadata=ua)

            unseen = joana_call("ListProtocols", protocols_pb2.ListProtocolsRequest(unseen=True), protocols_pb2.ListProtocolsResponse)
            assert [p.id for p in unseen.protocols] == [pid], unseen
            opened = joana_call("GetProtocol", protocols_pb2.GetProtocolRequest(protocol_id=pid), protocols_pb2.GetProtocolResponse).protocol
            assert opened.status == protocols_pb2.PROTOCOL_STATUS_VIEWED and opened.items[0].amount_cents == 9_990, opened
            header, content = stream(joana_ch, P + "DownloadItemFile",
                                     protocols_pb2.DownloadItemFileRequest(protocol_id=pid, item_id=opened.items[0].id), metadata=ua)
            assert content == guides[joana.id][1] and header.file_name == "DAS 529.982.247-25 11-2026.pdf", header
            acked = joana_call("AcknowledgeProtocol", protocols_pb2.AcknowledgeProtocolRequest(protocol_id=pid, comment="Li e recebi"),
                               protocols_pb2.AcknowledgeProtocolResponse).protocol
            assert acked.status == protocols_pb2.PROTOCOL_STATUS_ACKNOWLEDGED, acked

            # The other client: NOT_FOUND for every method a client may call, its own list without it.
            for method, request in [("GetProtocol", protocols_pb2.GetProtocolRequest(protocol_id=pid)),
                                    ("AcknowledgeProtocol", protocols_pb2.AcknowledgeProtocolRequest(protocol_id=pid)),
                                    ("ListEvidence", protocols_pb2.ListEvidenceRequest(protocol_id=pid)),
                                    ("VerifyEvidence", protocols_pb2.VerifyEvidenceRequest(protocol_id=pid))]:
                assert refused(lambda: padaria_ch.unary(P + method, request, response_class=bytes)) == StatusCode.NOT_FOUND, method
            for method, request in [("DownloadItemFile", protocols_pb2.DownloadItemFileRequest(protocol_id=pid, item_id=opened.items[0].id)),
                                    ("PrintProtocolReceipt", protocols_pb2.PrintProtocolReceiptRequest(protocol_id=pid))]:
                assert refused(lambda: stream(padaria_ch, P + method, request)) == StatusCode.NOT_FOUND, method
            own = padaria_ch.unary(P + "ListProtocols", protocols_pb2.ListProtocolsRequest(client_id=joana.id),
                                   response_class=protocols_pb2.ListProtocolsResponse)
            assert [p.client_id for p in own.protocols] == [padaria.id], own
            assert refused(lambda: padaria_ch.unary(P + "CreateProtocolBatch", batch, response_class=bytes)) == StatusCode.PERMISSION_DENIED

            # The evidence, recomputed here from the documented canonical form.
            entries = joana_call("ListEvidence", protocols_pb2.ListEvidenceRequest(protocol_id=pid), protocols_pb2.ListEvidenceResponse).entries
            A = protocols_pb2
            assert [e.action for e in entries] == [A.EVIDENCE_ACTION_SENT, A.EVIDENCE_ACTION_EMAILED, A.EVIDENCE_ACTION_VIEWED,
                                                   A.EVIDENCE_ACTION_DOWNLOADED, A.EVIDENCE_ACTION_ACKNOWLEDGED], entries
            previous = ""
            for e in entries:
                assert e.previous_sha256 == previous, e
                assert hashlib.sha256(canonical(pid, e).encode()).hexdigest() == e.sha256, e
                previous = e.sha256
            download = entries[3]
            assert download.file_sha256 == guides[joana.id][0].sha256 and download.user_agent == PORTAL_UA, download
            assert download.principal_kind == "client" and "127.0.0.1:" in download.peer, download
            assert entries[0].user_agent.startswith("conton-python/"), entries[0]
            verdict = joana_call("VerifyEvidence", protocols_pb2.VerifyEvidenceRequest(protocol_id=pid), protocols_pb2.VerifyEvidenceResponse)
            assert verdict.intact and verdict.entries == 5 and verdict.head_sha256 == previous, verdict

            # The comprovante, as the client prints it.
            header, pdf = stream(joana_ch, P + "PrintProtocolReceipt", protocols_pb2.PrintProtocolReceiptRequest(protocol_id=pid), metadata=ua)
            assert header.content_type == "application/pdf" and pdf.startswith(b"%PDF-"), header
            path = os.path.join(data, "comprovante.pdf")
            with open(path, "wb") as f:
                f.write(pdf)
            text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout
            squeezed = re.sub(r"\s+", "", text)
            for e in entries:
                assert e.sha256 in squeezed, e.sequence
            assert guides[joana.id][0].sha256 in squeezed and "Joana Araújo" in text and "529.982.247-25" in text
            assert "Últimohashdacadeia(SHA-256)" + previous in squeezed
            verified = staff.unary("conton.documents.v1.Documents/VerifyDocument", documents_pb2.VerifyDocumentRequest(sha256=header.sha256),
                                   response_class=documents_pb2.VerifyDocumentResponse)
            assert verified.issued and verified.document.verification_code == header.verification_code, verified
            for ch in (staff, joana_ch, padaria_ch):
                ch.close()
    finally:
        controller.stop()
        shutil.rmtree(data, ignore_errors=True)


run_scenarios(life_cycle_by_staff_and_client)
