"""Peak memory of one image through the function's preparation, per format and size (make bench).

For each format and size class, a fresh interpreter imports the function as FC does
(`import index`), holds the object's bytes as a read from OSS would, and prepares the image with
the limits the function derives from a 512 MB memory size (template.yml's). Its peak RSS
(VmHWM) must stay under 60 % of 512 MB for every image the function accepts; the rest must be
refused before decoding, with image_too_large. "largest" is the largest 4:3 image of that
format the budget accepts, so the estimate's margin shows.
"""

import json
import os
import subprocess
import sys
import tempfile

from common import FUNCTION_DIR, ROOT, header, publish, record

MEMORY_MB = int(os.environ.get("BENCH_MEMORY_MB", 512))
LIMIT_MB = 0.6 * MEMORY_MB
SIZES = {"12 MP": (4000, 3000), "24 MP": (5664, 4248), "48 MP": (8000, 6000)}
FORMATS = {  # name: (Pillow format, mode, save options)
    "JPEG": ("JPEG", "RGB", {"quality": 92}),
    "JPEG progressive": ("JPEG", "RGB", {"quality": 92, "progressive": True}),
    "PNG RGB": ("PNG", "RGB", {"compress_level": 1}),
    "PNG RGBA": ("PNG", "RGBA", {"compress_level": 1}),
    "PNG grey 16-bit": ("PNG", "I;16", {"compress_level": 1}),
    "HEIC": ("HEIF", "RGB", {"quality": 60}),
    "WEBP": ("WEBP", "RGB", {"quality": 80}),
    "TIFF (deflate)": ("TIFF", "RGB", {"compression": "tiff_deflate"}),
    "BMP": ("BMP", "RGB", {}),
}
CHILD = """
import json, sys
sys.path[:0] = [{function_dir!r}]
import index  # the function's own imports, as on FC
from idcard_ocr.app import _image_limits
from idcard_ocr.config import Settings
from idcard_ocr.errors import PermanentError
from idcard_ocr.imaging import prepare
settings = Settings.from_env({{"OCR_APPCODE": "x", "FC_FUNCTION_MEMORY_SIZE": sys.argv[2]}})
with open(sys.argv[1], "rb") as f:
    data = f.read()
try:
    prepare(data, _image_limits(settings, None))
    outcome = "accepted"
except PermanentError as e:
    outcome = e.code
peak = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0]
print(json.dumps({{"outcome": outcome, "peak_mb": peak / 1024}}))
"""


def picture(size, mode):
    """A photo-like picture (gradients and grain), so that files compress as photos do."""
    import numpy as np
    from PIL import Image

    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    grain = np.random.default_rng(7).integers(0, 24, (height, width), dtype=np.uint8)
    grey = ((x * 180 // width + y * 60 // height) % 256).astype(np.uint8) + grain
    if mode == "I;16":
        return Image.fromarray(grey.astype(np.uint16) * 257)
    rgb = np.stack([grey, (grey // 2 + 64).astype(np.uint8), 255 - grey], axis=-1)
    image = Image.fromarray(rgb)
    return image.convert(mode) if mode != "RGB" else image


def encode(size, spec) -> bytes:
    import io

    fmt, mode, options = spec
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    out = io.BytesIO()
    picture(size, mode).save(out, fmt, **options)
    return out.getvalue()


def largest_accepted(spec) -> tuple:
    """The largest 4:3 size the decoding budget accepts for this format (from the estimator,
    with the file size extrapolated from a small sample of the same kind)."""
    import io

    from idcard_ocr.app import _image_limits
    from idcard_ocr.config import Settings
    from idcard_ocr.imaging.prepare import _pillow, decode_cost

    limits = _image_limits(Settings.from_env({"OCR_APPCODE": "x", "FC_FUNCTION_MEMORY_SIZE":
                                              str(MEMORY_MB)}), None)
    sample = encode((1000, 750), spec)
    header_of = _pillow(spec[0]).open(io.BytesIO(sample))  # mode, progressive, components
    floor = limits.max_side * 3 // 4

    def cost(width: int) -> float:
        full = (width, width * 3 // 4)
        if full[0] * full[1] > limits.max_pixels:
            return float("inf")
        decoded = full
        if spec[0] == "JPEG":  # draft mode decodes at the largest 1/2, 1/4 or 1/8 that fits
            scale = next((d for d in (8, 4, 2) if max(full) / d >= floor), 1)
            decoded = (-(-full[0] // scale), -(-full[1] // scale))
        file_size = len(sample) * full[0] * full[1] // (1000 * 750)
        return decode_cost(spec[0], header_of, full, decoded) + file_size

    low, high = 500, 16000
    while high - low > 8:
        middle = (low + high) // 2
        low, high = (middle, high) if cost(middle) <= limits.max_decoded_bytes else (low, middle)
    return low, low * 3 // 4


def hostile_files():
    """Files whose metadata or structure, not their pixels, would cost memory or time."""
    from tests.fakes.bombs import exif_ifd_bomb, png_with_exif, scan_bomb, tiff_tag_bomb

    yield "TIFF tag tables sharing one block", "1 MB, 100x100", tiff_tag_bomb(400, 1_000_000)
    yield "PNG with an EXIF block of that kind", "1 MB, 600x400", \
        png_with_exif(exif_ifd_bomb(500, 1_000_000))
    yield "progressive JPEG of 400 repeated scans", "2000x1500", scan_bomb(2000, 1500, 400)[0]


def measure(path: str) -> dict:
    code = CHILD.format(function_dir=FUNCTION_DIR)
    run = subprocess.run([sys.executable, "-c", code, path, str(MEMORY_MB)], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        return {"outcome": "crashed: " + run.stderr.strip().splitlines()[-1][:60],
                "peak_mb": float("nan")}
    return json.loads(run.stdout)


def main() -> None:
    rows, worst = [], 0.0
    with tempfile.TemporaryDirectory() as work:
        for name, spec in FORMATS.items():
            sizes = dict(SIZES)
            sizes["largest"] = largest_accepted(spec)
            for label, size in sizes.items():
                path = os.path.join(work, "image")
                data = encode(size, spec)
                with open(path, "wb") as f:
                    f.write(data)
                result = measure(path)
                accepted = result["outcome"] == "accepted"
                if accepted:
                    worst = max(worst, result["peak_mb"])
                verdict = "ok" if not accepted or result["peak_mb"] <= LIMIT_MB else "OVER"
                rows.append(f"| {name} | {label} ({size[0]}x{size[1]}) | {len(data) / 2**20:.1f} "
                            f"| {result['outcome']} | {result['peak_mb']:.0f} | {verdict} |")
                print(rows[-1], flush=True)
        for name, label, data in hostile_files():
            path = os.path.join(work, "image")
            with open(path, "wb") as f:
                f.write(data)
            result = measure(path)
            verdict = "ok" if result["peak_mb"] <= LIMIT_MB else "OVER"
            rows.append(f"| {name} | {label} | {len(data) / 2**20:.1f} | {result['outcome']} "
                        f"| {result['peak_mb']:.0f} | {verdict} |")
            print(rows[-1], flush=True)
    out = [header(["pillow", "pillow-heif"]), "",
           f"Function memory {MEMORY_MB} MB (template.yml): the decoding budget is 60 % of it "
           f"less 96 MB; every accepted image must peak under {LIMIT_MB:.0f} MB (60 %). Peak RSS "
           f"of a fresh interpreter that imported the function (`import index`), held the file "
           f"and prepared it. Worst accepted: **{worst:.0f} MB**.", "",
           "| format | size | file MB | outcome | peak RSS MB | ≤ 60 % |", "|---|---|---:|---|---:|---|",
           *rows]
    record("memory", {"function_mb": MEMORY_MB, "limit_mb": round(LIMIT_MB),
                      "worst_accepted_mb": round(worst)})
    publish("memory", out)


if __name__ == "__main__":
    main()
