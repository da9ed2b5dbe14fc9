#!/usr/bin/env python3
"""Cobrança end to end against a release `conton serve`, through the Python reference client over
real TLS, checked by code written here and not by the server's:

- Meus Dados with Banco do Brasil and a Pix key; a client with an address; a receivable;
- IssueBoleto: the bar code's general check digit (mod 11) and the linha digitável's field digits
  (mod 10) recomputed here; the due-date factor from 1997-10-07 with its 2025-02-22 restart;
- GetPixCharge: the BR Code's CRC-16/CCITT-FALSE recomputed by Python's binascii, and its QR PNG
  read by zbarimg;
- PrintBoleto: the PDF's bar code read by zbarimg (pdftoppm at 300 dpi) gives the 44 digits;
- ExportRemessa: the CNAB 240 file read here (240 columns, P/Q/R, the nosso número at 38-57);
- a retorno written here from that remessa (FEBRABAN's T/U positions), the boleto paid with
  interest: ImportRetorno settles the receivable with a receipt; the same file again changes
  nothing; a line cut short is INVALID_ARGUMENT naming its line.

Usage: billing_scenarios.py PATH/TO/conton
"""
import binascii
import datetime
import os
import shutil
import subprocess
import tempfile

from conton_client import Channel, ContonError, StatusCode
from conton_client.gen.conton.billing.v1 import billing_pb2 as B
from conton_client.gen.conton.clients.v1 import clients_pb2
from conton_client.gen.conton.documents.v1 import documents_pb2
from conton_client.gen.conton.fees.v1 import fees_pb2
from conton_client.gen.conton.office.v1 import office_pb2
from conton_e2e import OWNER_ENV, run_scenarios, running, token_for

BS = "conton.billing.v1.Billing/"


def mod11_barcode_digit(digits43):
    """FEBRABAN's general digit: weights 2..9 from the right; 0, 10 and 11 become 1."""
    total, weight = 0, 2
    for d in reversed(digits43):
        total += int(d) * weight
        weight = 2 if weight == 9 else weight + 1
    r = 11 - total % 11
    return 1 if r in (0, 10, 11) else r


def mod10(field):
    """A linha digitável field's digit: weights 2, 1 from the right, products' digits summed."""
    total, weight = 0, 2
    for d in reversed(field):
        p = int(d) * weight
        total += p // 10 + p % 10
        weight = 1 if weight == 2 else 2
    return (10 - total % 10) % 10


def due_factor(iso):
    """Days since 1997-10-07; from 2025-02-22 on it restarts at 1000 (every 9,000 days)."""
    days = (datetime.date.fromisoformat(iso) - datetime.date(1997, 10, 7)).days
    return days if days <= 9999 else (days - 10000) % 9000 + 1000


def tlv(payload):
    out, i = {}, 0
    while i < len(payload):
        tag, size = payload[i:i + 2], int(payload[i + 2:i + 4])
        out[tag] = payload[i + 4:i + 4 + size]
        i += 4 + size
    return out


def zbar(path):
    result = subprocess.run(["zbarimg", "-q", "--raw", path], capture_output=True, text=True, timeout=60)
    return result.stdout.splitlines()


def stream_bytes(ch, method, request, response_class):
    first, data = None, bytearray()
    for chunk in ch.server_stream(method, request, response_class=response_class, timeout=120):
        part = chunk.WhichOneof("part")
        if part == "data":
            data += chunk.data
        else:
            assert first is None and not data, "the header comes first, once"
            first = getattr(chunk, part)
    return first, bytes(data)


def cnab(text):
    lines = text.split("\r\n")
    assert lines[-1] == "", "every line ends in CR LF"
    lines = lines[:-1]
    assert all(len(line) == 240 for line in lines), [len(line) for line in lines]
    return lines


def retorno_from(remessa_lines, sequence, occurrences, day):
    """A retorno as the bank writes it for that remessa, by FEBRABAN's positions (1-based,
    inclusive): header with 143 = '2'; a lot; per boleto a T (movement, nosso número 38-57, due
    date 74-81, face value 82-96, tariff 199-213) and a U (interest 18-32, discount 33-47, paid
    78-92, net credit 93-107, occurrence date 138-145, credit date 146-153)."""
    def put(line, start, end, value):
        assert len(value) == end - start + 1, (start, end, value)
        return line[:start - 1] + value + line[end:]

    def num(value, width):
        return str(value).rjust(width, "0")

    ddmmyyyy = day.strftime("%d%m%Y")
    header = put(remessa_lines[0], 143, 143, "2")
    header = put(header, 144, 151, ddmmyyyy)
    header = put(header, 158, 163, num(sequence, 6))
    bank = header[0:3]
    lot = put(remessa_lines[1], 9, 9, "T")
    out, seq = [header, lot], 0
    for nosso_numero, movement, due_ddmmyyyy, face, paid, interest in occurrences:
        seq += 1
        t = bank + "0001" + "3" + num(seq, 5) + "T" + " " + movement + " " * 223
        t = put(t, 38, 57, nosso_numero.ljust(20))
        t = put(t, 74, 81, due_ddmmyyyy)
        t = put(t, 82, 96, num(face, 15))
        t = put(t, 199, 213, num(0, 15))
        seq += 1
        u = bank + "0001" + "3" + num(seq, 5) + "U" + " " + movement + "0" * 223
        u = put(u, 18, 32, num(interest, 15))
        u = put(u, 33, 47, num(0, 15))
        u = put(u, 78, 92, num(paid, 15))
        u = put(u, 93, 107, num(paid, 15))
        u = put(u, 138, 145, ddmmyyyy)
        u = put(u, 146, 153, ddmmyyyy)
        assert len(t) == 240 and len(u) == 240
        out += [t, u]
    out.append(put(bank + "0001" + "5" + " " * 232, 18, 23, num(seq + 2, 6)))
    out.append(put(bank + "9999" + "9" + " " * 232, 24, 29, num(len(out) + 1, 6)))
    return "".join(line + "\r\n" for line in out)


def chunks(text, name):
    yield B.RetornoChunk(file_name=name)
    data = text.encode("ascii")
    for i in range(0, len(data), 1000):
        yield B.RetornoChunk(data=data[i:i + 1000])


def the_bank_loop_through_the_python_client():
    data = tempfile.mkdtemp(prefix="conton-billing-")
    try:
        with running(data, OWNER_ENV) as (proc, port, _):
            ch = Channel("127.0.0.1", port, data + "/tls/ca.pem", token=token_for(data, port))
            profile = office_pb2.UpdateProfileRequest(update_mask=["registration", "boleto", "pix"])
            r = profile.profile.registration
            r.trade_name, r.legal_name, r.cnpj = "Conceição Contábil", "Conceição Serviços Contábeis Ltda", "11222333000181"
            r.address.city, r.address.uf = "São Paulo", "SP"
            b = profile.profile.boleto
            b.bank_code, b.agency, b.agency_digit, b.account, b.account_digit = "001", "1234", "3", "12345", "5"
            b.wallet, b.wallet_variation, b.beneficiary_code = "17", "019", "1234567"
            b.fine_basis_points, b.monthly_interest_basis_points = 200, 100
            profile.profile.pix.type = office_pb2.PIX_KEY_TYPE_CNPJ
            profile.profile.pix.value = "11222333000181"
            ch.unary("conton.office.v1.Office/UpdateProfile", profile, response_class=office_pb2.UpdateProfileResponse)

            create = clients_pb2.CreateClientRequest()
            c = create.client
            c.person_type = clients_pb2.PERSON_TYPE_INDIVIDUAL
            c.name, c.document, c.email = "Joana Araújo", "529.982.247-25", "joana@example.com"
            a = c.address
            a.cep, a.street, a.number, a.district, a.city, a.uf = "13010-000", "Rua das Flores", "12", "Centro", "Campinas", "SP"
            client = ch.unary("conton.clients.v1.Clients/CreateClient", create, response_class=clients_pb2.CreateClientResponse).client
            due = (datetime.date.today() + datetime.timedelta(days=20)).isoformat()
            receivable = ch.unary("conton.fees.v1.Receivables/CreateReceivable",
                                  fees_pb2.CreateReceivableRequest(client_id=client.id, description="Honorários 12/2026",
                                                                   amount_cents=150000, due_date=due),
                                  response_class=fees_pb2.CreateReceivableResponse).receivable

            boleto = ch.unary(BS + "IssueBoleto", B.IssueBoletoRequest(receivable_id=receivable.id),
                              response_class=B.IssueBoletoResponse).boleto
            bar = boleto.barcode
            assert len(bar) == 44 and bar[:4] == "0019", bar
            assert int(bar[4]) == mod11_barcode_digit(bar[:4] + bar[5:]), bar
            assert int(bar[5:9]) == due_factor(due) and int(bar[9:19]) == 150000, (bar, due)
            line = boleto.digitable_line
            assert len(line) == 47, line
            assert line[:9] == bar[:4] + bar[19:24] and int(line[9]) == mod10(line[:9]), line
            assert line[10:20] == bar[24:34] and int(line[20]) == mod10(line[10:20]), line
            assert line[21:31] == bar[34:44] and int(line[31]) == mod10(line[21:31]), line
            assert line[32] == bar[4] and line[33:] == bar[5:19], line
            # BB, 7-digit convênio: campo livre = 000000 + convênio + sequence (17) + carteira.
            assert bar[19:25] == "000000" and bar[25:42] == boleto.nosso_numero.replace("-", "")[-17:] and bar[42:] == "17", bar

            pix = ch.unary(BS + "GetPixCharge", B.GetPixChargeRequest(receivable_id=receivable.id),
                           response_class=B.GetPixChargeResponse).charge
            payload = pix.payload
            assert payload[-8:-4] == "6304" and payload[-4:] == "%04X" % binascii.crc_hqx(payload[:-4].encode(), 0xFFFF), payload
            fields = tlv(payload)
            assert tlv(fields["26"])["00"] == "br.gov.bcb.pix" and tlv(fields["26"])["01"] == "11222333000181", fields
            assert fields["54"] == "1500.00" and fields["53"] == "986" and fields["58"] == "BR", fields
            assert fields["59"].isascii() and len(fields["59"]) <= 25 and len(fields["60"]) <= 15, fields
            assert tlv(fields["62"])["05"] == pix.txid and len(pix.txid) <= 25 and pix.txid.isalnum(), fields
            png = os.path.join(data, "pix.png")
            with open(png, "wb") as f:
                f.write(pix.qr_png)
            assert zbar(png) == [payload], zbar(png)

            header, pdf = stream_bytes(ch, BS + "PrintBoleto", B.PrintBoletoRequest(boleto_id=boleto.id), documents_pb2.DocumentChunk)
            assert header.content_type == "application/pdf" and pdf.startswith(b"%PDF"), header
            path = os.path.join(data, "boleto.pdf")
            with open(path, "wb") as f:
                f.write(pdf)
            subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", path, os.path.join(data, "page")], check=True, timeout=60)
            assert bar in zbar(os.path.join(data, "page.png")), zbar(os.path.join(data, "page.png"))

            remessa, file = stream_bytes(ch, BS + "ExportRemessa", B.ExportRemessaRequest(), B.RemessaChunk)
            lines = cnab(file.decode("ascii"))
            assert remessa.boletos == 1 and remessa.total_cents == 150000 and lines[0][:3] == "001", remessa
            assert lines[0][7] == "0" and lines[0][142] == "1" and lines[1][7] == "1", lines[:2]
            details = [l for l in lines if l[7] == "3"]
            assert [l[13] for l in details] == ["P", "Q", "R"] and details[0][15:17] == "01", details
            assert details[0][37:57].strip() == bar[25:42], details[0][37:57]
            assert details[0][77:85] == datetime.date.fromisoformat(due).strftime("%d%m%Y") and int(details[0][85:100]) == 150000
            assert details[1][18:33].endswith("52998224725"), details[1][18:33]

            # The bank reports it paid with R$ 32,50 of late charges (juros + multa, as banks report them).
            today = datetime.date.today()
            retorno = retorno_from(lines, 1, [(bar[25:42], "06", details[0][77:85], 150000, 153250, 3250)], today)
            result = ch.client_stream(BS + "ImportRetorno", chunks(retorno, "retorno-001.ret"), response_class=B.ImportRetornoResponse)
            assert result.paid == 1 and result.paid_cents == 153250 and not result.already_imported, result
            o = result.occurrences[0]
            assert o.outcome == B.OCCURRENCE_OUTCOME_APPLIED and o.receipt_number > 0 and o.interest_cents == 3250, o
            settled = ch.unary("conton.fees.v1.Receivables/GetReceivable", fees_pb2.GetReceivableRequest(receivable_id=receivable.id),
                               response_class=fees_pb2.GetReceivableResponse).receivable
            assert settled.status == fees_pb2.RECEIVABLE_STATUS_PAID and settled.received_cents == 153250, settled
            receipt = ch.unary("conton.fees.v1.Receivables/GetReceipt", fees_pb2.GetReceiptRequest(number=o.receipt_number),
                               response_class=fees_pb2.GetReceiptResponse).receipt
            assert receipt.receivable_id == receivable.id and receipt.amount_cents == 153250, receipt
            got = ch.unary(BS + "GetBoleto", B.GetBoletoRequest(boleto_id=boleto.id), response_class=B.GetBoletoResponse).boleto
            assert got.status == B.BOLETO_STATUS_PAID, got

            again = ch.client_stream(BS + "ImportRetorno", chunks(retorno, "retorno-001.ret"), response_class=B.ImportRetornoResponse)
            assert again.already_imported and again.retorno_id == result.retorno_id and again.paid == 1, again
            short = retorno.split("\r\n")
            short[2] = short[2][:200]
            broken = "\r\n".join(short)
            try:
                ch.client_stream(BS + "ImportRetorno", chunks(broken, "cut.ret"), response_class=B.ImportRetornoResponse)
                raise AssertionError("a cut line was accepted")
            except ContonError as e:
                assert e.code == StatusCode.INVALID_ARGUMENT, e
                assert any(f == "data" and "line 3" in d for f, d in e.field_violations), e.field_violations
            ch.close()
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    run_scenarios(the_bank_loop_through_the_python_client)
