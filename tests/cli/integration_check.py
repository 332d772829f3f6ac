#!/usr/bin/env python3
"""Checks that need a pipe or a second program: YAML, shell completions, man page, SVG, HTML.

usage: integration_check.py CHECK BIN [ARGS...]   (exit 0 pass, 1 fail, 77 skipped)
       integration_check.py png FILE.png             (fail when every pixel is the same)

A check whose tool is missing is skipped (exit 77), unless LLM_ENERGY_REQUIRE_TOOLS is set
(CI sets it after installing them), when it fails.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

SKIP = 77


def run(argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw).stdout


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def missing(what):
    if os.environ.get("LLM_ENERGY_REQUIRE_TOOLS"):
        fail(what + " is not installed")
    print(what + " is not installed: skipped")
    sys.exit(SKIP)


def check_model_card(binary, args):
    try:
        import yaml  # python3-yaml
    except ImportError:
        missing("PyYAML (python3-yaml)")

    d = yaml.safe_load(run([binary] + args + ["--format", "model-card"]))
    c = d["co2_eq_emissions"]
    if not c["emissions"] > 0:
        fail("emissions not positive: %r" % c)
    for key in ("source", "training_type", "geographical_location", "hardware_used"):
        if not isinstance(c.get(key), str) or not c[key]:
            fail("missing %s in %r" % (key, c))
    print(c)


def check_bash(binary):
    script = 'source <("$1" completions bash) && complete -p llm-energy && ' \
             'COMP_WORDS=(llm-energy estimate --format ""); COMP_CWORD=3; _llm_energy; ' \
             'echo "${COMPREPLY[*]}"'
    out = run(["bash", "-c", script, "bash", binary])
    if "-F _llm_energy llm-energy" not in out or "model-card" not in out:
        fail("bash completion: " + out)


def check_shell(binary, shell):
    exe = shutil.which(shell)
    if not exe:
        if os.environ.get("LLM_ENERGY_REQUIRE_TOOLS"):
            print(shell + " is not installed: skipped (optional)")
        sys.exit(SKIP)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "_llm-energy" if shell == "zsh" else "llm-energy.fish")
        with open(path, "w") as f:
            f.write(run([binary, "completions", shell]))
        if shell == "zsh":
            run([exe, "-n", path])
            # compinit reads the #compdef line of every file in $fpath and registers the function.
            out = run([exe, "-f", "-c", "fpath=(" + d + " $fpath); autoload -U compinit && compinit -u -D "
                       "&& print -r -- ${_comps[llm-energy]}"])
            if out.strip() != "_llm-energy":
                fail("zsh compinit did not register _llm-energy: " + out)
        else:
            run([exe, "--no-execute", path])
            out = run([exe, "--no-config", "-c", "source " + path + "; complete -C 'llm-energy est'"])
            if "estimate" not in out:
                fail("fish completion of 'llm-energy est': " + out)


def check_man(binary):
    page = run([binary, "man"])
    for s in (".TH LLM-ENERGY 1", ".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH COMMANDS",
              ".SH EXIT STATUS", ".SH EXAMPLES", "llm\\-energy estimate"):
        if s not in page:
            fail("man page lacks " + s)
    if not shutil.which("groff"):
        missing("groff (groff-base)")
    else:
        p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z"], input=page, capture_output=True,
                           text=True, check=True)
        if p.stderr.strip():
            fail("groff warnings: " + p.stderr)


def png_pixels_vary(path):
    """Decode a PNG (8-bit, non-interlaced) with zlib and return True when not every pixel is equal."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(path + " is not a PNG")
    pos, idat, width, height, ctype, depth = 8, b"", 0, 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if depth != 8:
        fail("unexpected PNG bit depth %d" % depth)
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    first = None
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        for x in range(0, stride, bpp):
            px = bytes(line[x:x + bpp])
            if first is None:
                first = px
            elif px != first:
                return True
        prev = line
    return False


def check_svg(binary, args):
    """ARGS: the command and flags; '--plot FILE' is appended; the last ARG after '--expect' is a
    text the SVG must contain."""
    expect = []
    if "--expect" in args:
        i = args.index("--expect")
        args, expect = args[:i], args[i + 1:]
    with tempfile.TemporaryDirectory() as d:
        svg = os.path.join(d, "chart.svg")
        run([binary] + args + ["--plot", svg])
        text = open(svg, encoding="utf-8").read()
        for e in expect:
            if e not in text:
                fail("SVG lacks %r" % e)
        for e in ("<title", "<desc"):
            if e not in text:
                fail("SVG lacks " + e)
        import xml.dom.minidom
        xml.dom.minidom.parse(svg)
        if not shutil.which("xmllint"):
            missing("xmllint (libxml2-utils)")
        run(["xmllint", "--noout", svg])
        if not shutil.which("rsvg-convert"):
            missing("rsvg-convert (librsvg2-bin)")
        png = os.path.join(d, "chart.png")
        run(["rsvg-convert", "-f", "png", "-w", "400", "-o", png, svg])
        if os.path.getsize(png) < 2000 or not png_pixels_vary(png):
            fail("rendered PNG is blank")


def check_html(binary, args):
    expect = []
    if "--expect" in args:
        i = args.index("--expect")
        args, expect = args[:i], args[i + 1:]
    with tempfile.TemporaryDirectory() as d:
        html = os.path.join(d, "report.html")
        run([binary] + args + ["--html", html])
        text = open(html, encoding="utf-8").read()
        for e in expect + ["<svg", "</html>", "Assumptions"]:
            if e not in text:
                fail("HTML lacks %r" % e)
        # Sources in the assumptions table are text (URLs included), never loaded; an external
        # resource needs one of these.
        for bad in (" src=", "<link", "@import", "url("):
            if bad in text:
                fail("HTML loads an external resource: " + bad)
        # The inline SVG is well-formed XML.
        start, end = text.index("<svg"), text.index("</svg>") + len("</svg>")
        import xml.dom.minidom
        xml.dom.minidom.parseString(text[start:end])


def check_csv_rows(binary, args):
    """Run `binary args... --format csv`; args end with `--filled ROW:COLUMN...` (1-based data rows).
    Every record has the header's field count, and each ROW:COLUMN cell is not empty."""
    import csv
    import io
    split = args.index("--filled")
    argv, filled = args[:split], args[split + 1:]
    out = subprocess.run([binary] + argv + ["--format", "csv"], capture_output=True, text=True)
    rows = list(csv.reader(io.StringIO(out.stdout)))
    if len(rows) < 2:
        fail("no CSV rows: " + out.stdout + out.stderr)
    header = rows[0]
    if len(set(header)) != len(header):
        fail("a column name appears twice")
    for n, r in enumerate(rows[1:], 1):
        if len(r) != len(header):
            fail("row %d has %d fields, the header %d" % (n, len(r), len(header)))
    for spec in filled:
        row, column = spec.split(":", 1)
        if column not in header:
            fail("no column " + column)
        cell = rows[int(row)][header.index(column)]
        if not cell:
            fail("row %s: %s is empty" % (row, column))
        print("row %s: %s = %s" % (row, column, cell))


def main():
    check, binary, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if check == "png":
        if os.path.getsize(binary) < 2000 or not png_pixels_vary(binary):
            fail(binary + " is blank")
        print(binary + ": not blank")
    elif check == "model-card":
        check_model_card(binary, args)
    elif check == "bash":
        check_bash(binary)
    elif check in ("zsh", "fish"):
        check_shell(binary, check)
    elif check == "man":
        check_man(binary)
    elif check == "svg":
        check_svg(binary, args)
    elif check == "html":
        check_html(binary, args)
    elif check == "csv-rows":
        check_csv_rows(binary, args)
    else:
        fail("unknown check " + check)


if __name__ == "__main__":
    main()
