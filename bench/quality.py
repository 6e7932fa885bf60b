"""Quality-warning thresholds on the synthetic set (part of `make bench`).

`python bench/quality.py kyc` runs only the KYC signals (see kyc() below).

Generated photos in five groups: ordinary (clean, cluttered, rotated: must raise no warning),
and deliberately blurred, dark, overexposed and far-away cards (each must raise its own). The
card region comes from the offline engine, as it would in the function with OCR_ENGINE=local;
where the engine cannot read the photo, the whole image is measured.
"""

import io
import os
import pickle
import random
import re
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from typing import Optional

from common import header, publish

PER_GROUP = int(os.environ.get("BENCH_QUALITY_EACH", 40))


def groups():
    from PIL import Image, ImageEnhance, ImageFilter

    from tests.fakes.cards import make_card, photograph

    rng = random.Random(5)
    seed = 70_000
    for group in ("ordinary", "blurred", "dark", "overexposed", "small"):
        for i in range(PER_GROUP):
            seed += 1
            card = make_card(seed)
            kind = ("clean", "cluttered", "rotated")[i % 3] if group != "small" else "large"
            img = Image.open(io.BytesIO(photograph(card, kind, seed))).convert("RGB")
            if group == "blurred":
                img = img.filter(ImageFilter.GaussianBlur(rng.uniform(2.5, 4.0)))
            elif group == "dark":
                img = ImageEnhance.Brightness(img).enhance(rng.uniform(0.2, 0.35))
            elif group == "overexposed":
                img = ImageEnhance.Brightness(img).enhance(rng.uniform(1.7, 2.2))
            known = None
            if group == "small":  # a card about 10 % of a 12 MP frame: held too far away
                scene = Image.new("RGB", (4032, 3024), tuple(rng.randint(60, 160) for _ in "rgb"))
                far = card.image.convert("RGB").resize((1370, 864))
                x, y = rng.randint(0, 2600), rng.randint(0, 2100)
                scene.paste(far, (x, y))
                img = scene
                # Too small for the offline engine to read; the marketplace API reports where
                # it found the card, which is what the warning needs. Use where it was put.
                known = [(x, y), (x, y + 864), (x + 1370, y + 864), (x + 1370, y)]
            out = io.BytesIO()
            img.save(out, "JPEG", quality=90)
            yield group, out.getvalue(), known


EXPECTED = {"blurred": "blurry", "dark": "too_dark", "overexposed": "overexposed",
            "small": "card_too_small"}


def main() -> int:
    from idcard_ocr.engine import recognize
    from idcard_ocr.imaging import prepare
    from idcard_ocr.imaging.quality import (BLOWN_OUT_MAX_SHARE, BLUR_MIN_LAPLACIAN_VAR,
                                    BRIGHT_MIN_MEAN, DARK_MAX_MEAN, SMALL_MIN_AREA_SHARE,
                                    assess)
    from PIL import Image

    flagged = {group: Counter() for group in ("ordinary",) + tuple(EXPECTED)}
    counts = Counter()
    measured = Counter()
    for group, data, known in groups():
        prepared = prepare(data)  # what the function would send and assess
        picture = Image.open(io.BytesIO(prepared.data))
        region = None
        if known:
            scale = picture.size[0] / Image.open(io.BytesIO(data)).size[0]
            region = [{"x": x * scale, "y": y * scale} for x, y in known]
        else:
            for side in ("face", "back"):
                answer = recognize(prepared.data, side)
                if answer.get("success"):
                    region = answer.get("card_region")
                    break
        quality = assess(picture, region)
        counts[group] += 1
        measured[group, quality["measured_on"]] += 1
        for warning in quality["warnings"]:
            flagged[group][warning] += 1
    out = [header(("pillow", "rapidocr-onnxruntime")), "",
           f"{PER_GROUP} generated photos per group. Thresholds: sharpness (Laplacian variance) "
           f"< {BLUR_MIN_LAPLACIAN_VAR:g} → `blurry`; mean grey < {DARK_MAX_MEAN:g} → "
           f"`too_dark`; mean grey > {BRIGHT_MIN_MEAN:g} or over "
           f"{BLOWN_OUT_MAX_SHARE:.0%} of pixels blown out → `overexposed`; card under "
           f"{SMALL_MIN_AREA_SHARE:.0%} of the image → `card_too_small`.", "",
           "| group | expected warning | detected | measured on the card region |",
           "|---|---|---:|---:|"]
    for group, warning in EXPECTED.items():
        out.append(f"| {group} | `{warning}` | {flagged[group][warning]}/{counts[group]} "
                   f"({100 * flagged[group][warning] / counts[group]:.0f} %) | "
                   f"{measured[group, 'card_region']}/{counts[group]} |")
    out += ["", "False alarms on ordinary photos (clean, cluttered, rotated):", "",
            "| warning | raised on ordinary photos |", "|---|---:|"]
    for warning in EXPECTED.values():
        n = flagged["ordinary"][warning]
        out.append(f"| `{warning}` | {n}/{counts['ordinary']} "
                   f"({100 * n / counts['ordinary']:.0f} %) |")
    publish("quality", out)
    return 0


KYC_EACH = int(os.environ.get("BENCH_KYC_EACH", 100))
KYC_ORDINARY = int(os.environ.get("BENCH_KYC_ORDINARY", 200))
KYC_JOBS = int(os.environ.get("BENCH_KYC_JOBS", 2))  # processes rendering and assessing
# A directory keeping each rendered photo as prepared for the API (the rendering is most of
# the time; a re-run after a rule changes assesses the same photos again in minutes).
KYC_CACHE = os.environ.get("BENCH_KYC_CACHE", "")
KYC_SIGNALS = ("photocopy", "screen_recapture", "incomplete_border", "occlusion",
               "glare_on_fields", "multiple_cards")
# What each configuration was to the rules' making: every one named here was looked at while
# they were made, or measured once as a hold-out and read since; any other is reported as
# never tuned on.
ROLE = {"tuning": "tuned on", "holdout": "tuned on (a hold-out until its misses were looked at)",
        "fresh": "tuned on since 2026-12-06 (a hold-out measured once, then its misses were "
                 "looked at)",
        "blind": "tuned on since 2026-12-07 (a hold-out measured once, then its misses were "
                 "looked at)",
        "outsider": "tuned on since 2026-12-07 (a hold-out measured once, then its misses "
                    "were looked at)",
        "novel": "tuned on since 2026-12-07 (a hold-out measured once; its rates were read)",
        "stranger": "tuned on since 2026-12-07 (a hold-out measured once; its rates were read)",
        "wayfarer": "tuned on since 2026-12-07 (a hold-out measured once; its rates were read)",
        "pilgrim": "tuned on since 2026-12-07 (a hold-out measured once; its rates were read)",
        "nomad": "tuned on since 2026-12-07 (a hold-out measured once; its rates were read)",
        "drifter": "tuned on since 2026-12-07 (a hold-out measured once; its rates were read)",
        "rover": "tuned on since 2026-12-07 (a hold-out measured once; its rates were read)",
        "vagabond": "tuned on since 2026-12-08 (a hold-out measured once; its rates were read)"}
UNSEEN = "hold-out, never tuned on"


def kyc(style_names=(), publish_to: Optional[str] = "quality-kyc") -> int:
    """The KYC signals' detection and false-alarm rates on tests/fakes/artifacts.py's photos,
    per renderer configuration (by default TUNING and HOLDOUT, both tuned on; `style_names`
    picks others by name, e.g. a fresh hold-out), and their cost on a 12 MP photo. The card
    region given to assess() is where the renderer put the card (what the API reports as
    card_region), scaled to the picture the function assesses."""
    from idcard_ocr.imaging import prepare
    from idcard_ocr.imaging.quality import assess
    from tests.fakes import artifacts

    styles = [artifacts.style_named(name) for name in style_names] or \
        [artifacts.TUNING, artifacts.HOLDOUT]
    out = [header(("pillow",)), ""]
    for style in styles:
        raised = {kind: Counter() for kind in artifacts.KINDS}
        shots = Counter()
        tasks = _kyc_tasks(style)
        with ProcessPoolExecutor(max_workers=KYC_JOBS) as pool:
            phrases = {kind: Counter() for kind in artifacts.KINDS}  # photos per detail phrase
            found = {kind: Counter() for kind in artifacts.KINDS}    # ...that raised their own
            for kind, warnings, detail in pool.map(_kyc_shot, tasks, chunksize=4):
                shots[kind] += 1
                for warning in warnings:
                    raised[kind][warning] += 1
                for phrase in _phrases(detail):
                    phrases[kind][phrase] += 1
                    found[kind][phrase] += (kind in warnings) if kind != "ordinary" \
                        else bool(set(warnings) & set(KYC_SIGNALS))
        out += [f"### {style.name} configuration, {ROLE.get(style.name, UNSEEN)} "
                f"({_describe(style)})", "",
                "| photos | n | " + " | ".join(f"`{s}`" for s in KYC_SIGNALS) + " |",
                "|---|---:|" + "---:|" * len(KYC_SIGNALS)]
        for kind in artifacts.KINDS:
            cells = []
            for signal in KYC_SIGNALS:
                n = raised[kind][signal]
                share = f"{100 * n / shots[kind]:.0f} %"
                cells.append(f"**{share}**" if signal == kind else share)
            out.append(f"| {kind} | {shots[kind]} | " + " | ".join(cells) + " |")
        out += ["", "Bold: detection rate of the photos made with that artifact; the `ordinary` "
                    "row is the false-alarm rate.", ""]
        out += _by_phrase(phrases, found)
    if any(style.name in ("tuning", "holdout") for style in styles):  # a hold-out's run: rates only
        out += _kyc_timing(assess, prepare, artifacts)
    if publish_to:
        publish(publish_to, out)
    else:
        print("\n".join(out))
    return 0


def _kyc_tasks(style) -> list:
    """The photos a run draws of `style`: (kind, seed, style), ordinary ones first."""
    from tests.fakes import artifacts

    return [(kind, 200_000 + i, style) for kind in artifacts.KINDS
            for i in range(KYC_ORDINARY if kind == "ordinary" else KYC_EACH)]


def _kyc_shot(task) -> tuple:
    """(kind, warnings) of one generated photo, assessed as the function would: the picture
    prepared for the API, the card region where the renderer put the card, the side read."""
    from PIL import Image

    from idcard_ocr.imaging.quality import assess

    kind = task[0]
    data, region, side, detail = _kyc_prepared(task)
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return kind, assess(picture, region, side=side)["warnings"], detail


def _phrases(detail: str) -> set:
    """The phrases of a shot's detail ("face, 2448x3264, on terrazzo, colour inkjet, ..."):
    its variant is one of them, in whatever words its style uses."""
    return {p.strip() for p in detail.split(",") if p.strip()}


def _by_phrase(phrases, found) -> list:
    """Which variants a rule misses: for each artifact, the detail phrases of at least three
    of its photos that were not all detected (on ordinary photos: that raised any KYC
    warning), with how many were. Empty when the cache holds no details."""
    rows = []
    for kind in phrases:
        for phrase, n in sorted(phrases[kind].items()):
            if n >= 3 and found[kind][phrase] != (0 if kind == "ordinary" else n):
                rows.append(f"| {kind} | {phrase} | {found[kind][phrase]}/{n} |")
    if not rows:
        return []
    return ["Detail phrases of 3 photos or more whose photos were not all detected (ordinary: "
            "raised some KYC warning), as found/photos:", "",
            "| photos | phrase | found |", "|---|---|---:|", *rows, ""]


def _kyc_prepared(task) -> tuple:
    """(picture as the function assesses it, card region scaled to it, side, the shot's detail)
    of one generated photo; kept in BENCH_KYC_CACHE when that is set, and taken from there
    when it is in. The detail names the generator's variant, which tells which of them a rule
    misses."""
    from PIL import Image

    from idcard_ocr.imaging import prepare
    from tests.fakes import artifacts

    kind, seed, style = task
    cached = os.path.join(KYC_CACHE, f"{style.name}-{kind}-{seed}.pickle") if KYC_CACHE else None
    if cached and os.path.exists(cached):
        with open(cached, "rb") as f:
            data, region, side, *detail = pickle.load(f)  # caches before the detail: none
        detail = detail[0] if detail else ""
    else:
        shot = artifacts.render(kind, seed, style)
        prepared = prepare(shot.data)
        data = prepared.data
        if prepared.picture is not None:  # what the function assesses, kept without loss
            out = io.BytesIO()
            prepared.picture.save(out, "PNG")
            data = out.getvalue()
        scale = Image.open(io.BytesIO(data)).size[0] / Image.open(io.BytesIO(shot.data)).size[0]
        region = [{"x": x * scale, "y": y * scale} for x, y in shot.region]
        # the side read, which the function knows from its recognizer: the detail's first word
        # ("face ..." or "face, 4000x3000, ..." as the styles write it)
        named = re.match(r"(face|back)\b", shot.detail)
        side = named.group(1) if named else None
        detail = shot.detail
        if cached:  # written whole, then renamed: another run may be reading the cache
            with open(cached + f".{os.getpid()}", "wb") as f:
                pickle.dump((data, region, side, shot.detail), f)
            os.replace(cached + f".{os.getpid()}", cached)
    return data, region, side, detail


def kyc_render_only(style_names) -> int:
    """Fills BENCH_KYC_CACHE with the photos `kyc` would assess, without assessing any (no
    detector runs, no rate is printed): a hold-out rendered ahead, measured later."""
    if not KYC_CACHE:
        print("--render-only needs BENCH_KYC_CACHE=<dir> (where the photos are kept)",
              file=sys.stderr)
        return 2
    from tests.fakes import artifacts

    os.makedirs(KYC_CACHE, exist_ok=True)
    styles = [artifacts.style_named(name) for name in style_names] or \
        [artifacts.TUNING, artifacts.HOLDOUT]
    for style in styles:
        tasks = _kyc_tasks(style)
        with ProcessPoolExecutor(max_workers=KYC_JOBS) as pool:
            done = sum(1 for _ in pool.map(_kyc_prepared, tasks, chunksize=4))
        print(f"{style.name}: {done} photos in {KYC_CACHE}")
    return 0


def _describe(style) -> str:
    from tests.fakes import artifacts

    module = artifacts.drawing_module(style)  # a style drawn by its own module describes itself
    if module is not None:
        return module.DESCRIPTION
    return (f"{style.frame[0]}x{style.frame[1]} frames, {style.background} backgrounds, "
            f"{style.noise} noise, JPEG {style.jpeg[0]}-{style.jpeg[1]}, screen pitch "
            f"{style.screen_pitch[0]:g}-{style.screen_pitch[1]:g} px with {style.subpixels} "
            f"subpixels, {style.copier} copier, occluders {', '.join(style.occluders)}, "
            f"{style.glare} glare, card regions {'clamped to' if style.clip_region else 'beyond'}"
            f" the frame when cut, second card {style.arrangement}")


def _kyc_timing(assess, prepare, artifacts) -> list:
    """assess() on a 12 MP photo: on what the function gives it (the picture prepared for the
    API: a 4032 px JPEG decodes at 2016 px), and on the full-size decoded photo. Wall time
    and this process's CPU time (on a shared machine the CPU time says what the code costs,
    the wall time what the load made of it)."""
    import dataclasses
    import time

    from PIL import Image

    from idcard_ocr.imaging.quality import _points, kyc_signals

    big = dataclasses.replace(artifacts.TUNING, name="12mp", frame=(4032, 3024),
                              card_width=(2200, 2800))
    rows = []
    first_load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    def timed(call):
        call()  # warm
        wall, cpu = [], []
        for _ in range(15):
            start, start_cpu = time.perf_counter(), time.process_time()
            call()
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        wall.sort()
        cpu.sort()
        return wall[len(wall) // 2], wall[-2], cpu[len(cpu) // 2]

    for kind in ("ordinary", "screen_recapture", "multiple_cards"):
        shot = artifacts.render(kind, 7, big)
        full = Image.open(io.BytesIO(shot.data))
        full.load()
        picture = prepare(shot.data).decoded()
        for name, image in (("prepared (as in the function)", picture), ("full 12 MP", full)):
            scale = image.size[0] / full.size[0]
            region = [{"x": x * scale, "y": y * scale} for x, y in shot.region]
            whole = timed(lambda: assess(image, region))
            signals = timed(lambda: kyc_signals(image, _points(region)))
            rows.append(f"| {kind} | {name} {image.size[0]}x{image.size[1]} | "
                        f"{signals[0]:.1f} ms | {signals[1]:.1f} ms | {signals[2]:.1f} ms | "
                        f"{whole[0]:.1f} ms | {whole[1]:.1f} ms | {whole[2]:.1f} ms |")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return ["### Cost on a 12 MP photo", "",
            f"Load average {first_load:.1f} on the machine when the timing began, {load:.1f} "
            "when it ended (on a shared machine the CPU medians say what the code costs).", "",
            "| photo | image assessed | KYC signals, wall median of 15 | 14th of 15 | CPU "
            "median | all of assess(), wall median | 14th of 15 | CPU median |",
            "|---|---|---:|---:|---:|---:|---:|---:|", *rows]


def kyc_timing(publish_to: Optional[str] = "quality-kyc-timing") -> int:
    """Only the cost table (`python bench/quality.py kyc-timing`): printed, and put into its
    own section of bench/README.md unless `publish_to` is None (`--no-publish`)."""
    from idcard_ocr.imaging import prepare
    from idcard_ocr.imaging.quality import assess
    from tests.fakes import artifacts

    out = [header(("pillow",)), "", *_kyc_timing(assess, prepare, artifacts)]
    if publish_to:
        publish(publish_to, out)
    else:
        print("\n".join(out))
    return 0


def cli(argv) -> int:
    """`quality.py` (the photo-quality table), `quality.py kyc [--style NAME]...
    [--no-publish] [--render-only]` (the KYC rates; BENCH_KYC_STYLE=NAME,NAME does the same as --style), or
    `quality.py kyc-timing [--no-publish]` (the cost alone, into its own section,
    `quality-kyc-timing`). Rates of a named style go to its own section of bench/README.md
    (`quality-kyc-NAME`) when the README has one, else they are only printed."""
    import argparse

    parser = argparse.ArgumentParser(prog="bench/quality.py")
    parser.add_argument("command", nargs="?", choices=("kyc", "kyc-timing"))
    parser.add_argument("--style", action="append", default=[],
                        help="renderer configuration of tests/fakes/artifacts.py, by name")
    parser.add_argument("--no-publish", action="store_true")
    parser.add_argument("--render-only", action="store_true",
                        help="kyc: only fill BENCH_KYC_CACHE with the photos, assess none")
    args = parser.parse_args(argv)
    if args.command == "kyc-timing":
        return kyc_timing(None if args.no_publish else "quality-kyc-timing")
    if args.command != "kyc":
        return main()
    names = args.style or [n for n in os.environ.get("BENCH_KYC_STYLE", "").split(",") if n]
    if args.render_only:
        return kyc_render_only(names)
    section = "-".join(["quality-kyc", *names])  # a named style: its own section, if any
    return kyc(names, None if args.no_publish else section)


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
