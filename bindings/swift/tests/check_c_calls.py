#!/usr/bin/env python3
"""A static check of the Swift sources that needs no Swift toolchain: every C function they call
(openai_*) and every constant they name (OPENAI_*) is declared in include/openai.h, every call
passes as many arguments as the function's prototype has parameters, every result code of
bindings/codes.json that is an error has its case in OpenAIError.kind(of:), and every helper of
openai.h that the Swift layer wraps by hand (the `_async` forms of the `_poll` and
`_create_and_poll` functions, `openai_uploads_upload_file_chunked_async`, the webhook functions;
not operations of bindings/operations.json, so not generated) is called by the Swift sources. The Swift layer itself
cannot be compiled here; this catches a renamed or re-shaped C function, or a new code left
unmapped, which the generated drift check and the module test would not.

    python3 bindings/swift/tests/check_c_calls.py
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..")
HEADER = os.path.join(ROOT, "include", "openai.h")
CODES = os.path.join(ROOT, "bindings", "codes.json")
# Not errors (OK, PENDING), or the default case (INTERNAL).
UNMAPPED_CODES = {"OPENAI_OK", "OPENAI_PENDING", "OPENAI_INTERNAL"}
SOURCES = os.path.join(HERE, "..", "Sources", "OpenAI")


def split_args(text):
    """Top-level comma-separated arguments of `text` (no enclosing parentheses)."""
    args, depth, current, quote = [], 0, "", False
    for ch in text:
        if quote:
            current += ch
            if ch == '"':
                quote = False
            continue
        if ch == '"':
            quote = True
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(current.strip())
            current = ""
            continue
        current += ch
    if current.strip():
        args.append(current.strip())
    return args


def header_prototypes():
    text = open(HEADER, encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    protos = {}
    for m in re.finditer(r"\b(openai_\w+)\s*\(([^;{]*?)\)\s*;", text, flags=re.S):
        name, params = m.group(1), m.group(2).strip()
        protos[name] = 0 if params in ("", "void") else len(split_args(params))
    constants = set(re.findall(r"\b(OPENAI_[A-Z0-9_]+)\b", text))
    types = set(re.findall(r"\}\s*(openai_\w+)\s*;", text))
    types |= set(re.findall(r"typedef\s+struct\s+\w+\s+(openai_\w+)\s*;", text))
    types |= set(re.findall(r"\(\*\s*(openai_\w+)\)", text))
    return protos, constants, types


def main():
    protos, constants, types = header_prototypes()
    errors, calls = [], 0
    called = set()
    for name in sorted(os.listdir(SOURCES)):
        if not name.endswith(".swift"):
            continue
        path = os.path.join(SOURCES, name)
        text = open(path, encoding="utf-8").read()
        code = re.sub(r"//[^\n]*", "", text)  # comments out
        for m in re.finditer(r"\b(openai_\w+)\s*\(", code):
            fn = m.group(1)
            called.add(fn)
            line = code.count("\n", 0, m.start()) + 1
            if fn not in protos:
                errors.append("%s:%d: %s is not declared in include/openai.h" % (name, line, fn))
                continue
            depth, i = 1, m.end()
            while depth and i < len(code):
                depth += {"(": 1, ")": -1}.get(code[i], 0)
                i += 1
            args = split_args(code[m.end():i - 1])
            calls += 1
            if len(args) != protos[fn]:
                errors.append("%s:%d: %s takes %d arguments, called with %d: %s"
                              % (name, line, fn, protos[fn], len(args), ", ".join(args)))
        for m in re.finditer(r"\b(openai_\w+)\b(?!\s*\()", code):
            if m.group(1) not in protos and m.group(1) not in types:
                line = code.count("\n", 0, m.start()) + 1
                errors.append("%s:%d: %s is not declared in include/openai.h" % (name, line, m.group(1)))
        for m in re.finditer(r"\b(OPENAI_[A-Z0-9_]+)\b", code):
            if m.group(1) not in constants:
                line = code.count("\n", 0, m.start()) + 1
                errors.append("%s:%d: %s is not declared in include/openai.h" % (name, line, m.group(1)))
    swift = open(os.path.join(SOURCES, "OpenAI.swift"), encoding="utf-8").read()
    start = swift.index("static func kind(of code")
    kind_of = swift[start:swift.index("\n    }\n", start)]
    codes = [c["name"] for c in json.load(open(CODES, encoding="utf-8"))["codes"]]
    mapped = 0
    for code in codes:
        if code in UNMAPPED_CODES:
            continue
        if "Int(%s.rawValue)" % code not in kind_of:
            errors.append("OpenAI.swift: OpenAIError.kind(of:) has no case for %s (bindings/codes.json)" % code)
        mapped += 1
    helpers = sorted(fn for fn in protos
                     if re.fullmatch(r"openai_\w+_(poll|create_and_poll)_async", fn)
                     or fn in ("openai_uploads_upload_file_chunked_async", "openai_webhooks_verify_signature",
                               "openai_webhooks_unwrap"))
    for fn in helpers:
        if fn not in called:
            errors.append("the Swift sources do not wrap the helper %s (include/openai.h)" % fn)
    if errors:
        sys.stderr.write("\n".join(errors) + "\n")
        return 1
    print("Swift sources: %d C calls, each declared in include/openai.h with that many parameters; "
          "%d error codes of bindings/codes.json, each with its case in OpenAIError.kind(of:); "
          "%d helpers of openai.h (poll, create_and_poll, chunked upload, webhooks), each called"
          % (calls, mapped, len(helpers)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
