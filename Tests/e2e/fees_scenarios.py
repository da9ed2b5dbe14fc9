#!/usr/bin/env python3
"""The fees plugin end to end against a release `conton serve`: the issue's contract examples
through the `conton call` CLI (GenerateFees 2018-01 × 12 → 12 created; ListReceivables → the 12,
due 2018-01 … 2018-12), the repeated generation skipping every month, the idempotency key, the
streaming generation's progress lines, settlement with its late-charge quote and the receipt
(number, amount in words, issuer), and the per-status totals. Then the documents through the
Python reference client: the receipt's PDF (PrintReceipt) and the receivables as CSV
(ExportReceivables), their SHA-256 against the header, the CSV read with Python's `csv` module
and compared with ListReceivables, and VerifyDocument for both.

Usage: fees_scenarios.py PATH/TO/conton
"""
import csv
import hashlib
import io
import json
import shutil
import tempfile

from conton_client import Channel, ContonError
from conton_client.gen.conton.documents.v1 import documents_pb2
from conton_client.gen.conton.fees.v1 import fees_pb2
from conton_e2e import OWNER_ENV, call, run_scenarios, serve, stop, token_for


def ok(data, port, method, body, token):
    code, out, err = call(data, port, method, json.dumps(body), token=token)
    assert code == 0, (method, code, out, err)
    return json.loads(out.splitlines()[-1])


def new_client(data, port, t, name, cpf, fee="150000", due_day=10):
    return ok(data, port, "conton.clients.v1.Clients/CreateClient", {"client": {
        "personType": "PERSON_TYPE_INDIVIDUAL", "name": name, "document": cpf, "email": "c@example.com",
        "monthlyFeeCents": fee, "feeDueDay": due_day}}, t)["client"]["id"]


def contract_examples_through_the_cli():
    data = tempfile.mkdtemp(prefix="conton-fees-")
    try:
        proc, port, lines = serve(data, OWNER_ENV)
        try:
            t = token_for(data, port)
            cid = new_client(data, port, t, "Maria da Conceição", "111.444.777-35")
            request = {"clientIds": [cid], "startMonth": "2018-01", "repeat": True, "times": 12, "amountCents": "150000"}
            generated = ok(data, port, "conton.fees.v1.Fees/GenerateFees", request, t)
            assert generated["created"] == 12, generated
            listed = ok(data, port, "conton.fees.v1.Receivables/ListReceivables", {"clientId": cid}, t)
            rs = listed["receivables"]
            assert len(rs) == 12, listed
            assert [r["dueDate"][:7] for r in rs] == ["2018-%02d" % m for m in range(1, 13)], rs
            assert all(r["dueDate"].endswith("-10") and r["amountCents"] == "150000" for r in rs), rs
            assert rs[0]["description"] == "Honorários 01/2018", rs[0]
            # Overdue (2018 is past), totals for the whole filter.
            totals = {x["status"]: x for x in listed["totals"]}
            assert totals["RECEIVABLE_STATUS_OVERDUE"]["count"] == "12", listed["totals"]
            assert listed["total"]["amountCents"] == str(12 * 150000), listed["total"]

            # The same generation again: nothing created, every month skipped.
            again = ok(data, port, "conton.fees.v1.Fees/GenerateFees", request, t)
            assert again.get("created", 0) == 0 and again["skippedCount"] == 12, again
            # An idempotency key replays the first answer.
            keyed = dict(request, startMonth="2019-01", idempotencyKey="e2e-2019")
            first = ok(data, port, "conton.fees.v1.Fees/GenerateFees", keyed, t)
            replay = ok(data, port, "conton.fees.v1.Fees/GenerateFees", keyed, t)
            assert first["created"] == 12 and replay["created"] == 12 and replay["replayed"] is True, (first, replay)
            assert replay["generationId"] == first["generationId"], (first, replay)
            # Validation: every bad field at once, exit 1.
            code, out, err = call(data, port, "conton.fees.v1.Fees/GenerateFees", json.dumps(
                {"clientIds": [cid], "startMonth": "2018-13", "repeat": True, "times": 0}), token=t)
            assert code == 1 and "INVALID_ARGUMENT" in err and "start_month" in err and "times" in err, (code, err)

            # The streaming variant: progress lines, then the result.
            cid2 = new_client(data, port, t, "Padaria Pão Quente", "529.982.247-25", due_day=31)
            code, out, err = call(data, port, "conton.fees.v1.Fees/GenerateFeesStream", json.dumps(
                {"clientIds": [cid2], "startMonth": "2024-01", "repeat": True, "times": 3}), token=t)
            assert code == 0, (code, out, err)
            messages = [json.loads(line) for line in out.splitlines()]
            assert messages[-1]["finished"] is True and messages[-1]["result"]["created"] == 3, messages
            dues = [r["dueDate"] for r in ok(data, port, "conton.fees.v1.Receivables/ListReceivables", {"clientId": cid2}, t)["receivables"]]
            assert dues == ["2024-01-31", "2024-02-29", "2024-03-31"], dues

            # Meus Dados: 2 % fine, 1 % a month; quote, settle, receipt.
            ok(data, port, "conton.office.v1.Office/UpdateProfile", {"profile": {
                "registration": {"legalName": "Contabilidade Exemplo Ltda", "cnpj": "11.222.333/0001-81",
                                 "address": {"city": "São Paulo", "uf": "SP"}},
                "boleto": {"fineBasisPoints": 200, "monthlyInterestBasisPoints": 100}}}, t)
            first_id = rs[0]["id"]
            quote = ok(data, port, "conton.fees.v1.Receivables/QuoteSettlement",
                       {"receivableId": first_id, "paymentDate": "2018-02-09"}, t)["quote"]
            assert quote["daysLate"] == 30 and quote["fineCents"] == "3000" and quote["interestCents"] == "1500", quote
            assert quote["totalCents"] == "154500", quote
            settled = ok(data, port, "conton.fees.v1.Receivables/SettleReceivable", {
                "receivableId": first_id, "paymentDate": "2018-02-09", "amountPaidCents": "154500", "fineCents": "3000",
                "interestCents": "1500", "method": "PAYMENT_METHOD_PIX"}, t)
            assert settled["receivable"]["status"] == "RECEIVABLE_STATUS_PAID", settled
            receipt = ok(data, port, "conton.fees.v1.Receivables/GetReceipt", {"number": settled["receipt"]["number"]}, t)["receipt"]
            assert receipt["number"] == "1" and receipt["amountFormatted"] == "R$ 1.545,00", receipt
            assert receipt["amountInWords"] == "mil quinhentos e quarenta e cinco reais", receipt
            assert receipt["payerDocument"] == "111.444.777-35" and receipt["issuerCnpj"] == "11.222.333/0001-81", receipt
            assert receipt["placeAndDate"] == "São Paulo/SP, 9 de fevereiro de 2018", receipt
            assert receipt["competence"] == "2018-01" and "Honorários 01/2018" in receipt["text"], receipt
            # Overpayment refused.
            code, out, err = call(data, port, "conton.fees.v1.Receivables/SettleReceivable", json.dumps({
                "receivableId": rs[1]["id"], "paymentDate": "2018-03-01", "amountPaidCents": "150001",
                "method": "PAYMENT_METHOD_CASH"}), token=t)
            assert code == 1 and "FAILED_PRECONDITION" in err, (code, err)
            listed = ok(data, port, "conton.fees.v1.Receivables/ListReceivables",
                        {"clientId": cid, "statuses": ["RECEIVABLE_STATUS_PAID"]}, t)
            assert [r["id"] for r in listed["receivables"]] == [first_id], listed
            # A client with receivables cannot be deleted.
            code, out, err = call(data, port, "conton.clients.v1.Clients/DeleteClient", json.dumps({"clientId": cid}), token=t)
            assert code == 1 and "FAILED_PRECONDITION" in err and "receivables" in err, (code, err)
        finally:
            stop(proc)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def download(ch, method, request):
    """The header and the bytes of a streamed document."""
    header, data = None, bytearray()
    for chunk in ch.server_stream(method, request, response_class=documents_pb2.DocumentChunk, timeout=60):
        if chunk.WhichOneof("part") == "header":
            assert header is None and not data, "the header comes first, once"
            header = chunk.header
        else:
            assert header is not None and len(chunk.data) <= 64 * 1024
            data += chunk.data
    assert header is not None
    assert hashlib.sha256(data).hexdigest() == header.sha256 and header.size_bytes == len(data), header
    return header, bytes(data)


def money(cents):
    return "%d,%02d" % (int(cents) // 100, int(cents) % 100)


def documents_through_the_python_client():
    data = tempfile.mkdtemp(prefix="conton-fees-docs-")
    try:
        proc, port, lines = serve(data, OWNER_ENV)
        try:
            t = token_for(data, port)
            ok(data, port, "conton.office.v1.Office/UpdateProfile", {"profile": {"registration": {
                "legalName": "Contabilidade Exemplo Ltda", "cnpj": "11.222.333/0001-81",
                "address": {"city": "São Paulo", "uf": "SP"}}}}, t)
            joao = new_client(data, port, t, "João da Conceição", "111.444.777-35")
            padaria = new_client(data, port, t, "Padaria; \"Pão\" Quente", "529.982.247-25", due_day=31)
            ok(data, port, "conton.fees.v1.Fees/GenerateFees",
               {"clientIds": [joao, padaria], "startMonth": "2024-01", "repeat": True, "times": 6}, t)
            listed = ok(data, port, "conton.fees.v1.Receivables/ListReceivables", {"pageSize": 1000}, t)
            first = listed["receivables"][0]
            settled = ok(data, port, "conton.fees.v1.Receivables/SettleReceivable", {
                "receivableId": first["id"], "paymentDate": "2024-01-10", "amountPaidCents": "123456",
                "interestCents": "0", "discountCents": str(150000 - 123456), "method": "PAYMENT_METHOD_PIX"}, t)
            number = int(settled["receipt"]["number"])
            listed = ok(data, port, "conton.fees.v1.Receivables/ListReceivables", {"pageSize": 1000}, t)
            with Channel("127.0.0.1", port, data + "/tls/ca.pem", token=t) as ch:
                header, pdf = download(ch, "conton.fees.v1.Receivables/PrintReceipt", fees_pb2.PrintReceiptRequest(number=number))
                assert header.content_type == "application/pdf" and pdf.startswith(b"%PDF-") and header.pages == 1, header
                assert header.file_name == "recibo-%d.pdf" % number, header
                verified = ch.unary("conton.documents.v1.Documents/VerifyDocument",
                                    documents_pb2.VerifyDocumentRequest(sha256=header.sha256),
                                    response_class=documents_pb2.VerifyDocumentResponse)
                assert verified.issued and verified.document.title == "Recibo nº %d" % number, verified
                assert verified.document.verification_code == header.verification_code, verified

                request = fees_pb2.ExportReceivablesRequest(format=documents_pb2.DOCUMENT_FORMAT_CSV)
                header, raw = download(ch, "conton.fees.v1.Receivables/ExportReceivables", request)
                assert header.content_type == "text/csv; charset=utf-8" and raw.startswith(b"\xef\xbb\xbf"), header
                rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
                assert rows[0][:3] == ["Nº", "Cliente", "CPF/CNPJ"], rows[0]
                body = [r for r in rows[1:] if r[0] != "Total"]
                totals = [r for r in rows[1:] if r[0] == "Total"]
                expected = listed["receivables"]
                assert [r[0] for r in body] == [r["id"] for r in expected], (body, expected)
                for row, r in zip(body, expected):
                    assert row[1] == r["clientName"] and row[2] == r["clientDocumentFormatted"], (row, r)
                    assert row[7] == money(r["amountCents"]) and row[8] == money(r.get("balanceCents", "0")), (row, r)
                assert any(row[1] == "Padaria; \"Pão\" Quente" for row in body), body
                want = listed["totals"] + [listed["total"]]
                assert len(totals) == 5, totals
                for row, w in zip(totals, want):
                    count = int(w.get("count", "0"))
                    assert row[3] == "%s %s" % ("{:,}".format(count).replace(",", "."), "recebível" if count == 1 else "recebíveis"), (row, w)
                    assert row[7] == money(w.get("amountCents", "0")) and row[8] == money(w.get("balanceCents", "0")), (row, w)
                    assert row[9] == money(w.get("receivedCents", "0")), (row, w)
                assert [r[6] for r in totals] == ["A vencer", "Vencido", "Pago", "Cancelado", "Todas"], totals
                verified = ch.unary("conton.documents.v1.Documents/VerifyDocument",
                                    documents_pb2.VerifyDocumentRequest(code=header.verification_code),
                                    response_class=documents_pb2.VerifyDocumentResponse)
                assert verified.issued and verified.document.kind == "receivables-list", verified

                # A bad filter: INVALID_ARGUMENT naming filter.due_from.
                try:
                    download(ch, "conton.fees.v1.Receivables/ExportReceivables", fees_pb2.ExportReceivablesRequest(
                        filter=fees_pb2.ListReceivablesRequest(due_from="2024-13-01")))
                    raise AssertionError("accepted")
                except ContonError as e:
                    assert e.code == 3 and [f for f, _ in e.field_violations] == ["filter.due_from"], e
            print("documents via the Python client: ok (receipt %d bytes, CSV %d rows)" % (len(pdf), len(body)))
        finally:
            stop(proc)
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    run_scenarios(contract_examples_through_the_cli, documents_through_the_python_client)
