#!/usr/bin/env python3
"""Which colour word a scenes model paints where.

    python3 scripts/colour-probe.py MODEL [--bg blue,white] [--object "digit 4"]
                                    [--txt2vid build/train/txt2vid] [--stage 1]

For each background colour given and each other palette colour, draws the
caption "a large COLOUR OBJECT in the centre on a BG background" in all three
caption templates (`txt2vid sample`, seed 1), then reads each image: the
background is the median colour of an 8-pixel border, the object colour the
mean of the 5 pixels farthest from it; each is named by the nearest palette
colour. Prints how often the object has the caption's object colour, the
background the caption's background colour, and the object the background's
colour (the two roles swapped), per template. Standard library only.
"""
import argparse
import os
import subprocess
import sys
import tempfile

PALETTE = {"red": (220, 30, 30), "green": (30, 170, 50), "blue": (30, 60, 220),
           "yellow": (240, 220, 30), "white": (245, 245, 245), "black": (15, 15, 15),
           "purple": (140, 40, 170), "orange": (245, 130, 20)}


def captions(backgrounds, obj):
    out = []
    for bg in backgrounds:
        for col in PALETTE:
            if col == bg:
                continue
            art = "an" if bg[0] in "aeiou" else "a"
            out.append((col, bg, 0, f"a large {col} {obj} in the centre on {art} {bg} background"))
            out.append((col, bg, 1, f"{art} {bg} background with a large {col} {obj} in the centre"))
            out.append((col, bg, 2, f"a large {obj} in {col} in the centre on {art} {bg} background"))
    return out


def frames(path):
    data = open(path, "rb").read()
    header, rest = data.split(b"\n", 1)
    fields = {t[:1]: t[1:] for t in header.split()[1:]}
    w, h = int(fields[b"W"]), int(fields[b"H"])
    if not fields[b"C"].startswith(b"420"):
        sys.exit("colour-probe: expected 4:2:0 frames")
    size = w * h * 3 // 2
    pos = 0
    while pos < len(rest):
        eol = rest.index(b"\n", pos)
        yield w, h, rest[eol + 1:eol + 1 + size]
        pos = eol + 1 + size


def rgb(frame, w, h, x, y):
    """Full-range (JPEG) Y'CbCr to RGB."""
    yy = frame[y * w + x]
    cb = frame[w * h + (y // 2) * (w // 2) + x // 2] - 128
    cr = frame[w * h + w * h // 4 + (y // 2) * (w // 2) + x // 2] - 128
    return tuple(max(0.0, min(255.0, v)) for v in
                 (yy + 1.402 * cr, yy - 0.344136 * cb - 0.714136 * cr, yy + 1.772 * cb))


def nearest(c):
    return min(PALETTE, key=lambda k: sum((a - b) ** 2 for a, b in zip(PALETTE[k], c)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--bg", default="blue,white")
    ap.add_argument("--object", default="digit 4")
    ap.add_argument("--txt2vid", default="build/train/txt2vid")
    ap.add_argument("--stage", default="1")
    a = ap.parse_args()
    caps = captions(a.bg.split(","), a.object)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "probe.y4m")
        cmd = [a.txt2vid, "sample", "--model", a.model, "--stage", a.stage, "--out", out]
        for c in caps:
            cmd += ["--caption", c[3]]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        rows = []
        for (col, bg, tmpl, _), (w, h, f) in zip(caps, frames(out)):
            px = [(x, y, rgb(f, w, h, x, y)) for y in range(0, h, 4) for x in range(0, w, 4)]
            border = [p for x, y, p in px if min(x, y) < 8 or max(x, y) >= min(w, h) - 8]
            bgc = tuple(sorted(p[i] for p in border)[len(border) // 2] for i in range(3))
            far = sorted(px, key=lambda q: -sum((a - b) ** 2 for a, b in zip(q[2], bgc)))[:5]
            objc = tuple(sum(q[2][i] for q in far) / 5 for i in range(3))
            rows.append((tmpl, nearest(objc) == col, nearest(bgc) == bg, nearest(objc) == bg))
    print(f"{len(rows)} images of '{a.object}' on {a.bg} backgrounds ({a.model}, stage {a.stage})")
    for t in (0, 1, 2, None):
        r = [x for x in rows if t is None or x[0] == t]
        name = "all templates" if t is None else f"template {t}"
        print(f"{name:14s} object colour right {100 * sum(x[1] for x in r) / len(r):5.1f}%  "
              f"background right {100 * sum(x[2] for x in r) / len(r):5.1f}%  "
              f"object in the background's colour {100 * sum(x[3] for x in r) / len(r):5.1f}%")


if __name__ == "__main__":
    main()
