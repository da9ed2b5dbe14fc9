#!/usr/bin/env python3
"""Renders the sample pages shown in docs/DOCUMENTS.md and docs/FEES.md: a real server (the
release binary), Meus Dados with a logo, clients with fees, one settled; the ficha, the client
list, a receipt and the receivables list through `conton download`, the first page of each
turned into a PNG by pdftoppm.

usage: scripts/document-samples.py [.build/release/conton] [OUT_DIR=docs/images]
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "e2e"))
binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/conton"
out_dir = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "docs/images")
sys.argv = [sys.argv[0], binary]
from conton_e2e import OWNER_ENV, call, download, running, token_for  # noqa: E402


def logo_png(width=240, height=90):
    """A plain logo: a dark blue block with a lighter bar, as an RGB PNG."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            bar = 30 <= y < 60 and 20 <= x < width - 20
            row += bytes((90, 140, 210) if bar else (20, 50, 110))
        rows.append(bytes(row))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


def ok(result):
    code, out, err = result
    assert code == 0, (code, out, err)
    return out


data = tempfile.mkdtemp(prefix="conton-samples-")
try:
    with running(data, OWNER_ENV) as (proc, port, _):
        t = token_for(data, port)
        import base64
        ok(call(data, port, "conton.office.v1.Office/UpdateProfile", json.dumps({"profile": {"registration": {
            "legalName": "Conceição Serviços Contábeis Ltda", "tradeName": "Conceição Contábil", "cnpj": "11.222.333/0001-81",
            "address": {"street": "Rua São Bento", "number": "365", "complement": "conj. 42", "district": "Centro",
                        "city": "São Paulo", "uf": "SP", "cep": "01011-100"},
            "phone": "(11) 3105-2020", "email": "contato@conceicaocontabil.com.br"}}, "updateMask": ["registration"]}), token=t))
        ok(call(data, port, "conton.office.v1.Office/SetLogo", json.dumps({"image": base64.b64encode(logo_png()).decode()}), token=t))
        client = json.loads(ok(call(data, port, "conton.clients.v1.Clients/CreateClient", json.dumps({"client": {
            "personType": "PERSON_TYPE_COMPANY", "name": "Padaria Pão Quente da Conceição Ltda", "tradeName": "Pão Quente",
            "document": "12.ABC.345/01DE-35", "email": "contato@paoquente.com.br", "otherEmails": ["fiscal@paoquente.com.br"],
            "phones": ["(11) 98765-4321"], "stateRegistration": "ISENTO", "taxRegime": "TAX_REGIME_SIMPLES_NACIONAL",
            "address": {"cep": "01310-100", "street": "Avenida Paulista", "number": "1000", "district": "Bela Vista",
                        "city": "São Paulo", "uf": "SP"},
            "contactPerson": "João da Conceição", "monthlyFeeCents": "123456", "feeDueDay": 10, "clientSince": "2020-03-01",
            "notes": "Entrega a documentação até o dia 5; prefere e-mail."}}), token=t)))["client"]
        for i, (name, cpf) in enumerate([("Ana Beatriz Gonçalves", "111.444.777-35"), ("José Antônio Araújo", "529.982.247-25"),
                                         ("Márcia Conceição Lima", "390.533.447-05"), ("Sérgio Fernandes", "168.995.350-09")]):
            ok(call(data, port, "conton.clients.v1.Clients/CreateClient", json.dumps({"client": {
                "personType": "PERSON_TYPE_INDIVIDUAL", "name": name, "document": cpf, "email": "c%d@example.com" % i,
                "phones": ["(11) 9%04d-%04d" % (1000 + i, 2000 + i)], "taxRegime": "TAX_REGIME_PESSOA_FISICA",
                "monthlyFeeCents": str(35000 + 5000 * i)}}), token=t))
        ids = [c["id"] for c in json.loads(ok(call(data, port, "conton.clients.v1.Clients/ListClients", "{}", token=t)))["clients"]]
        ok(call(data, port, "conton.fees.v1.Fees/GenerateFees", json.dumps(
            {"clientIds": ids, "startMonth": "2026-09", "repeat": True, "times": 3}), token=t))
        receivables = json.loads(ok(call(data, port, "conton.fees.v1.Receivables/ListReceivables",
                                         json.dumps({"clientId": client["id"]}), token=t)))["receivables"]
        settled = json.loads(ok(call(data, port, "conton.fees.v1.Receivables/SettleReceivable", json.dumps({
            "receivableId": receivables[0]["id"], "paymentDate": "2026-09-10", "amountPaidCents": "123456",
            "method": "PAYMENT_METHOD_PIX"}), token=t)))
        pdfs = os.path.join(data, "pdf")
        os.mkdir(pdfs)
        ok(download(data, port, "conton.fees.v1.Receivables/PrintReceipt", json.dumps({"number": settled["receipt"]["number"]}),
                    os.path.join(pdfs, "receipt.pdf"), token=t))
        ok(download(data, port, "conton.fees.v1.Receivables/ExportReceivables", '{"filter":{}}',
                    os.path.join(pdfs, "receivables-list.pdf"), token=t))
        ok(download(data, port, "conton.clients.v1.Clients/PrintClientRecord", json.dumps({"clientId": client["id"]}),
                    os.path.join(pdfs, "client-sheet.pdf"), token=t))
        ok(download(data, port, "conton.clients.v1.Clients/ExportClientList", '{"filter":{}}',
                    os.path.join(pdfs, "clients-list.pdf"), token=t))
        for name in ("client-sheet", "clients-list", "receipt", "receivables-list"):
            subprocess.run(["pdftoppm", "-r", "80", "-f", "1", "-l", "1", "-png", "-singlefile",
                            os.path.join(pdfs, name + ".pdf"), os.path.join(out_dir, name)], check=True)
            print("wrote", os.path.join(out_dir, name + ".png"))
finally:
    shutil.rmtree(data, ignore_errors=True)
