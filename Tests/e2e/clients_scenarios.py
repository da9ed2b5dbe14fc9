#!/usr/bin/env python3
"""The clients plugin end to end against a release `conton serve`: the issue's contract examples
through the `conton call` CLI, CPF/CNPJ validation judged by validate-docbr on thousands of
documents imported through the Python reference client, and the access e-mail delivered to a
real SMTP server (aiosmtpd) whose code activates the portal login exactly once.

Usage: clients_scenarios.py PATH/TO/conton   (PYTHONPATH must reach clients/python)
"""
import csv
import hashlib
import io
import json
import os
import random
import re
import shutil
import string
import subprocess
import tempfile

from aiosmtpd.controller import Controller
from google.rpc import error_details_pb2, status_pb2
from validate_docbr import CNPJ, CPF

from conton_client import Channel, ContonError
from conton_client.gen.conton.clients.v1 import clients_pb2
from conton_e2e import OWNER_ENV, Sink, call, download, free_port, run_scenarios, running, token_for, wait_for


def contract_examples_through_the_cli():
    data = tempfile.mkdtemp(prefix="conton-clients-")
    try:
        with running(data, OWNER_ENV) as (proc, port, _):
            t = token_for(data, port)
            code, out, err = call(data, port, "conton.clients.v1.Clients/CreateClient", json.dumps({"client": {
                "personType": "PERSON_TYPE_COMPANY", "name": "Padaria Pão Quente Ltda", "tradeName": "Pão Quente",
                "document": "12.ABC.345/01DE-35", "email": "contato@paoquente.com.br"}}), token=t)
            assert code == 0, (code, out, err)
            pj = json.loads(out)["client"]
            assert pj["id"] and pj["document"] == "12ABC34501DE35" and pj["documentFormatted"] == "12.ABC.345/01DE-35", pj
            code, out, err = call(data, port, "conton.clients.v1.Clients/CreateClient", json.dumps({"client": {
                "personType": "PERSON_TYPE_INDIVIDUAL", "name": "João da Silva", "document": "111.444.777-35",
                "email": "joao@example.com"}}), token=t)
            assert code == 0, (code, out, err)
            code, out, err = call(data, port, "conton.clients.v1.Clients/ListClients", '{"query":"joao"}', token=t)
            assert code == 0, (code, out, err)
            listed = json.loads(out)
            assert [c["name"] for c in listed["clients"]] == ["João da Silva"] and int(listed["totalCount"]) == 1, listed
            code, out, err = call(data, port, "conton.clients.v1.Clients/ListClients", '{"query":"pao quente"}', token=t)
            assert [c["id"] for c in json.loads(out)["clients"]] == [pj["id"]], out
            # A wrong check digit: exit 1, INVALID_ARGUMENT naming client.document, nothing written.
            code, out, err = call(data, port, "conton.clients.v1.Clients/CreateClient", json.dumps({"client": {
                "personType": "PERSON_TYPE_INDIVIDUAL", "name": "Errado", "document": "111.444.777-36",
                "email": "errado@example.com"}}), token=t)
            assert code == 1 and err.startswith("ERROR INVALID_ARGUMENT (3)") and "client.document" in err, (code, err)
            code, out, err = call(data, port, "conton.clients.v1.Clients/ListClients", '{"status":"STATUS_FILTER_ALL"}', token=t)
            assert int(json.loads(out)["totalCount"]) == 2, out
            # The same document again: ALREADY_EXISTS naming the existing client.
            code, out, err = call(data, port, "conton.clients.v1.Clients/CreateClient", json.dumps({"client": {
                "personType": "PERSON_TYPE_COMPANY", "name": "Outra", "document": "12abc34501de35", "email": "o@example.com"}}), token=t)
            assert code == 1 and err.startswith("ERROR ALREADY_EXISTS (6)") and pj["id"] in err, (code, err)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def rich_errors_read_by_stock_protos_match_the_cli():
    """The rich error model as any gRPC library reads it: the raw grpc-status-details-bin of a
    failed call, decoded with nothing but pip's googleapis-common-protos (google.rpc.Status,
    BadRequest, ErrorInfo, ResourceInfo), names the same field violations, in the same order, as
    the conton CLI prints for the same request, and ALREADY_EXISTS names the existing client."""
    def stock(err):
        raw = [v for k, v in err.trailing_metadata if k == "grpc-status-details-bin"]
        assert len(raw) == 1, err.trailing_metadata
        status = status_pb2.Status.FromString(raw[0])
        assert (status.code, status.message) == (err.code, err.message), (status, err)
        found = {}
        for any_ in status.details:
            for kind in (error_details_pb2.BadRequest, error_details_pb2.ErrorInfo, error_details_pb2.ResourceInfo):
                if any_.Is(kind.DESCRIPTOR):
                    found[kind.__name__] = kind()
                    any_.Unpack(found[kind.__name__])
        return found

    def cli_lines(err):
        lines = err.splitlines()
        return lines[0], [l.strip() for l in lines[1:]]

    bad = {"client": {"personType": "PERSON_TYPE_INDIVIDUAL", "name": "", "document": "111.444.777-36",
                      "email": "not-an-email", "otherEmails": ["ok@example.com", "nope"], "feeDueDay": 40}}
    data = tempfile.mkdtemp(prefix="conton-rich-")
    try:
        with running(data, OWNER_ENV) as (proc, port, _):
            t = token_for(data, port)
            code, out, err = call(data, port, "conton.clients.v1.Clients/CreateClient", json.dumps(bad), token=t)
            assert code == 1, (code, out, err)
            head, cli = cli_lines(err)
            assert head.startswith("ERROR INVALID_ARGUMENT (3): "), err
            request = clients_pb2.CreateClientRequest()
            request.client.person_type = clients_pb2.PERSON_TYPE_INDIVIDUAL
            request.client.document = "111.444.777-36"
            request.client.email = "not-an-email"
            request.client.other_emails.extend(["ok@example.com", "nope"])
            request.client.fee_due_day = 40
            with Channel("127.0.0.1", port, data + "/tls/ca.pem", token=t) as ch:
                def create(request):
                    return ch.unary("conton.clients.v1.Clients/CreateClient", request, response_class=clients_pb2.CreateClientResponse)

                def refused(request):
                    try:
                        create(request)
                    except ContonError as e:
                        return e
                    raise AssertionError("accepted")

                failed = refused(request)
                found = stock(failed)
                violations = ["%s: %s" % (v.field, v.description) for v in found["BadRequest"].field_violations]
                # Every bad field, in proto field names, and exactly what the CLI printed.
                assert len(violations) >= 4, violations
                fields = [v.field for v in found["BadRequest"].field_violations]
                assert {"client.name", "client.document", "client.other_emails[1]", "client.fee_due_day"} <= set(fields), fields
                assert cli == violations, (cli, violations)
                assert failed.field_violations == [(v.field, v.description) for v in found["BadRequest"].field_violations]

                # ALREADY_EXISTS: ErrorInfo's reason and ResourceInfo's existing client, in the
                # CLI's lines too.
                first = clients_pb2.CreateClientRequest()
                first.client.person_type = clients_pb2.PERSON_TYPE_COMPANY
                first.client.name = "Primeira Ltda"
                first.client.document = "11.222.333/0001-81"
                first.client.email = "p@example.com"
                existing = create(first).client
                first.client.name = "Segunda Ltda"
                failed = refused(first)
            found = stock(failed)
            assert failed.code_name == "ALREADY_EXISTS", failed
            assert (found["ErrorInfo"].reason, found["ErrorInfo"].domain) == ("CLIENT_DOCUMENT_TAKEN", "conton"), found
            assert (found["ResourceInfo"].resource_type, found["ResourceInfo"].resource_name) == ("conton.clients.v1.Client", existing.id)
            assert found["ResourceInfo"].description == "Primeira Ltda", found
            code, out, err = call(data, port, "conton.clients.v1.Clients/CreateClient", json.dumps({"client": {
                "personType": "PERSON_TYPE_COMPANY", "name": "Segunda Ltda", "document": "11222333000181", "email": "s@example.com"}}), token=t)
            head, cli = cli_lines(err)
            assert head.startswith("ERROR ALREADY_EXISTS (6): ") and cli == [
                "reason: CLIENT_DOCUMENT_TAKEN (conton)", "resource: conton.clients.v1.Client " + existing.id], err
            assert str(failed).splitlines()[1:] == ["  " + l for l in cli], (str(failed), cli)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def documents_through_conton_download():
    """The ficha and the client list saved by `conton download`: the file is what the stream
    announced (size, SHA-256), VerifyDocument knows it by its code and by its hash, a changed
    byte is unknown; the CSV opens with Python's csv module (";", utf-8-sig) and gives back the
    same rows and total as ListClients; a failed call writes no file."""
    data = tempfile.mkdtemp(prefix="conton-docs-")
    try:
        with running(data, OWNER_ENV) as (proc, port, _):
            t = token_for(data, port)
            ids = []
            for i, (name, cpf, fee) in enumerate([("João da Conceição", "529.982.247-25", 123456),
                                                   ("Maria Conceição Araújo", "111.444.777-35", 99990)]):
                code, out, err = call(data, port, "conton.clients.v1.Clients/CreateClient", json.dumps({"client": {
                    "personType": "PERSON_TYPE_INDIVIDUAL", "name": name, "document": cpf, "email": "c%d@example.com" % i,
                    "monthlyFeeCents": str(fee)}}), token=t)
                assert code == 0, (code, out, err)
                ids.append(json.loads(out)["client"]["id"])
            out_dir = os.path.join(data, "downloads")
            os.mkdir(out_dir)
            code, out, err = download(data, port, "conton.clients.v1.Clients/PrintClientRecord",
                                      json.dumps({"clientId": ids[0]}), out_dir, token=t)
            assert code == 0, (code, out, err)
            path = os.path.join(out_dir, "ficha-%s.pdf" % ids[0])
            pdf = open(path, "rb").read()
            digest = hashlib.sha256(pdf).hexdigest()
            assert out.startswith("wrote %s (%d bytes, application/pdf, sha256 %s, code " % (path, len(pdf), digest)), out
            code_printed = re.search(r"code ([0-9A-Z]{5}-[0-9A-Z]{5})", out).group(1)
            text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout
            assert "João da Conceição" in text and "R$ 1.234,56" in text and code_printed in text, text
            for body in ({"code": code_printed.lower()}, {"sha256": digest}):
                code, out, err = call(data, port, "conton.documents.v1.Documents/VerifyDocument", json.dumps(body))
                answer = json.loads(out)
                assert code == 0 and answer["issued"] and answer["document"]["kind"] == "client-sheet", (body, out, err)
            changed = bytearray(pdf)
            changed[len(changed) // 2] ^= 1
            code, out, err = call(data, port, "conton.documents.v1.Documents/VerifyDocument",
                                  json.dumps({"sha256": hashlib.sha256(changed).hexdigest()}))
            assert code == 0 and not json.loads(out).get("issued"), out

            csv_path = os.path.join(out_dir, "list.csv")
            code, out, err = download(data, port, "conton.clients.v1.Clients/ExportClientList",
                                      json.dumps({"filter": {"query": "conceicao"}, "format": "DOCUMENT_FORMAT_CSV"}), csv_path, token=t)
            assert code == 0 and "text/csv" in out, (code, out, err)
            raw = open(csv_path, "rb").read()
            assert raw.startswith(b"\xef\xbb\xbf"), raw[:10]
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
            code, out, err = call(data, port, "conton.clients.v1.Clients/ListClients", '{"query":"conceicao"}', token=t)
            listed = json.loads(out)["clients"]
            assert [r[0] for r in rows[1:-1]] == [c["name"] for c in listed], (rows, listed)
            assert rows[-1][0] == "Total: 2" and rows[-1][5] == "2234,46", rows[-1]
            assert sum(int(r[5].replace(",", "")) for r in rows[1:-1]) == 223446

            # A failed call: ERROR on stderr, exit 1, no file.
            missing = os.path.join(out_dir, "missing.pdf")
            code, out, err = download(data, port, "conton.clients.v1.Clients/PrintClientRecord", '{"clientId":"nope"}', missing, token=t)
            assert code == 1 and err.startswith("ERROR NOT_FOUND (5): client nope not found"), (code, err)
            assert "resource: conton.clients.v1.Client nope" in err and not os.path.exists(missing), err
            code, out, err = download(data, port, "conton.clients.v1.Clients/ListClients", "{}", missing, token=t)
            assert code == 1 and "does not stream a document" in err, err
    finally:
        shutil.rmtree(data, ignore_errors=True)


def alphanumeric_cnpj(rng):
    """A valid alphanumeric CNPJ built from the Receita Federal rule (value = ASCII − 48,
    mod 11); validate-docbr judges it below like every other document."""
    alphabet = string.digits + string.ascii_uppercase
    while True:
        base = "".join(rng.choice(alphabet) for _ in range(12))
        if any(c.isalpha() for c in base):
            break
    digits = base
    for weights in ([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]):
        total = sum((ord(c) - 48) * w for c, w in zip(digits, weights))
        r = total % 11
        digits += str(0 if r < 2 else 11 - r)
    return digits


def mutate(doc, rng):
    """One character changed: usually invalid, sometimes (for letters 11 apart) still valid —
    which is exactly why the oracle, not this function, decides."""
    i = rng.randrange(len(doc))
    pool = string.digits if (doc[i].isdigit() and (len(doc) == 11 or i >= 12)) else string.digits + string.ascii_uppercase
    c = rng.choice([ch for ch in pool if ch != doc[i]])
    return doc[:i] + c + doc[i + 1:]


def documents_agree_with_validate_docbr():
    rng = random.Random(20261124)
    cpf, cnpj = CPF(), CNPJ()
    docs = []
    docs += [cpf.generate(mask=rng.random() < 0.5) for _ in range(1500)]
    docs += [cnpj.generate(mask=rng.random() < 0.5) for _ in range(1500)]
    docs += [alphanumeric_cnpj(rng) for _ in range(1500)]
    docs += [mutate(re.sub(r"[^0-9A-Z]", "", d), rng) for d in list(docs)[::2]]
    # Unique by normalised form (a generator may repeat itself; a repeat is an import error of its own).
    seen, unique = set(), []
    for d in docs:
        key = re.sub(r"[^0-9A-Z]", "", d)
        if key not in seen:
            seen.add(key)
            unique.append(d)
    verdicts = [(cpf.validate(d) if len(re.sub(r"[^0-9A-Z]", "", d)) == 11 else cnpj.validate(d)) for d in unique]
    assert sum(verdicts) >= 4000 and verdicts.count(False) >= 1500, (sum(verdicts), verdicts.count(False))
    data = tempfile.mkdtemp(prefix="conton-clients-")
    try:
        with running(data, OWNER_ENV) as (proc, port, _):
            t = token_for(data, port)
            rows = []
            for i, d in enumerate(unique):
                client = clients_pb2.Client(name="Cliente %d" % i, document=d, email="c%d@example.com" % i)
                client.person_type = (clients_pb2.PERSON_TYPE_INDIVIDUAL if len(re.sub(r"[^0-9A-Z]", "", d)) == 11
                                      else clients_pb2.PERSON_TYPE_COMPANY)
                rows.append(clients_pb2.ImportClientsRequest(client=client))
            with Channel("127.0.0.1", port, data + "/tls/ca.pem", token=t) as ch:
                response = ch.client_stream("conton.clients.v1.Clients/ImportClients", iter(rows), timeout=300,
                                            response_class=clients_pb2.ImportClientsResponse)
            assert len(response.results) == len(unique), len(response.results)
            disagreements = [(unique[r.row - 1], verdicts[r.row - 1], [v.description for v in r.violations])
                             for r in response.results if bool(r.client_id) != verdicts[r.row - 1]]
            assert not disagreements, disagreements[:10]
            # Rejections name the document field and nothing else.
            assert all([v.field for v in r.violations] == ["client.document"] for r in response.results if not r.client_id)
            assert response.imported == sum(verdicts), (response.imported, sum(verdicts))
    finally:
        shutil.rmtree(data, ignore_errors=True)


def access_email_reaches_smtp_and_activates_once():
    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    data = tempfile.mkdtemp(prefix="conton-clients-")
    try:
        with running(data, dict(OWNER_ENV, CONTON_SMTP_URL="smtp://127.0.0.1:%d?tls=none" % smtp_port)) as (proc, port, _):
            t = token_for(data, port)
            code, out, err = call(data, port, "conton.office.v1.Office/UpdateProfile",
                                  '{"profile":{"registration":{"tradeName":"Escritório Exemplo"}},"updateMask":["registration.trade_name"]}',
                                  token=t)
            assert code == 0, (code, out, err)
            code, out, err = call(data, port, "conton.clients.v1.Clients/CreateClient", json.dumps({
                "client": {"personType": "PERSON_TYPE_INDIVIDUAL", "name": "Joana Araújo", "document": "529.982.247-25",
                           "email": "joana@example.com"},
                "access": {"sendAccessEmail": True}}), token=t)
            assert code == 0, (code, out, err)
            joana = json.loads(out)["client"]
            code, out, err = call(data, port, "conton.clients.v1.Clients/CreateClient", json.dumps({"client": {
                "personType": "PERSON_TYPE_INDIVIDUAL", "name": "Outro Cliente", "document": "111.444.777-35",
                "email": "outro@example.com"}}), token=t)
            other = json.loads(out)["client"]
            assert wait_for(lambda: sink.messages), "no e-mail reached the SMTP server"
            rcpts, msg = sink.messages[-1]
            assert rcpts == ["joana@example.com"], rcpts
            body = msg.get_body(preferencelist=("plain",)).get_content()
            assert "Escritório Exemplo" in body and "joana@example.com" in body, body
            assert "senha:" not in body.lower(), body
            code_text = re.search(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}", body).group(0)
            req = json.dumps({"code": code_text, "newPassword": "joana's own password"})
            assert call(data, port, "conton.identity.v1.Identity/ActivateAccount", req)[0] == 0
            code, out, err = call(data, port, "conton.identity.v1.Identity/ActivateAccount", req)
            assert code == 1 and "INVALID_ARGUMENT" in err, (code, err)
            portal = token_for(data, port, "joana@example.com", "joana's own password")
            code, out, err = call(data, port, "conton.clients.v1.Clients/GetClient", "{}", token=portal)
            assert code == 0 and json.loads(out)["client"]["id"] == joana["id"], (code, out, err)
            code, out, err = call(data, port, "conton.clients.v1.Clients/GetClient", json.dumps({"clientId": other["id"]}), token=portal)
            assert code == 1 and err.startswith("ERROR NOT_FOUND (5)"), (code, err)
            code, out, err = call(data, port, "conton.clients.v1.Clients/ListClients", "{}", token=portal)
            assert code == 1 and err.startswith("ERROR PERMISSION_DENIED (7)"), (code, err)
    finally:
        controller.stop()
        shutil.rmtree(data, ignore_errors=True)


run_scenarios(contract_examples_through_the_cli, rich_errors_read_by_stock_protos_match_the_cli, documents_through_conton_download, documents_agree_with_validate_docbr, access_email_reaches_smtp_and_activates_once)
