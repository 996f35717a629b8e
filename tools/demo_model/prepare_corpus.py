#!/usr/bin/env python3
"""The demo model's text: the English prose of the Linux kernel's documentation as Debian ships it, split by file
into training, validation and held-out parts. Standard library only; deterministic (sorted paths, no randomness).

    apt-get download linux-doc-6.1=6.1.192-3            # Debian 12 (bookworm-security), 37 MB
    dpkg -x linux-doc-6.1_6.1.192-3_all.deb linux-doc
    python3 tools/demo_model/prepare_corpus.py linux-doc/usr/share/doc/linux-doc-6.1/Documentation --out corpus

Reads every *.rst and *.txt file (gzip-compressed as Debian ships them, or plain) under Documentation/, except:
  translations/   not English;
  devicetree/     hardware binding schemas, not prose;
  ABI/            sysfs attribute listings, not prose;
  features/       feature tables.
Each file's text is kept as written (reStructuredText markup included: it is what the documents are), without the
SPDX licence line and with runs of blank lines collapsed. Files are assigned by their sorted position i:
  i % 20 == 7   held-out  (never seen in training; the text the quality table is measured on)
  i % 20 == 13  validation (picks the checkpoint)
  otherwise     training
Writes OUT/train.txt, OUT/validation.txt, OUT/heldout.txt (documents separated by a blank line) and OUT/manifest.json
(each file's path, part, characters, and each part's totals).
"""
import argparse
import gzip
import json
import os
import re
import sys

EXCLUDED = ("translations", "devicetree", "ABI", "features")
PARTS = ("train", "validation", "heldout")


def part_of(index):
    if index % 20 == 7:
        return "heldout"
    if index % 20 == 13:
        return "validation"
    return "train"


def documents(root):
    found = []
    for folder, subfolders, files in os.walk(root):
        relative_folder = os.path.relpath(folder, root)
        if relative_folder == ".":
            subfolders[:] = [name for name in subfolders if name not in EXCLUDED]
        subfolders.sort()
        for name in files:
            stem = name[:-3] if name.endswith(".gz") else name
            if stem.endswith((".rst", ".txt")):
                found.append(os.path.normpath(os.path.join(relative_folder, name)))
    return sorted(found)


def read_text(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8", errors="replace")
    lines = [line.rstrip() for line in text.splitlines() if not line.startswith(".. SPDX-License-Identifier")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("documentation", help="the extracted linux-doc Documentation/ folder")
    parser.add_argument("--out", required=True, help="folder for train.txt, validation.txt, heldout.txt")
    args = parser.parse_args()
    if not os.path.isdir(args.documentation):
        sys.exit(f"{args.documentation}: not a folder (the extracted linux-doc Documentation/ folder)")
    paths = documents(args.documentation)
    if not paths:
        sys.exit(f"{args.documentation}: no .rst or .txt files")
    os.makedirs(args.out, exist_ok=True)
    texts = {part: [] for part in PARTS}
    manifest = {"source": "Debian 12 linux-doc-6.1 (6.1.192-3), /usr/share/doc/linux-doc-6.1/Documentation",
                "excluded_folders": list(EXCLUDED), "files": []}
    for index, relative in enumerate(paths):
        text = read_text(os.path.join(args.documentation, relative))
        if not text:
            continue
        part = part_of(index)
        texts[part].append(text)
        manifest["files"].append({"path": relative, "part": part, "characters": len(text)})
    for part in PARTS:
        body = "\n\n".join(texts[part]) + "\n"
        temporary = os.path.join(args.out, f".{part}.txt.tmp")
        with open(temporary, "w", encoding="utf-8") as f:
            f.write(body)
        os.replace(temporary, os.path.join(args.out, f"{part}.txt"))
        manifest[part] = {"files": len(texts[part]), "characters": len(body)}
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
    print(" ".join(f"{part}: {manifest[part]['files']} files, {manifest[part]['characters']} characters;"
                   for part in PARTS))


if __name__ == "__main__":
    main()
