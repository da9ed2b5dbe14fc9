#!/usr/bin/env python3
"""Oracle for BoletoLineTests: FEBRABAN boletos written from the published rules, standard
library only (datetime for the due dates), independently of ContonBrazil's BoletoLine.

Rules:

* bank slip (boleto bancario), barcode of 44: bank(3) currency(1, 9) general-DV(1) factor(4)
  amount(10) campo-livre(25); general DV = mod 11 of the other 43 digits, weights 2..9 from the
  right, 11 - r, with 0, 10 and 11 -> 1. Line of 47: field 1 = bank + currency + campo livre
  1-5 + mod-10 DV; field 2 = campo livre 6-15 + DV; field 3 = campo livre 16-25 + DV; the general
  DV; field 5 = factor + amount. Mod 10: weights 2, 1, ... from the right, digits of each product
  summed, (10 - s % 10) % 10.
* due-date factor: days since 1997-10-07; restarted at 1000 on 2025-02-22 (cycles 9000 days
  apart); the cycle nearest to "today" wins (on a tie the later); 0000: no due date.
* collection slip (arrecadacao), barcode of 44: 8, segment, value type (6/7 mod 10, 8/9 mod 11),
  general DV, value(11), rest(29). Mod 11 here: r = s % 11 -> 0 when r is 0 or 1, 1 when r is 10,
  else 11 - r (FEBRABAN "Layout Padrao de Arrecadacao/Recebimento com Utilizacao do Codigo de
  Barras"). Line of 48: four blocks of 11 barcode digits, each + its DV by the same module.

Usage:
  boleto_lines.py table     prints the Swift rows embedded in BoletoLineTests.swift
  boleto_lines.py judge     stdin: [{"input", "today"}] -> [verdict], see judge()
"""
import json
import random
import sys
import unicodedata
from datetime import date, timedelta

BASE = date(1997, 10, 7)


# MARK: check digits

def mod10(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += sum(int(c) for c in str(product))
    return (10 - total % 10) % 10


def weighted11(digits):
    weight, total = 2, 0
    for ch in reversed(digits):
        total += int(ch) * weight
        weight = 2 if weight == 9 else weight + 1
    return total


def bank_dv(digits43):
    dv = 11 - weighted11(digits43) % 11
    return 1 if dv in (0, 10, 11) else dv


def collection_mod11(digits):
    r = weighted11(digits) % 11
    if r in (0, 1):
        return 0
    if r == 10:
        return 1
    return 11 - r


def collection_module(value_type):
    return mod10 if value_type in "67" else collection_mod11


# MARK: building slips

def factor_of(due):
    n = (due - BASE).days
    if n < 10000:
        assert 1000 <= n, due
        return n
    return 1000 + (n - 10000) % 9000


def bank_barcode(bank, factor, amount, free):
    assert len(bank) == 3 and len(free) == 25
    body = bank + "9" + "%04d" % factor + "%010d" % amount + free
    return body[:4] + str(bank_dv(body)) + body[4:]


def bank_line(barcode):
    f1, f2, f3 = barcode[0:4] + barcode[19:24], barcode[24:34], barcode[34:44]
    return f1 + str(mod10(f1)) + f2 + str(mod10(f2)) + f3 + str(mod10(f3)) + barcode[4] + barcode[5:19]


def collection_barcode(segment, value_type, value, rest):
    assert len(value) == 11 and len(rest) == 29
    body = "8" + str(segment) + value_type + value + rest
    dv = collection_module(value_type)(body)
    return body[:3] + str(dv) + body[3:]


def collection_line(barcode):
    check = collection_module(barcode[2])
    return "".join(barcode[i:i + 11] + str(check(barcode[i:i + 11])) for i in range(0, 44, 11))


def formatted(line):
    if len(line) == 47:
        return "%s.%s %s.%s %s.%s %s %s" % (line[0:5], line[5:10], line[10:15], line[15:21],
                                            line[21:26], line[26:32], line[32], line[33:])
    return " ".join(line[i:i + 11] + "-" + line[i + 11] for i in range(0, 48, 12))


# MARK: judging (the full decoder, messages included)

class Refused(Exception):
    def __init__(self, reason, description, position=None, expected=None):
        super().__init__(description)
        self.verdict = {"ok": False, "reason": reason, "position": position,
                        "expected": None if expected is None else str(expected), "description": description}


def check_digit(what, position, found, expected):
    name = "the general check digit" if what == "general" else "the check digit of " + what
    return Refused("CHECK_DIGIT", "%s (digit %d) is %s; it should be %d" % (name, position, found, expected),
                   position, expected)


# Unicode's White_Space property (Swift's Unicode.Scalar.Properties.isWhitespace); str.isspace()
# differs (it also takes U+001C..U+001F).
WHITE_SPACE = set("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") \
    | {chr(c) for c in range(0x2000, 0x200B)}


def is_separator(ch):
    """Blanks, '.', '-', '/', any dash (Pd) and invisible formatting characters (Cf)."""
    return ch in ".-/" or ch in WHITE_SPACE or unicodedata.category(ch) in ("Pd", "Cf")


def quoted(ch):
    if ch in WHITE_SPACE or unicodedata.category(ch) in ("Cc", "Cf", "Mn", "Cn"):
        return "U+%04X" % ord(ch)
    return "'%s'" % ch


def due_date(factor, today):
    if factor == 0:
        return ""
    cycles = range(0, 12) if factor >= 1000 else range(0, 1)
    candidates = [BASE + timedelta(days=factor + 9000 * k) for k in cycles]
    best = min(candidates, key=lambda d: (abs((d - today).days), -d.toordinal()))
    return best.isoformat()


def decode(raw, today_text):
    try:
        if len(today_text) != 10 or today_text[4] != "-" or today_text[7] != "-" \
                or not all(c in "0123456789" for c in today_text[:4] + today_text[5:7] + today_text[8:]):
            raise ValueError
        today = date(int(today_text[:4]), int(today_text[5:7]), int(today_text[8:]))
    except ValueError:
        raise Refused("TODAY", "today must be a date YYYY-MM-DD, not '%s'" % today_text)
    chars = [c for c in raw if not is_separator(c)]
    if not chars:
        raise Refused("EMPTY", "is empty")
    bad = []
    for c in chars:
        if c not in "0123456789" and c not in bad:
            bad.append(c)
    if bad:
        raise Refused("CHARACTERS", "has characters that are not digits: " + ", ".join(quoted(c) for c in bad))
    d = "".join(chars)
    if len(d) == 47:
        for field, start, end in ((1, 0, 9), (2, 10, 20), (3, 21, 31)):
            dv = mod10(d[start:end])
            if int(d[end]) != dv:
                raise check_digit("field %d" % field, end + 1, d[end], dv)
        return bank(d[0:4] + d[32] + d[33:47] + d[4:9] + d[10:20] + d[21:31], d, 33, today)
    if len(d) == 48:
        if d[0] != "8":
            raise Refused("FIRST_DIGIT", "has 48 digits, so it must be a utility/tax slip starting with 8; "
                          "digit 1 is %s" % d[0], 1, 8)
        check = module_of(d[2])
        for block in range(4):
            payload, typed = d[block * 12:block * 12 + 11], d[block * 12 + 11]
            if int(typed) != check(payload):
                raise check_digit("block %d" % (block + 1), block * 12 + 12, typed, check(payload))
        return collection("".join(d[i:i + 11] for i in range(0, 48, 12)), d)
    if len(d) == 44:
        return collection(d, None) if d[0] == "8" else bank(d, None, 5, today)
    raise Refused("LENGTH", "must have 47 digits (bank slip) or 48 (utility/tax slip), has %d" % len(d))


def module_of(value_type):
    if value_type not in "6789":
        raise Refused("VALUE_TYPE", "digit 3 (the value type) is %s; it must be 6, 7, 8 or 9" % value_type, 3)
    return collection_module(value_type)


def bank(barcode, line, general_position, today):
    if barcode[3] != "9":
        raise Refused("CURRENCY", "digit 4 (the currency) is %s; only 9 (real) is accepted" % barcode[3], 4, 9)
    dv = bank_dv(barcode[:4] + barcode[5:])
    if int(barcode[4]) != dv:
        raise check_digit("general", general_position, barcode[4], dv)
    line = line or bank_line(barcode)
    return {"ok": True, "kind": "bank", "digits": line, "barcode": barcode, "bank": barcode[:3], "segment": 0,
            "amount": int(barcode[9:19]), "due": due_date(int(barcode[5:9]), today), "formatted": formatted(line)}


def collection(barcode, line):
    check = module_of(barcode[2])
    dv = check(barcode[:3] + barcode[4:])
    if int(barcode[3]) != dv:
        raise check_digit("general", 4, barcode[3], dv)
    line = line or collection_line(barcode)
    amount = int(barcode[4:15]) if barcode[2] in "68" else 0
    return {"ok": True, "kind": "collection", "digits": line, "barcode": barcode, "bank": "",
            "segment": int(barcode[1]), "amount": amount, "due": "", "formatted": formatted(line)}


def judge(raw, today):
    try:
        return decode(raw, today)
    except Refused as refused:
        return refused.verdict


# MARK: the embedded table

def free_field(rng, n=25):
    return "".join(rng.choice("0123456789") for _ in range(n))


def valid_cases():
    """(input, today, note): lines built here plus published ones, each judged by decode()."""
    rng = random.Random(20250222)
    cases = []

    def bank_case(bank_code, due, amount, free, today, note, punctuate=True):
        factor = 0 if due is None else factor_of(due)
        line = bank_line(bank_barcode(bank_code, factor, amount, free))
        cases.append((formatted(line) if punctuate else line, today, note))
        return line

    # Banco do Brasil, convenio of 7 digits: 000000 + convenio + nosso numero complement + carteira.
    bank_case("001", date(2024, 5, 10), 123456, "000000" + "3128557" + "0000043986" + "17",
              "2024-05-01", "001 first cycle: due 2024-05-10 seen on 2024-05-01")
    # Bradesco: agencia(4) carteira(2) nosso numero(11) conta(7) 0.
    bank_case("237", date(2026, 12, 10), 98765, "3381" + "09" + "00000012345" + "0054321" + "0",
              "2026-12-01", "237 second cycle: due 2026-12-10 seen on 2026-12-01")
    # Same factor as 2026-12-10, read in 2002: the first cycle's date.
    line = bank_line(bank_barcode("237", factor_of(date(2026, 12, 10)), 98765,
                                  "3381" + "09" + "00000012345" + "0054321" + "0"))
    cases.append((line, "2002-04-01", "237 the same line read in 2002: the first cycle"))
    # Itau: carteira(3) nosso numero(8) DAC agencia(4) conta(5) DAC 000.
    bank_case("341", date(2025, 2, 21), 5000, "109" + "12345678" + "5" + "0057" + "12345" + "6" + "000",
              "2025-02-10", "341 factor 9999 (2025-02-21), the last day before the restart")
    bank_case("341", date(2025, 2, 21), 5000, "109" + "12345678" + "5" + "0057" + "12345" + "6" + "000",
              "2025-03-15", "341 factor 9999 seen after the restart: still 2025-02-21")
    # Caixa SIGCB: beneficiario(6) DV seq1(3) 1 seq2(3) 4 seq3(9) DV.
    bank_case("104", date(2025, 2, 22), 15000, "123456" + "7" + "000" + "1" + "000" + "4" + "000000123" + "8",
              "2025-02-20", "104 factor 1000 after the restart (2025-02-22)")
    bank_case("104", date(2000, 7, 3), 15000, "123456" + "7" + "000" + "1" + "000" + "4" + "000000123" + "8",
              "2000-07-01", "104 factor 1000 in the first cycle (2000-07-03)")
    bank_case("104", date(2025, 2, 23), 1, free_field(rng), "2012-01-01",
              "104 factor 1001 seen in 2012: the first cycle (2000-07-04)")
    bank_case("033", None, 0, "9" + "1234567" + "0000000012345" + "0" + "101",
              "2024-05-01", "033 factor 0000 and amount 0: no due date, no amount")
    bank_case("748", date(2024, 8, 30), 0, free_field(rng), "2024-08-01", "748 amount 0 with a due date")
    bank_case("756", date(2025, 6, 30), 9999999999, free_field(rng), "2025-06-01", "756 the largest amount")
    bank_case("260", date(2050, 1, 10), 4200, free_field(rng), "2050-01-01",
              "260 third cycle (after the 2049 restart)")
    bank_case("001", date(2024, 11, 29), 31000, free_field(rng), "2024-11-01",
              "001 bare digits", punctuate=False)
    # A pasted line with other separators: no-break spaces, an en dash, a zero-width space, slashes.
    line = bank_line(bank_barcode("422", factor_of(date(2025, 4, 1)), 77777, free_field(rng)))
    cases.append((line[:5] + "\u00a0" + line[5:10] + " \u2013 " + line[10:21] + "\u200b/" + line[21:32]
                  + "\t" + line[32] + "\n" + line[33:], "2025-03-01", "422 odd separators"))
    # The general DV's special cases: remainders 0 and 1 (11 - r = 11, 10 -> 1) and 10 (11 - 10 = 1).
    for remainder in (0, 1, 10):
        while True:
            free = free_field(rng)
            body = "0019" + "%04d" % factor_of(date(2024, 7, 1)) + "%010d" % 4321 + free
            if weighted11(body) % 11 == remainder:
                break
        bank_case("001", date(2024, 7, 1), 4321, free, "2024-06-15", "001 general DV 1 from remainder %d" % remainder)
    # A bank barcode (44 digits).
    barcode = bank_barcode("341", factor_of(date(2025, 10, 15)), 250000, free_field(rng))
    cases.append((barcode, "2025-10-01", "341 a 44-digit barcode"))

    # "23793.38128 60000.000003 00000.000400 1 84340000012345" (a sample line in the task) has
    # wrong check digits in fields 2 and 3 and a wrong general one (see error_cases); here its
    # data with the check digits computed.
    line = bank_line(bank_barcode("237", 8434, 12345, "33812" + "6000000000" + "0000000040"))
    cases.append((formatted(line), "2020-11-01", "237 punctuated, the sample line with its check digits right"))
    # Digit 40 of the first line mistyped (0 -> 1): the sum changes by 11 - 1 = 10 (mod 11), the
    # remainder from 1 to 0 or 10, and 0, 10 and 11 all give general DV 1, so the bank's mod 11 cannot
    # see it. The decoder accepts what the rules accept.
    line = bank_line(bank_barcode("001", factor_of(date(2024, 5, 10)), 123456, "000000" + "3128557" + "0000043986" + "17"))
    typo = line[:39] + str((int(line[39]) + 1) % 10) + line[40:]
    assert judge(typo, "2024-05-01")["ok"]
    cases.append((formatted(typo), "2024-05-01", "001 digit 40 mistyped: invisible to the bank's mod 11"))
    # Published example: README of github.com/Tagliatti/Boleto-Validator-JS (and -PHP).
    cases.append(("42297.11504 00001.954411 60020.034520 2 68610000054659", "2016-06-01",
                  "422 published example (Tagliatti/Boleto-Validator-JS README)"))

    def collection_case(segment, value_type, value, rest, note, want=None):
        # want: a predicate on the line, e.g. a block DV from remainder 10; rest is redrawn until it holds.
        while True:
            line = collection_line(collection_barcode(segment, value_type, value, rest))
            if want is None or want(line):
                break
            rest = free_field(rng, 29)
        cases.append((formatted(line), "2024-05-01", note))
        return line

    def remainder_blocks(line):
        return [weighted11(line[i:i + 11]) % 11 for i in range(0, 48, 12)]

    collection_case(1, "6", "%011d" % 25000, "0001" + free_field(rng, 25), "prefeitura, mod 10, R$ 250.00")
    collection_case(2, "7", "%011d" % 123456, "0002" + free_field(rng, 25), "saneamento, mod 10, a reference: 0")
    collection_case(4, "8", "%011d" % 8990, "0004" + free_field(rng, 25),
                    "telecom, mod 11, a block with remainder 10 (DV 1)", lambda l: 10 in remainder_blocks(l))
    collection_case(5, "8", "%011d" % 100, "0005" + free_field(rng, 25),
                    "governo, mod 11, blocks with remainders 0 and 1 (DV 0)",
                    lambda l: 0 in remainder_blocks(l) and 1 in remainder_blocks(l))
    def general_remainder(line):
        barcode = "".join(line[i:i + 11] for i in range(0, 48, 12))
        return weighted11(barcode[:3] + barcode[4:]) % 11

    for remainder in (0, 1, 10):
        collection_case(1, "8", "%011d" % 1999, "0012" + free_field(rng, 25),
                        "prefeitura, mod 11, general DV from remainder %d" % remainder,
                        lambda l, r=remainder: general_remainder(l) == r)
    collection_case(5, "9", "%011d" % 777, "0006" + free_field(rng, 25), "governo, mod 11, a reference: 0")
    collection_case(6, "8", "%011d" % 45678, "12345678" + free_field(rng, 21), "carne with a CNPJ, mod 11")
    collection_case(7, "6", "%011d" % 29347, "0007" + free_field(rng, 25), "multa de transito, mod 10")
    collection_case(9, "8", "%011d" % 0, "0009" + free_field(rng, 25), "bank-specific, mod 11, value 0")
    barcode = collection_barcode(3, "8", "%011d" % 54321, "0010" + free_field(rng, 25))
    cases.append((barcode, "2024-05-01", "energia, a 44-digit collection barcode (mod 11)"))
    cases.append((collection_line(collection_barcode(3, "6", "%011d" % 9, "0011" + free_field(rng, 25))),
                  "2024-05-01", "energia, bare 48 digits"))
    # Published examples: README of github.com/Tagliatti/Boleto-Validator-JS.
    cases.append(("83640000001-1 33120138000-2 81288462711-6 08013618155-1", "2024-05-01",
                  "energia, mod 10, published example (Tagliatti/Boleto-Validator-JS README)"))
    cases.append(("85890000460-9 52460179160-5 60759305086-5 83148300001-0", "2024-05-01",
                  "governo, mod 11, published example (Tagliatti/Boleto-Validator-JS README)"))
    return cases


def error_cases(valid):
    """(input, today, note): every check digit wrong in turn, plus malformed input."""
    cases = []

    def bump(line, position):
        i = position - 1
        return line[:i] + str((int(line[i]) + 1) % 10) + line[i + 1:]

    decoded = [judge(raw, today) for raw, today, _ in valid]
    bank_lines = list(dict.fromkeys(v["digits"] for v in decoded if v["kind"] == "bank"))
    collection_lines = list(dict.fromkeys(v["digits"] for v in decoded if v["kind"] == "collection"))
    for line in bank_lines[:3]:
        for position, name in ((10, "field 1"), (21, "field 2"), (32, "field 3"), (33, "general")):
            cases.append((formatted(bump(line, position)), "2024-05-01", "bank: wrong %s check digit" % name))
    for line in [l for l in collection_lines if l[2] in "67"][:2] + [l for l in collection_lines if l[2] in "89"][:2]:
        for block in range(4):
            cases.append((formatted(bump(line, block * 12 + 12)), "2024-05-01",
                          "collection: wrong block %d check digit" % (block + 1)))
        # The general DV (digit 4) wrong while block 1's DV matches it, as a faulty issuer would print it.
        wrong = bump(line, 4)
        check = collection_module(line[2])
        wrong = wrong[:11] + str(check(wrong[:11])) + wrong[12:]
        cases.append((formatted(wrong), "2024-05-01", "collection: wrong general check digit"))
        # The same digit mistyped: block 1's DV no longer matches.
        cases.append((formatted(bump(line, 4)), "2024-05-01", "collection: digit 4 mistyped, caught by block 1"))
    # Barcodes with a wrong general DV.
    bank_bc = bank_barcode("001", factor_of(date(2024, 6, 1)), 1000, "0" * 25)
    cases.append((bump(bank_bc, 5), "2024-05-01", "bank barcode: wrong general check digit (digit 5)"))
    coll_bc = collection_barcode(2, "6", "%011d" % 1000, "0" * 29)
    cases.append((bump(coll_bc, 4), "2024-05-01", "collection barcode: wrong general check digit"))
    # A field-5 typo: only the general DV can catch it.
    cases.append((formatted(bump(bank_lines[0], 41)), "2024-05-01", "bank: amount mistyped, caught by the general DV"))
    # The published mod-11 example with digit 9 changed, from test/test.js of
    # github.com/Tagliatti/Boleto-Validator-JS ("resto divisao 10"; that validator skips the
    # general DV): block 1 is consistent, the general DV is not.
    cases.append(("85890000464-1 52460179160-5 60759305086-5 83148300001-0", "2024-05-01",
                  "collection: value changed and block 1 recomputed: general DV"))
    # The sample line as given: field 2's check digit is the first wrong one.
    cases.append(("23793.38128 60000.000003 00000.000400 1 84340000012345", "2020-11-01",
                  "the sample line as given"))
    # Currency other than 9 (field 1's DV recomputed so only the currency is wrong).
    f1 = "0010" + "00000"
    cases.append((f1 + str(mod10(f1)) + bank_lines[0][10:], "2024-05-01", "bank: currency 0"))
    coll = collection_lines[0]
    for value_type in "05":
        bad = coll[:2] + value_type + coll[3:]
        cases.append((formatted(bad), "2024-05-01", "collection: value type %s" % value_type))
    cases.append((coll_bc[:2] + "5" + coll_bc[3:], "2024-05-01", "collection barcode: value type 5"))
    cases.append(("2" + coll[1:], "2024-05-01", "48 digits not starting with 8"))
    # Lengths and characters.
    line = bank_lines[0]
    for n in (46, 45, 43, 49, 1):
        cases.append((line[:n] if n < 47 else line + "0" * (n - 47), "2024-05-01", "%d digits" % n))
    cases.append(("", "2024-05-01", "empty"))
    cases.append((" . - ", "2024-05-01", "only separators"))
    cases.append((line[:20] + "x" + line[21:], "2024-05-01", "a letter"))
    cases.append(("x" + line + "yx", "2024-05-01", "letters, each reported once"))
    cases.append((line[:10] + "\u0661" + line[11:], "2024-05-01", "an Arabic-Indic digit"))
    cases.append((line[:10] + "+" + line[11:], "2024-05-01", "a plus sign"))
    cases.append((line, "2024-13-01", "today: month 13"))
    cases.append((line, "2023-02-29", "today: not a leap year"))
    cases.append((line, "01/05/2024", "today: not ISO"))
    return cases


def swift_string(s):
    out = []
    for ch in s:
        if ch == "\\" or ch == '"':
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.append("\\u{%X}" % ord(ch))
    return '"' + "".join(out) + '"'


def table():
    valid = valid_cases()
    print("    // Generated by `python3 Tests/support/boleto_lines.py table`: do not edit by hand.")
    print("    static let valid: [Valid] = [")
    for raw, today, note in valid:
        v = judge(raw, today)
        assert v["ok"], (raw, v)
        print("        Valid(%s, today: %s, kind: .%s, digits: %s, barcode: %s, bankCode: %s, segment: %d, "
              "amountCents: %d, dueDate: %s, formatted: %s, note: %s)," % (
                  swift_string(raw), swift_string(today), v["kind"], swift_string(v["digits"]),
                  swift_string(v["barcode"]), swift_string(v["bank"]), v["segment"], v["amount"],
                  swift_string(v["due"]), swift_string(v["formatted"]), swift_string(note)))
    print("    ]")
    print()
    print("    static let invalid: [Invalid] = [")
    for raw, today, note in error_cases(valid):
        v = judge(raw, today)
        assert not v["ok"], (raw, note, v)
        print("        Invalid(%s, today: %s, reason: .%s, position: %s, expected: %s, description: %s, note: %s)," % (
            swift_string(raw), swift_string(today), swift_case(v["reason"]),
            "nil" if v["position"] is None else v["position"],
            "nil" if v["expected"] is None else swift_string(v["expected"]),
            swift_string(v["description"]), swift_string(note)))
    print("    ]")


def swift_case(reason):
    head, *rest = reason.lower().split("_")
    return head + "".join(w.capitalize() for w in rest)


def main():
    if sys.argv[1:] == ["table"]:
        table()
    elif sys.argv[1:] == ["judge"]:
        json.dump([judge(item["input"], item["today"]) for item in json.load(sys.stdin)], sys.stdout)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
