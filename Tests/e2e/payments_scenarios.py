#!/usr/bin/env python3
"""The payments plugin end to end against a release `conton serve`: the issue's contract examples
through the `conton call` CLI (CreateSupplier; CreatePayables of R$ 3.000,00 in 3 instalments →
three of R$ 1.000,00 due 2026-12-10, 2027-01-10, 2027-02-10; ListPayables pending over the period
→ the three with count 3 and sum "300000"; without a period → the current month in São Paulo),
bad input named field by field, settlement with interest, DecodeBoletoLine of a bank slip, and
the printed list through `conton download` (the CSV read with Python's csv module and compared
with ListPayables; the PDF's text through pdftotext).

Usage: payments_scenarios.py PATH/TO/conton
"""
import csv
import datetime
import io
import json
import os
import shutil
import subprocess
import tempfile

from conton_e2e import OWNER_ENV, call, download, run_scenarios, serve, stop, token_for


def ok(data, port, method, body, token):
    code, out, err = call(data, port, method, json.dumps(body), token=token)
    assert code == 0, (method, code, out, err)
    return json.loads(out.splitlines()[-1])


def contract_examples_through_the_cli():
    data = tempfile.mkdtemp(prefix="conton-payments-")
    try:
        proc, port, _ = serve(data, OWNER_ENV)
        try:
            t = token_for(data, port)
            supplier = ok(data, port, "conton.payments.v1.Suppliers/CreateSupplier",
                          {"supplier": {"personType": "PERSON_TYPE_COMPANY", "name": "Imobiliária Central Ltda",
                                        "document": "11.222.333/0001-81"}}, t)["supplier"]
            assert supplier["documentFormatted"] == "11.222.333/0001-81" and supplier["status"] == "SUPPLIER_STATUS_ACTIVE", supplier
            created = ok(data, port, "conton.payments.v1.Payables/CreatePayables",
                         {"payable": {"supplierId": supplier["id"], "description": "Licença anual do sistema", "amountCents": "300000",
                                      "dueDate": "2026-12-10"}, "instalments": {"count": 3}}, t)["payables"]
            assert [p["amountCents"] for p in created] == ["100000"] * 3, created
            assert [p["dueDate"] for p in created] == ["2026-12-10", "2027-01-10", "2027-02-10"], created
            assert [(p["instalmentNumber"], p["instalmentCount"]) for p in created] == [(1, 3), (2, 3), (3, 3)], created
            listed = ok(data, port, "conton.payments.v1.Payables/ListPayables",
                        {"status": "PAYABLE_STATUS_FILTER_PENDING", "period": {"from": "2026-12-01", "to": "2027-02-28"}}, t)
            assert [p["id"] for p in listed["payables"]] == [p["id"] for p in created], listed
            assert listed["totals"]["count"] == 3 and listed["totals"]["sumCents"] == "300000", listed["totals"]
            assert listed["totals"]["pending"]["count"] == 3, listed["totals"]

            # Without a period: the current month in the office's time zone (UTC−3), by due date.
            today = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=3)).date()
            month = ok(data, port, "conton.payments.v1.Payables/ListPayables", {}, t)
            first = today.replace(day=1)
            last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            assert month["period"] == {"from": first.isoformat(), "to": last.isoformat()}, month["period"]
            expected = [p["id"] for p in created if first.isoformat() <= p["dueDate"] <= last.isoformat()]
            assert [p["id"] for p in month.get("payables", [])] == expected, month

            # Bad input: every violation at once, by field, nothing written.
            code, out, err = call(data, port, "conton.payments.v1.Payables/CreatePayables", json.dumps(
                {"payable": {"supplierId": supplier["id"], "amountCents": "0", "dueDate": "2026-02-30"}, "instalments": {"count": 361}}), token=t)
            assert code == 1 and "INVALID_ARGUMENT" in err, (code, err)
            for field in ("payable.description", "payable.amount_cents", "payable.due_date", "instalments.count"):
                assert "  %s: " % field in err, (field, err)
            after = ok(data, port, "conton.payments.v1.Payables/ListPayables", {"period": {"from": "2000-01-01", "to": "2100-12-31"}}, t)
            assert after["totals"]["count"] == 3, after["totals"]

            # Settle the first with R$ 5,00 of interest/fine: paid, R$ 1.005,00 out.
            settled = ok(data, port, "conton.payments.v1.Payables/SettlePayable",
                         {"payableId": created[0]["id"], "paymentDate": today.isoformat(), "interestCents": "500"}, t)
            assert settled["payable"]["status"] == "PAYABLE_STATUS_PAID" and settled["payment"]["amountPaidCents"] == "100500", settled

            # A pasted linha digitável (Bradesco, R$ 987,65) and a mistyped one.
            line = "23793.38102 90000.001231 45005.432104 2 16560000098765"
            decoded = ok(data, port, "conton.payments.v1.Payables/DecodeBoletoLine", {"line": line}, t)
            assert decoded["bankCode"] == "237" and decoded["amountCents"] == "98765" and decoded["kind"] == "BOLETO_KIND_BANK", decoded
            code, out, err = call(data, port, "conton.payments.v1.Payables/DecodeBoletoLine",
                                  json.dumps({"line": line.replace("001231", "001232")}), token=t)
            assert code == 1 and "line: the check digit of field 2 (digit 21) is 2; it should be 1" in err, err

            # "Imprimir resultado": the same filter as CSV and PDF.
            body = json.dumps({"filter": {"period": {"from": "2026-12-01", "to": "2027-02-28"}}, "format": "DOCUMENT_FORMAT_CSV"})
            out_csv = os.path.join(data, "pagamentos.csv")
            code, out, err = download(data, port, "conton.payments.v1.Payables/ExportPayables", body, out_csv, token=t)
            assert code == 0, (code, out, err)
            with open(out_csv, encoding="utf-8-sig") as f:
                rows = list(csv.reader(io.StringIO(f.read()), delimiter=";"))
            assert rows[0][:4] == ["Nº", "Fornecedor", "CPF/CNPJ", "Referente a"], rows[0]
            body_rows = [r for r in rows[1:] if r[0] != "Total"]
            assert [r[0] for r in body_rows] == [p["id"] for p in created], rows
            assert body_rows[0][3] == "Licença anual do sistema (1/3)" and body_rows[0][13] == "1005,00", body_rows[0]
            total = [r for r in rows if r[0] == "Total" and r[9] == "Total"]
            assert total and total[0][3] == "3" and total[0][10] == "3000,00", rows
            out_pdf = os.path.join(data, "pagamentos.pdf")
            code, out, err = download(data, port, "conton.payments.v1.Payables/ExportPayables", body.replace("CSV", "PDF"), out_pdf, token=t)
            assert code == 0, (code, out, err)
            text = subprocess.run(["pdftotext", "-layout", out_pdf, "-"], capture_output=True, text=True, check=True).stdout
            for expected_text in ("Pagamentos", "Licença anual do sistema (3/3)", "R$ 3.000,00", "Total geral"):
                assert expected_text in text, (expected_text, text)
        finally:
            stop(proc)
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    run_scenarios(contract_examples_through_the_cli)
