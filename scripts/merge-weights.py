#!/usr/bin/env python3
"""Puts the weight functions of a partial benchmark run in place of the same functions of a
pallet's weight file, and names them in the file's header as measured again (below the
whole run's line and any earlier partial runs').

    scripts/merge-weights.py pallets/market/src/weights.rs /tmp/partial.rs

Both files come from `scripts/weight-template.hbs`: a header, the `WeightInfo` trait, the
`SubstrateWeight` impl and the `()` impl, each function in them a block of its doc lines, its
`fn` line and its body up to a line holding only `}` at one tab. A function of the partial run
that the weight file lacks is refused (the trait would need it too): run the whole pallet.
"""
import re
import sys

SECTIONS = ("pub trait WeightInfo", "pub struct SubstrateWeight", "impl WeightInfo for ()")


def split(text):
    """The header, then each section as `functions` splits it."""
    lines = text.split("\n")
    starts = [next(i for i, line in enumerate(lines) if line.startswith(s)) for s in SECTIONS]
    header = lines[: starts[0]]
    sections = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        sections.append(functions(lines[start:end]))
    return header, sections


def functions(lines):
    """(the lines up to the section's opening brace, [(name, lines)], the lines after the last
    function's); the doc lines before a function are its block's."""
    opening = next(i for i, line in enumerate(lines) if line.endswith("{") and line[0] != "\t")
    before, items, pending, i = lines[: opening + 1], [], [], opening + 1
    while i < len(lines):
        line = lines[i]
        match = re.match(r"\tfn (\w+)", line)
        if not match:
            pending.append(line)
            i += 1
            continue
        block = pending + [line]
        pending = []
        if not line.endswith(";"):
            while lines[i] != "\t}":
                i += 1
                block.append(lines[i])
        items.append((match.group(1), block))
        i += 1
    return before, items, pending


def main(weights_path, partial_path):
    old_header, old = split(open(weights_path).read())
    new_header, new = split(open(partial_path).read())
    measured = []
    for (before, items, after), (_, new_items, _) in zip(old, new):
        names = [name for name, _ in items]
        for name, block in new_items:
            if name not in names:
                sys.exit(f"merge-weights: {name} is not in {weights_path}: run the whole pallet")
            items[names.index(name)] = (name, block)
            if name not in measured:
                measured.append(name)
    run = next(line for line in new_header if line.startswith("//! Benchmark CLI"))
    note = "//! Measured again: " + ", ".join(f"`{n}`" for n in measured) + " (" + run[len("//! ") :] + ")"
    # After the run of the whole file and any partial runs before: the last names win.
    header = old_header
    at = 1 + max(
        i
        for i, line in enumerate(header)
        if line.startswith("//! Benchmark CLI") or line.startswith("//! Measured again: ")
    )
    header[at:at] = [note]
    out = header
    for before, items, after in old:
        out += before
        for _, block in items:
            out += block
        out += after
    open(weights_path, "w").write("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
