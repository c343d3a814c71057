#!/usr/bin/env python3
"""The C++ blocks of the documentation, as translation units (docs/writing-docs.md).

    extract_blocks.py generate SOURCE_DIR OUT_DIR DOC...
        Writes OUT_DIR/<id>.cpp for every C++ block of the DOCs (paths relative
        to SOURCE_DIR) and OUT_DIR/blocks.cmake, the lists CMake builds them
        from. Files whose text did not change keep their time stamps; files of
        blocks that are gone are removed.
    extract_blocks.py check SOURCE_DIR EXE DOC...
        Runs EXE (doc_blocks), which prints the DOC:LINE of every fragment
        compiled into it, and fails unless that is exactly the fragments the
        DOCs hold now.

A block is a fence opened with ```cpp (or c++, cxx, cc), indented or not; a
fence without a language that holds C++ is an error. The nearest non-blank
line before the fence may be a marker:
    <!-- harness: NAME -->          the block is wrapped by tests/docs/harness/NAME.cpp
    <!-- harness: skip: REASON -->  not compiled; the reason is required
Without a marker the block is a complete program (it defines main). Errors in
the docs' conventions name the doc's file and line and end with exit status 1.
"""
import os
import re
import subprocess
import sys

FENCE = re.compile(r"^(\s*)```\s*([\w+-]*)\s*$")
# In a fence without a language: C++ that would escape the compiler.
LOOKS_CPP = re.compile(r"co_await|#include\s*<|async_cassandra::|\bac::")
CPP_INFO = {"cpp", "c++", "cxx", "cc"}
MARKER = re.compile(r"^\s*<!--\s*harness:\s*(.*?)\s*-->\s*$")
MAIN = re.compile(r"^\s*int\s+main\s*\(", re.MULTILINE)
HARNESS_DIR = "tests/docs/harness"


class DocError(Exception):
    pass


def scan(source_dir, doc):
    """The C++ blocks of one doc: dicts with doc, line (of the first code line), marker, text."""
    with open(os.path.join(source_dir, doc), encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            if MARKER.match(lines[i]):
                j = i + 1
                while j < len(lines) and not lines[j].strip():
                    j += 1
                n = FENCE.match(lines[j]) if j < len(lines) else None
                if not n or n.group(2).lower() not in CPP_INFO:
                    raise DocError(f"{doc}:{i + 1}: a harness marker not followed by a ```cpp block")
            i += 1
            continue
        indent, info = len(m.group(1)), m.group(2).lower()
        end = i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        if end == len(lines):
            raise DocError(f"{doc}:{i + 1}: the block opened here is never closed")
        body = [line[indent:] if not line[:indent].strip() else line.lstrip() for line in lines[i + 1:end]]
        if not info and LOOKS_CPP.search("\n".join(body)):
            raise DocError(f"{doc}:{i + 1}: C++ in a fence without a language: open it with ```cpp")
        if info in CPP_INFO:
            p = i - 1
            while p >= 0 and not lines[p].strip():
                p -= 1
            marker = MARKER.match(lines[p]) if p >= 0 else None
            blocks.append({"doc": doc, "line": i + 2, "marker": marker.group(1) if marker else None,
                           "text": "\n".join(body)})
        i = end + 1
    return blocks


def classify(source_dir, block):
    """Adds kind ('program', 'fragment' or 'skip') and harness (text or None) to a block."""
    where = f"{block['doc']}:{block['line'] - 1}"
    marker = block["marker"]
    block["harness"] = None
    if marker is None:
        if not MAIN.search(block["text"]):
            raise DocError(f"{where}: a C++ block without main needs a marker before it: "
                           f"<!-- harness: NAME --> (a file in {HARNESS_DIR}) or <!-- harness: skip: REASON -->")
        block["kind"] = "program"
        return block
    if marker.startswith("skip"):
        reason = marker[len("skip"):].lstrip(":").strip()
        if not marker[len("skip"):].startswith(":") or not reason:
            raise DocError(f"{where}: a skipped block states why: <!-- harness: skip: REASON -->")
        block["kind"], block["reason"] = "skip", reason
        return block
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", marker):
        raise DocError(f"{where}: '{marker}' is not a harness name (or skip: REASON)")
    path = os.path.join(source_dir, HARNESS_DIR, marker + ".cpp")
    if not os.path.isfile(path):
        raise DocError(f"{where}: no harness {HARNESS_DIR}/{marker}.cpp")
    with open(path, encoding="utf-8") as f:
        block["harness"] = f.read()
    if block["harness"].count("@BLOCK@") != 1:
        raise DocError(f"{HARNESS_DIR}/{marker}.cpp: needs exactly one @BLOCK@ line")
    block["kind"] = "program" if MAIN.search(block["harness"]) else "fragment"
    return block


def all_blocks(source_dir, docs):
    blocks = []
    for doc in docs:
        blocks += [classify(source_dir, b) for b in scan(source_dir, doc)]
    return blocks


def block_id(block, index):
    stem = re.sub(r"[^A-Za-z0-9]", "_", os.path.splitext(block["doc"])[0])
    return f"doc_{stem}_{index}"


def translation_unit(block, ident):
    """The block's text, wrapped by its harness, with #line directives naming the doc's lines."""
    head = f"// Generated by tests/docs/extract_blocks.py from {block['doc']}:{block['line'] - 1}; do not edit.\n"
    code = f'#line {block["line"]} "{block["doc"]}"\n{block["text"]}\n'
    if block["harness"] is None:
        return head + code
    harness_file = f"{HARNESS_DIR}/{block['marker']}.cpp"
    before, after = block["harness"].split("@BLOCK@\n", 1) if "@BLOCK@\n" in block["harness"] else \
        block["harness"].split("@BLOCK@", 1)
    resume = before.count("\n") + 2
    text = (f'#line 1 "{harness_file}"\n{before}{code}#line {resume} "{harness_file}"\n{after}')
    return head + text.replace("@ID@", ident).replace("@DOC@", block["doc"]).replace("@LINE@", str(block["line"] - 1))


def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def cmake_list(name, items):
    return f"set({name}\n" + "".join(f"  {x}\n" for x in items) + ")\n"


def generate(source_dir, out_dir, docs):
    os.makedirs(out_dir, exist_ok=True)
    blocks = all_blocks(source_dir, docs)
    fragments, programs, skipped = [], [], []
    per_doc = {}
    for b in blocks:
        per_doc[b["doc"]] = per_doc.get(b["doc"], 0) + 1
        if b["kind"] == "skip":
            skipped.append(f"{b['doc']}:{b['line'] - 1}: {b['reason']}")
            continue
        ident = block_id(b, per_doc[b["doc"]])
        write_if_changed(os.path.join(out_dir, ident + ".cpp"), translation_unit(b, ident))
        if b["kind"] == "program":
            programs.append(ident)
        else:
            fragments.append(ident)
    for name in os.listdir(out_dir):
        if name.endswith(".cpp") and name[:-4] not in fragments + programs:
            os.remove(os.path.join(out_dir, name))
    manifest = ("# Generated by tests/docs/extract_blocks.py; do not edit.\n"
                + cmake_list("doc_fragments", fragments) + cmake_list("doc_programs", programs)
                + cmake_list("doc_skipped", [f'"{s}"' for s in skipped]))
    write_if_changed(os.path.join(out_dir, "blocks.cmake"), manifest)


def check(source_dir, exe, docs):
    blocks = all_blocks(source_dir, docs)
    want = sorted(f"{b['doc']}:{b['line'] - 1}" for b in blocks if b["kind"] == "fragment")
    out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    have = sorted(line for line in out.split("\n") if line)
    for b in blocks:
        reason = f" ({b['reason']})" if b["kind"] == "skip" else ""
        print(f"{b['doc']}:{b['line'] - 1}: {b['kind']} {b['marker'] or ''}{reason}")
    missing = sorted(set(want) - set(have))
    extra = sorted(set(have) - set(want))
    for m in missing:
        print(f"{m}: not compiled into {exe} (rebuild: the docs changed after the build?)", file=sys.stderr)
    for e in extra:
        print(f"{e}: compiled into {exe} but no such fragment in the docs", file=sys.stderr)
    if missing or extra or len(have) != len(set(have)):
        return 1
    counts = {k: sum(b["kind"] == k for b in blocks) for k in ("program", "fragment", "skip")}
    print(f"{len(blocks)} blocks: {counts['program']} programs, {counts['fragment']} fragments, "
          f"{counts['skip']} skipped")
    return 0


def main(argv):
    try:
        if len(argv) >= 4 and argv[1] == "generate":
            generate(argv[2], argv[3], argv[4:])
            return 0
        if len(argv) >= 4 and argv[1] == "check":
            return check(argv[2], argv[3], argv[4:])
    except DocError as e:
        print(f"{e}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
