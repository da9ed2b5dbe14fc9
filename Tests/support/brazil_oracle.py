#!/usr/bin/env python3
"""Oracle for ContonBrazilTests: generates and judges CPFs and CNPJs, folds search keys,
writes numbers in Portuguese words.

Two independent judges stand behind every verdict:

* validate-docbr (PyPI, >= 2.0 supports the alphanumeric CNPJ), used as a black box
  (``generate``, ``validate``, ``mask``);
* ``spec_cpf`` / ``spec_cnpj`` below, written from the Receita Federal rules (mod 11; for the
  CNPJ every character's value is its ASCII code - 48, weights 5,4,3,2,9,8,7,6,5,4,3,2 and
  6,5,4,3,2,9,8,7,6,5,4,3,2) and ContonBrazil's documented input choices (docs/BRAZIL.md). It
  returns the same machine reason ContonBrazil gives.

Where the two judges' input rules coincide ("comparable" inputs: ASCII, only the separators
validate-docbr accepts, the exact length) the script itself asserts that they agree and exits 2
otherwise, so a disagreement between the oracles can never pass silently.

Usage (JSON on stdin and stdout):
  brazil_oracle.py version
  brazil_oracle.py generate KIND COUNT SEED      KIND: cpf cnpj cnpj-alnum, with -masked suffix
  brazil_oracle.py judge cpf|cnpj                stdin: [str] -> [{"docbr", "spec", "comparable"}]
  brazil_oracle.py checkdigits cpf|cnpj          stdin: [base] -> [dv or null], by brute force
  brazil_oracle.py mask cpf|cnpj                 stdin: [str] -> [validate-docbr's mask]
  brazil_oracle.py fold                          stdin: [str] -> [folded]
  brazil_oracle.py words                         stdin: [int] -> [{"text", "comparable"}]
                                                 (num2words' pt_BR cardinal, see words())
"""
import json
import random
import sys
import unicodedata
from importlib import metadata

from validate_docbr import CNPJ, CPF

SEPARATORS = set(".-/")


def _is_space(ch):
    # Swift's Unicode.Scalar.Properties.isWhitespace is the White_Space property; Python's
    # str.isspace() differs only outside what ContonBrazil's tests feed (e.g. U+001C..U+001F).
    return ch.isspace()


def _compact(s):
    return [c for c in s if c not in SEPARATORS and not _is_space(c)]


def _dv(values, weights):
    r = sum(v * w for v, w in zip(values, weights)) % 11
    return 0 if r < 2 else 11 - r


CPF_W1 = list(range(10, 1, -1))
CPF_W2 = list(range(11, 1, -1))
CNPJ_W1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
CNPJ_W2 = [6] + CNPJ_W1


def spec_cpf(s):
    chars = _compact(s)
    if not chars:
        return "EMPTY"
    if any(c not in "0123456789" for c in chars):
        return "CHARACTERS"
    if len(chars) != 11:
        return "LENGTH"
    if len(set(chars)) == 1:
        return "REPEATED_DIGITS"
    v = [ord(c) - 48 for c in chars]
    d1 = _dv(v[:9], CPF_W1)
    d2 = _dv(v[:9] + [d1], CPF_W2)
    return "OK" if [d1, d2] == v[9:] else "CHECK_DIGITS"


def spec_cnpj(s):
    chars = _compact(s)
    if not chars:
        return "EMPTY"
    alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    chars = [c.upper() if "a" <= c <= "z" else c for c in chars]
    if any(c not in alnum for c in chars):
        return "CHARACTERS"
    if len(chars) != 14:
        return "LENGTH"
    if any(c not in "0123456789" for c in chars[12:]):
        return "CHARACTERS"
    if len(set(chars)) == 1:
        return "REPEATED_DIGITS"
    v = [ord(c) - 48 for c in chars]
    d1 = _dv(v[:12], CNPJ_W1)
    d2 = _dv(v[:12] + [d1], CNPJ_W2)
    return "OK" if [d1, d2] == v[12:] else "CHECK_DIGITS"


def comparable(kind, s):
    """Inputs on which validate-docbr's rules and ContonBrazil's coincide."""
    if not s.isascii():
        return False
    allowed = ".-" if kind == "cpf" else ".-/"
    if any(not c.isalnum() and c not in allowed for c in s):
        return False  # validate-docbr rejects spaces (and '/' in a CPF); ContonBrazil accepts them
    stripped = [c for c in s if c.isalnum()]
    return len(stripped) == (11 if kind == "cpf" else 14)  # validate-docbr pads short CPFs


def judge(kind, inputs):
    doc = CPF() if kind == "cpf" else CNPJ()
    spec = spec_cpf if kind == "cpf" else spec_cnpj
    out = []
    for s in inputs:
        d = bool(doc.validate(s))
        r = spec(s)
        c = comparable(kind, s)
        if c and d != (r == "OK"):
            sys.stderr.write(f"oracles disagree on {kind} {s!r}: validate-docbr={d} spec={r}\n")
            sys.exit(2)
        out.append({"docbr": d, "spec": r, "comparable": c})
    return out


def generate(kind, count, seed):
    random.seed(seed)  # validate-docbr draws from the module-level generator
    masked = kind.endswith("-masked")
    base = kind[: -len("-masked")] if masked else kind
    out = []
    while len(out) < count:
        if base == "cpf":
            s = CPF().generate(mask=masked)
            ok = CPF().validate(s) and spec_cpf(s) == "OK"
        elif base == "cnpj":
            s = CNPJ().generate(mask=masked)
            ok = CNPJ().validate(s) and spec_cnpj(s) == "OK"
        elif base == "cnpj-alnum":
            s = CNPJ().generate(mask=masked, digits_only=False)
            ok = CNPJ().validate(s) and spec_cnpj(s) == "OK"
        else:
            raise SystemExit(f"unknown kind {kind}")
        if ok:  # a generated all-equal number (e.g. 000.000.000-00) is not valid: draw again
            out.append(s)
    return out


def checkdigits(kind, bases):
    """The check digits that make validate-docbr accept BASE, found by trying all 100."""
    doc = CPF() if kind == "cpf" else CNPJ()
    out = []
    for b in bases:
        found = [f"{i:02d}" for i in range(100) if doc.validate(b + f"{i:02d}")]
        out.append(found[0] if len(found) == 1 else None)
    return out


def fold(s):
    def strip_marks(t):
        return "".join(c for c in unicodedata.normalize("NFKD", t) if unicodedata.category(c) != "Mn")

    t = strip_marks(strip_marks(s).lower())
    return " ".join(t.split())


def num2words_misplaces_comma(n):
    """True when num2words' pt_BR comma fix-up misfires on N (num2words 0.5.14).

    num2words first joins every pair of classes with "e", then turns "<scale> e" into
    "<scale>," when the regex '.*<scale> e \\w*entos? (?=.*e)' matches: meant for a class with
    an "e" inside ("mil, duzentos e cinquenta"), but the lookahead accepts any letter "e" later
    in the text. So a round hundred 200..900 after the first class gets a comma instead of "e"
    when a letter "e" follows it: its own scale word (milhões, bilhões, trilhões) or any later
    class. 2_500_000 is "dois milhões e quinhentos mil" but 2_500_000_000 "dois bilhões,
    quinhentos milhões", and 2_300_001 "dois milhões, trezentos mil e um" (it writes "um milhão e
    cem mil e um" and "dois milhões e trezentos mil" itself). Only N <= 10**15 is vouched for:
    above it "quatrilhão e" also contains "trilhão e" and the fix-up can hit another boundary.
    """
    classes = []  # (scale, value), most significant first, non-zero only
    scale = 0
    while n:
        if n % 1000:
            classes.insert(0, (scale, n % 1000))
        n //= 1000
        scale += 1
    return any(value >= 200 and value % 100 == 0 and (scale >= 2 or i < len(classes) - 1)
               for i, (scale, value) in enumerate(classes) if i > 0)


def words(numbers):
    """num2words' masculine pt_BR cardinal of each number, as a black box, and whether its
    class joins are comparable as they stand (False: see num2words_misplaces_comma)."""
    from num2words import num2words  # here, so the CPF/CNPJ commands run without it

    out = []
    for n in numbers:
        if not 0 <= n <= 10**15:
            raise SystemExit(f"words: {n} is outside 0...10**15")
        out.append({"text": num2words(n, lang="pt_BR"), "comparable": not num2words_misplaces_comma(n)})
    return out


def _version_or_none(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def main(argv):
    cmd = argv[1]
    if cmd == "version":
        print(json.dumps({"validate_docbr": metadata.version("validate-docbr"),
                          "num2words": _version_or_none("num2words"),
                          "alphanumeric": CNPJ().validate("12.ABC.345/01DE-35"),
                          "unicode": unicodedata.unidata_version}))
        return
    if cmd == "generate":
        print(json.dumps(generate(argv[2], int(argv[3]), int(argv[4]))))
        return
    inputs = json.load(sys.stdin)
    if cmd == "judge":
        result = judge(argv[2], inputs)
    elif cmd == "checkdigits":
        result = checkdigits(argv[2], inputs)
    elif cmd == "mask":
        doc = CPF() if argv[2] == "cpf" else CNPJ()
        result = [doc.mask(s) for s in inputs]
    elif cmd == "fold":
        result = [fold(s) for s in inputs]
    elif cmd == "words":
        result = words(inputs)
    else:
        raise SystemExit(f"unknown command {cmd}")
    json.dump(result, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main(sys.argv)
