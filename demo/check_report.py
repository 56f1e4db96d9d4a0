#!/usr/bin/env python3
"""Checks report.html and its screenshot (run by demo/report.sh and test/demo_check.sh).

usage: check_report.py report.html min_charts [screenshot.png]

- every inline <svg> ... </svg> parses with xml.etree as an SVG 1.1 document (namespace,
  width, height, viewBox, a title), and there are at least min_charts of them;
- the page loads nothing: no src=, href=, url( or @import, and no URL but the SVG namespace;
- the PNG screenshot is not blank: enough non-white pixels, the chart colours present
  (the series blue and the colour-scale purple), decoded here with zlib (no imaging library);
  the page ends above the screenshot's bottom edge (nothing cut off) and the series blue is
  also in the last third of the page (the later sections' charts rendered).
"""
import re
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

SVG_NS = "http://www.w3.org/2000/svg"


def fail(msg):
    print("check_report: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check_html(path, min_charts):
    html = open(path, encoding="utf-8").read()
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    if len(svgs) < min_charts:
        fail(f"{path}: {len(svgs)} charts, expected at least {min_charts}")
    for i, svg in enumerate(svgs, 1):
        try:
            root = ET.fromstring(svg)
        except ET.ParseError as e:
            fail(f"chart {i} is not well-formed XML: {e}")
        if root.tag != "{%s}svg" % SVG_NS or root.get("version") != "1.1":
            fail(f"chart {i}: root is {root.tag} version {root.get('version')}")
        for attr in ("width", "height", "viewBox"):
            if not root.get(attr):
                fail(f"chart {i}: no {attr}")
        title = root.find("{%s}title" % SVG_NS)
        if title is None or not (title.text or "").strip():
            fail(f"chart {i}: no title")
        if root.find(".//{%s}script" % SVG_NS) is not None:
            fail(f"chart {i}: has a script")
        texts = root.findall(".//{%s}text" % SVG_NS)
        if len(texts) < 5:
            fail(f"chart {i}: only {len(texts)} texts (axes, ticks, title expected)")
        print(f"chart {i}: well-formed SVG 1.1, {len(texts)} texts, {len(svg)} bytes: {title.text}")
    for pattern in (r"\bsrc\s*=", r"\bhref\s*=", r"url\(", r"@import"):
        if re.search(pattern, html, flags=re.I):
            fail(f"{path} refers to an external resource ({pattern})")
    urls = set(re.findall(r"https?://[^\s\"'<>]+", html)) - {SVG_NS}
    if urls:
        fail(f"{path} contains URLs: {sorted(urls)[:3]}")
    return len(svgs)


def png_pixels(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path} is not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        fail(f"{path}: unsupported PNG (depth {depth}, colour type {ctype}, interlace {interlace})")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def check_png(path):
    width, height, bpp, rows = png_pixels(path)
    total = width * height
    nonwhite = blue = purple = 0
    last_row = 0                # the last row with a non-white pixel: the end of the page
    blue_rows = [0] * height    # series-blue pixels per row
    for y, line in enumerate(rows):
        for x in range(0, width * bpp, bpp):
            r, g, b = line[x], line[x + 1], line[x + 2]
            if r < 240 or g < 240 or b < 240:
                nonwhite += 1
                last_row = y
            if abs(r - 0x4e) < 12 and abs(g - 0x79) < 12 and abs(b - 0xa7) < 12:
                blue += 1
                blue_rows[y] += 1
            if abs(r - 68) < 16 and g < 30 and abs(b - 84) < 20:
                purple += 1
    share = nonwhite / total
    blue_end = sum(blue_rows[last_row * 2 // 3:])
    print(f"screenshot {width}x{height}: {share:.1%} non-white pixels, "
          f"{blue} series-blue pixels ({blue_end} in the last third of the page), "
          f"{purple} colour-scale purple pixels, page ends at row {last_row}")
    if share < 0.03:
        fail(f"{path} is (almost) blank")
    if blue < 2000 or purple < 2000:
        fail(f"{path}: the charts' colours are missing (blue {blue}, purple {purple})")
    if last_row >= height - 20:
        fail(f"{path}: the page is cut off at the bottom: render with a taller window")
    if blue_end < 2000:
        fail(f"{path}: no chart colours in the last third of the page (blue {blue_end})")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        fail("usage: check_report.py report.html min_charts [screenshot.png]")
    n = check_html(sys.argv[1], int(sys.argv[2]))
    if len(sys.argv) == 4:
        check_png(sys.argv[3])
    print(f"check_report: OK ({n} charts)")
