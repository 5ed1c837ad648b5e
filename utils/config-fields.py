#!/usr/bin/python3
"""Lists the data members of the LLVM structs whose every field DTLTO must
account for when it builds the remote compiler's command line, read from the
installed LLVM headers, as lines "<Struct>.<Field>".

  config-fields.py [--include-dir /usr/lib/llvm-22/include]

test/fidelity/field-table.test compares this with the table compiled into
the backend (dtlto-lto2 --print-field-table): a field that LLVM adds or the
table forgets fails the test.
"""
import argparse
import re
import sys

# (struct name, header, class keyword)
STRUCTS = [
    ("Config", "llvm/LTO/Config.h", "struct"),
    ("TargetOptions", "llvm/Target/TargetOptions.h", "class"),
    ("MCTargetOptions", "llvm/MC/MCTargetOptions.h", "class"),
    ("PipelineTuningOptions", "llvm/Passes/PassBuilder.h", "class"),
]


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def body(text, keyword, name):
    m = re.search(r"\b%s\s+(?:LLVM_ABI\s+)?%s\s*\{" % (keyword, name), text)
    if not m:
        sys.exit("config-fields: no %s %s" % (keyword, name))
    depth, i = 1, m.end()
    start = i
    while depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[start:i - 1]


def members(src):
    """Top-level statements of a class body that declare data members."""
    out, depth, stmt = [], 0, ""
    for ch in src:
        if ch == "{":
            depth += 1
            if depth == 1:
                stmt += "{"
            continue
        if ch == "}":
            depth -= 1
            if depth == 0:
                stmt += "}"
                # A function body or nested type ends the statement.
                if re.search(r"\)\s*(const\s*)?(override\s*)?\{\}$", stmt) or \
                   re.search(r"^\s*(enum|struct|class|union)\b", stmt):
                    stmt = ""
            continue
        if depth:
            continue
        if ch == ";":
            out.append(" ".join(stmt.split()))
            stmt = ""
        else:
            stmt += ch
    names = []
    for s in out:
        s = re.sub(r"^(public|private|protected)\s*:\s*", "", s)
        s = re.sub(r"\{\}$", "", s)
        if not s or re.match(r"(using|typedef|friend|static|enum|struct|class|template)\b", s):
            continue
        s = re.sub(r"^LLVM_ABI\s+", "", s)
        if "(" in s.split("=")[0] and not re.search(r"\bstd::function\b|Fn\b", s.split("(")[0]):
            # A method declaration (not a member of function type).
            if not re.match(r"[\w:<>, ]+\s+\w+\s*(=|\{|$)", s):
                continue
        decl = re.split(r"\s*(=|\{)", s)[0]
        decl = re.sub(r"\s*:\s*\d+$", "", decl)  # Bit-field width.
        m = re.search(r"(\w+)\s*$", decl)
        if m:
            names.append(m.group(1))
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--include-dir", default="/usr/lib/llvm-22/include")
    opts = ap.parse_args()
    for name, header, keyword in STRUCTS:
        with open("%s/%s" % (opts.include_dir, header)) as f:
            text = strip_comments(f.read())
        for field in members(body(text, keyword, name)):
            print("%s.%s" % (name, field))


if __name__ == "__main__":
    main()
