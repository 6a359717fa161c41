#!/usr/bin/env python3
"""Parses the Swift sources with tree-sitter's Swift grammar (PyPI: tree-sitter, tree-sitter-swift)
and fails on any syntax error, naming its line. This is a syntax check only: it knows nothing of
types, so it is no substitute for the Swift compiler, which cannot be installed here.

    python3 bindings/swift/tests/check_swift_syntax.py [files...]   # default: every .swift file of the package
"""

import os
import sys

import tree_sitter
import tree_sitter_swift

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.join(HERE, "..")


def swift_files():
    for top in ("Package.swift", "Sources", "Tests"):
        path = os.path.join(PACKAGE, top)
        if os.path.isfile(path):
            yield path
        for dirpath, _, names in os.walk(path):
            for name in sorted(names):
                if name.endswith(".swift"):
                    yield os.path.join(dirpath, name)


def errors(node, out):
    if node.type == "ERROR" or node.is_missing:
        out.append(node)
        return
    for child in node.children:
        errors(child, out)


def main():
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))
    files = sys.argv[1:] or list(swift_files())
    failed = 0
    for path in files:
        source = open(path, "rb").read()
        found = []
        errors(parser.parse(source).root_node, found)
        rel = os.path.relpath(path, os.path.join(PACKAGE, "..", ".."))
        for node in found:
            line = node.start_point[0] + 1
            text = source.splitlines()[node.start_point[0]].decode("utf-8", "replace").strip()
            print("%s:%d: syntax error%s: %s" % (rel, line, " (missing %s)" % node.type if node.is_missing else "", text))
            failed += 1
    if failed:
        return 1
    print("Swift syntax: %d files parse without errors" % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
