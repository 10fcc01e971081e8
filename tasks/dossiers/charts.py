"""Charts for dossiers as inline SVG strings: score distribution, five-dimension profile, trend, bars.

Written by hand as small SVG builders rather than with a plotting library: four chart kinds with
fixed, document-like styling need a few dozen lines each, render in microseconds inside every
worker of the PDF pool, add no dependency, and give full control of the fonts — every text
element names its families itself (the cut face first, then the whole "Noto Sans CJK SC", as the
stylesheet does), since WeasyPrint's SVG text does not inherit CSS and a generic family would draw
Chinese with Japanese glyphs. Every piece of text is XML-escaped here,
because labels are unit names taken from delivered data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

import numpy as np

FONT = "'Noto Sans CJK SC Common', 'Noto Sans CJK SC'"
INK, GRID, AXIS, RED = "#1a1a1a", "#e3e3e3", "#8a8a8a", "#c8161d"
PALETTE = ("#6b7f95", RED, "#d08c2c", "#3f7a4f", "#7a4f9a", "#2f4f6f")
WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 52, 18, 34, 46


def _text(x: float, y: float, text: str, *, anchor: str = "middle", size: float = 11,
          fill: str = INK, bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}"{weight} '
            f'text-anchor="{anchor}" fill="{fill}">{escape(str(text))}</text>')


def _svg(body: list[str], width: int = WIDTH, height: int = HEIGHT, title: str = "") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" font-family="{FONT}" role="img" '
            f'aria-label={quoteattr(title)}>' + "".join(body) + "</svg>")


def _empty(message: str = "暂无数据") -> str:
    return _svg([_text(WIDTH / 2, HEIGHT / 2, message, size=13, fill=AXIS)], title=message)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 × 10ⁿ) covering [low, high]."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 2.5, 5, 10) if s * power >= raw)
    start = math.floor(low / step + 1e-9) * step
    stop = math.ceil(high / step - 1e-9) * step
    return [round(start + i * step, 10) for i in range(int(round((stop - start) / step)) + 1)]


def _tick_label(value: float) -> str:
    return f"{value:g}"


def _y_axis(ticks: list[float], scale, y_label: str, right: float = WIDTH - RIGHT) -> list[str]:
    parts = []
    for tick in ticks:
        y = scale(tick)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.8"/>')
        parts.append(_text(LEFT - 6, y + 4, _tick_label(tick), anchor="end", size=10, fill=AXIS))
    if y_label:
        parts.append(_text(LEFT - 6, TOP - 14, y_label, anchor="start", size=10, fill=AXIS))
    return parts


def _legend(names: Sequence[str], colors: Sequence[str], y: float = 14) -> list[str]:
    parts, x = [], WIDTH - RIGHT
    for name, color in reversed(list(zip(names, colors))):
        x -= 12 * len(str(name)) + 8
        parts.append(_text(x, y + 4, name, anchor="start", size=10.5))
        x -= 16
        parts.append(f'<rect x="{x:.1f}" y="{y - 5}" width="10" height="10" fill="{color}"/>')
        x -= 14
    return parts


def _linear(domain: tuple[float, float], extent: tuple[float, float]):
    (d0, d1), (r0, r1) = domain, extent
    return lambda v: r0 + (v - d0) / (d1 - d0) * (r1 - r0)


def histogram_svg(values: Sequence[float], *, bins: int = 20, x_label: str, y_label: str = "单位数",
                  highlight: Sequence[float] = (), highlight_label: str = "重点单位",
                  all_label: str = "全部单位") -> str:
    """A histogram of `values`, the part of each bar that holds a `highlight` value drawn in red."""
    data = np.asarray([v for v in values if v is not None], dtype=float)
    data = data[np.isfinite(data)]
    if data.size == 0:
        return _empty()
    low, high = float(data.min()), float(data.max())
    if high == low:
        low, high = low - 0.5, high + 0.5
    edges = np.linspace(low, high, bins + 1)
    counts, _ = np.histogram(data, edges)
    marked = np.asarray([v for v in highlight if v is not None and np.isfinite(v)], dtype=float)
    red, _ = np.histogram(np.clip(marked, low, high), edges)
    y_ticks = nice_ticks(0, max(int(counts.max()), 1), 4)
    x = _linear((low, high), (LEFT, WIDTH - RIGHT))
    y = _linear((0, y_ticks[-1]), (HEIGHT - BOTTOM, TOP))
    body = _y_axis([t for t in y_ticks if t == int(t)], y, y_label)
    for left, right, count, hot in zip(edges[:-1], edges[1:], counts, np.minimum(red, counts)):
        x0, width = x(left) + 0.5, max(x(right) - x(left) - 1, 0.5)
        if count:
            body.append(f'<rect x="{x0:.1f}" y="{y(count):.1f}" width="{width:.1f}" '
                        f'height="{y(0) - y(count):.1f}" fill="{PALETTE[0]}" data-count="{count}"/>')
        if hot:
            body.append(f'<rect x="{x0:.1f}" y="{y(hot):.1f}" width="{width:.1f}" '
                        f'height="{y(0) - y(hot):.1f}" fill="{RED}" data-highlight="{hot}"/>')
    body += _x_axis([t for t in nice_ticks(low, high, 6) if low <= t <= high], x, x_label)
    if marked.size:
        body += _legend([all_label, highlight_label], [PALETTE[0], RED])
    return _svg(body, title=x_label)


def _x_axis(ticks: list[float], scale, x_label: str) -> list[str]:
    base = HEIGHT - BOTTOM
    parts = [f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="{AXIS}" stroke-width="1"/>']
    for tick in ticks:
        parts.append(f'<line x1="{scale(tick):.1f}" y1="{base}" x2="{scale(tick):.1f}" y2="{base + 4}" stroke="{AXIS}"/>')
        parts.append(_text(scale(tick), base + 16, _tick_label(tick), size=10, fill=AXIS))
    if x_label:
        parts.append(_text((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 8, x_label, size=10.5, fill=AXIS))
    return parts


def _finite(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def profile_svg(dimensions: Sequence[str], series: Mapping[str, Sequence[float]]) -> str:
    """Grouped horizontal bars: one group per dimension, one bar per series, values at the bar ends."""
    names = list(series)
    if not dimensions or not names:
        return _empty()
    bar, gap, left = 11, 10, 92
    height = TOP + len(dimensions) * (bar * len(names) + gap) + 28
    peak = max([float(v) for s in series.values() for v in s if _finite(v)] or [0])
    ticks = nice_ticks(0, 100 if peak <= 100 else peak, 5)
    x = _linear((0, ticks[-1]), (left, WIDTH - RIGHT - 34))
    base = height - 24
    body = []
    for tick in ticks:
        body.append(f'<line x1="{x(tick):.1f}" y1="{TOP - 4}" x2="{x(tick):.1f}" y2="{base}" stroke="{GRID}" stroke-width="0.8"/>')
        body.append(_text(x(tick), base + 14, _tick_label(tick), size=10, fill=AXIS))
    for row, dimension in enumerate(dimensions):
        top = TOP + row * (bar * len(names) + gap)
        body.append(_text(left - 8, top + bar * len(names) / 2 + 4, dimension, anchor="end", size=11))
        for k, name in enumerate(names):
            value = series[name][row]
            y0 = top + k * bar
            if not _finite(value):
                body.append(_text(x(0) + 4, y0 + bar - 2, "—", anchor="start", size=9, fill=AXIS))
                continue
            color = PALETTE[k % len(PALETTE)]
            body.append(f'<rect x="{x(0):.1f}" y="{y0 + 1:.1f}" width="{x(float(value)) - x(0):.1f}" '
                        f'height="{bar - 2}" fill="{color}" data-value="{float(value):g}"/>')
            body.append(_text(x(float(value)) + 4, y0 + bar - 2, f"{float(value):.1f}", anchor="start", size=9))
    body += _legend(names, PALETTE)
    return _svg(body, height=int(height), title="、".join(dimensions))


def trend_svg(periods: Sequence[str], series: Mapping[str, Sequence[float | None]], *, y_label: str) -> str:
    """Lines with markers over `periods`, one per series, broken where a value is None."""
    points = [float(v) for s in series.values() for v in s if _finite(v)]
    if not periods or not points:
        return _empty()
    spread = max(points) - min(points)
    ticks = nice_ticks(min(points) - 0.1 * spread, max(points) + 0.1 * spread, 4)
    y = _linear((ticks[0], ticks[-1]), (HEIGHT - BOTTOM, TOP))
    step = (WIDTH - LEFT - RIGHT) / len(periods)
    x = lambda i: LEFT + step * (i + 0.5)  # noqa: E731 — a scale, like the others
    body = _y_axis(ticks, y, y_label)
    base = HEIGHT - BOTTOM
    body.append(f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="{AXIS}"/>')
    body += [_text(x(i), base + 16, period, size=10, fill=AXIS) for i, period in enumerate(periods)]
    for k, (name, values) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        for run in _runs(values):
            if len(run) > 1:
                coords = " ".join(f"{x(i):.1f},{y(float(values[i])):.1f}" for i in run)
                body.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"/>')
        for i, value in enumerate(values):
            if _finite(value):
                body.append(f'<circle cx="{x(i):.1f}" cy="{y(float(value)):.1f}" r="3.5" fill="#fff" '
                            f'stroke="{color}" stroke-width="2"/>')
                body.append(_text(x(i), y(float(value)) - 8, f"{float(value):.1f}", size=9, fill=color))
    body += _legend(list(series), PALETTE)
    return _svg(body, title=y_label)


def _runs(values: Sequence[float | None]) -> list[list[int]]:
    runs: list[list[int]] = [[]]
    for i, value in enumerate(values):
        if _finite(value):
            runs[-1].append(i)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def bar_svg(labels: Sequence[str], values: Sequence[float], *, value_format: str = "{:.0f}",
            y_label: str = "") -> str:
    """Vertical bars, one per label, each with its value printed above it."""
    if not labels:
        return _empty()
    numbers = [float(v) if _finite(v) else 0.0 for v in values]
    ticks = nice_ticks(0, max(max(numbers), 1e-9), 4)
    y = _linear((0, ticks[-1]), (HEIGHT - BOTTOM, TOP))
    step = (WIDTH - LEFT - RIGHT) / len(labels)
    body = _y_axis(ticks, y, y_label)
    base = HEIGHT - BOTTOM
    body.append(f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="{AXIS}"/>')
    for i, (label, raw, value) in enumerate(zip(labels, values, numbers)):
        centre, width = LEFT + step * (i + 0.5), min(step * 0.6, 48)
        body.append(f'<rect x="{centre - width / 2:.1f}" y="{y(value):.1f}" width="{width:.1f}" '
                    f'height="{base - y(value):.1f}" fill="{PALETTE[0]}" data-value="{value:g}"/>')
        shown = value_format.format(float(raw)) if _finite(raw) else "—"
        body.append(_text(centre, y(value) - 5, shown, size=10))
        body.append(_text(centre, base + 16, label, size=10, fill=AXIS))
    return _svg(body, title=y_label)


def interval_svg(labels: Sequence[str], ranks: Sequence[int], lows: Sequence[int], highs: Sequence[int],
                 marked: Sequence[bool], *, x_label: str = "名次") -> str:
    """One row per unit: its 95 % rank interval as a bar and its rank as a dot; marked units drawn in red."""
    if not labels:
        return _empty()
    row, left = 16, 190
    height = TOP + row * len(labels) + BOTTOM
    low, high = min(lows), max(highs)
    ticks = nice_ticks(low, high, 6)
    x = _linear((ticks[0], ticks[-1]), (left, WIDTH - RIGHT))
    base = height - BOTTOM
    body = [f'<line x1="{x(t):.1f}" y1="{TOP - 6}" x2="{x(t):.1f}" y2="{base}" stroke="{GRID}" stroke-width="0.8"/>'
            for t in ticks]
    for i, (label, rank, lo, hi, red) in enumerate(zip(labels, ranks, lows, highs, marked)):
        y, color = TOP + row * i + row / 2, RED if red else PALETTE[0]
        body.append(_text(left - 8, y + 4, label, anchor="end", size=9.5))
        body.append(f'<line x1="{x(lo):.1f}" y1="{y:.1f}" x2="{x(hi):.1f}" y2="{y:.1f}" stroke="{color}" '
                    f'stroke-width="3" data-interval="{lo}-{hi}"/>')
        body.append(f'<circle cx="{x(rank):.1f}" cy="{y:.1f}" r="3.2" fill="{INK}"/>')
    body.append(f'<line x1="{left}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="{AXIS}"/>')
    for tick in ticks:
        body.append(_text(x(tick), base + 16, _tick_label(tick), size=10, fill=AXIS))
    body.append(_text((left + WIDTH - RIGHT) / 2, height - 8, x_label, size=10.5, fill=AXIS))
    body += _legend(["重点单位", "其他单位"], [RED, PALETTE[0]])
    return _svg(body, height=height, title=x_label)
