"""Matplotlib set-up shared by every chart: Agg, fonts with a CJK fallback, colours, SVG export.

Charts are drawn on :class:`matplotlib.figure.Figure` objects (no pyplot, no
global state) and exported as SVG with text kept as text
(``svg.fonttype: none``), so Chinese labels stay selectable and small; the
page's font stack draws them. For the layout matplotlib measures text with
the first installed font of :data:`CJK_FONTS` (Debian: ``fonts-noto-cjk``),
falling back to DejaVu Sans when none is installed: the chart still renders,
only the measured width of Chinese labels is approximate.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

#: Fonts with Chinese glyphs, preferred first.
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "Microsoft YaHei", "SimHei", "PingFang SC", "Noto Sans SC")
#: Font stack written into the SVGs (the reader's browser picks the first it has).
CSS_FONTS = ("'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', 'WenQuanYi Micro Hei', "
             "'Helvetica Neue', Arial, sans-serif")
#: Width of a full-width chart [in]: fits an A4 page with 15 mm margins.
WIDTH_IN = 7.0

#: Colour of each electricity group, fuel-limit line and case; imports and exports differ.
COLOURS = {
    "coal": "#4d4d4d", "gas": "#e08214", "biomass": "#5b8c2a", "wind": "#2f7ebc", "solar": "#f2c200",
    "imports": "#7b3294", "exports": "#c2a5cf", "storage_discharge": "#1b9e9e", "storage_charge": "#9ad9d9",
    "storage": "#1b9e9e", "unserved": "#d7191c", "heat": "#b15928", "demand": "#000000", "limit": "#d7191c",
    "without": "#9ecae1", "with": "#2166ac", "existing": "#000000", "reference": "#969696",
}
#: Colours for further series (technologies, fuels) in order.
CYCLE = ("#2f7ebc", "#74add1", "#f2c200", "#fdae61", "#4d4d4d", "#e08214", "#5b8c2a", "#7b3294", "#1b9e9e",
         "#d7191c", "#969696", "#b15928")


@lru_cache(maxsize=1)
def font_family() -> list[str]:
    """The installed CJK font (if any) followed by DejaVu Sans (matplotlib's own, always present)."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in CJK_FONTS if f in installed][:1] + ["DejaVu Sans"]


def has_cjk_font() -> bool:
    """True if a font with Chinese glyphs is installed for matplotlib."""
    return len(font_family()) > 1


RC = {
    "svg.fonttype": "none", "font.size": 8.5, "axes.titlesize": 9.5, "axes.titleweight": "bold",
    "axes.labelsize": 8.5, "legend.fontsize": 7.5, "legend.frameon": False, "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": True, "grid.color": "#dddddd", "grid.linewidth": 0.6,
    "axes.axisbelow": True, "xtick.labelsize": 7.5, "ytick.labelsize": 7.5, "lines.linewidth": 1.3,
    "figure.dpi": 96, "svg.image_inline": True,
}


@contextmanager
def chart_style() -> Iterator[None]:
    """Matplotlib settings for one chart (fonts, sizes, grid); missing-glyph warnings silenced."""
    settings: Any = RC | {"font.family": font_family()}
    with matplotlib.rc_context(settings), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        warnings.filterwarnings("ignore", message="findfont")
        yield


def new_figure(height_in: float, *, left_in: float = 0.75, right_in: float = 0.15, top_in: float = 0.35,
               bottom_in: float = 0.5, width_in: float = WIDTH_IN, wspace: float = 0.3, hspace: float = 0.5) -> Figure:
    """A blank figure of the report's width with fixed margins [in].

    Fixed margins instead of matplotlib's constrained layout: the layout
    engine measures every label several times and doubled the drawing time.
    """
    fig = Figure(figsize=(width_in, height_in))
    fig.subplots_adjust(left=left_in / width_in, right=1 - right_in / width_in, top=1 - top_in / height_in,
                        bottom=bottom_in / height_in, wspace=wspace, hspace=hspace)
    return fig


def bars(ax: Axes, x: np.ndarray, heights: np.ndarray, bottoms: np.ndarray, width: float, colour: str,
         label: str) -> PolyCollection:
    """Vertical bars as one collection (one artist instead of one per bar: several times faster to draw)."""
    left, right = x - width / 2, x + width / 2
    top = bottoms + heights
    verts = np.stack([np.column_stack([left, bottoms]), np.column_stack([right, bottoms]),
                      np.column_stack([right, top]), np.column_stack([left, top])], axis=1)
    coll = PolyCollection(list(verts), facecolors=colour, edgecolors="none", label=label)
    ax.add_collection(coll)
    ax.update_datalim(np.concatenate([np.column_stack([left, bottoms]), np.column_stack([right, top])]))
    ax.autoscale_view()
    return coll


def text_width_in(labels: list[str], size_pt: float = 7.5) -> float:
    """Rough width of the longest label [in] (CJK characters count double) for margins."""
    from energy_model.output.i18n import display_width

    return max((display_width(t) for t in labels), default=0) * size_pt * 0.55 / 72


_XML_HEAD = re.compile(r"^.*?(?=<svg)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_FONT = re.compile(r"font-family: [^;\"]*;?\s*")
_SIZE = re.compile(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"')
_PATH = re.compile(r' d="[^"]*"')
_DIGITS = re.compile(r"(\d\.\d)\d+")
_ID = re.compile(r'(\sid="|url\(#|href="#)([^")]+)')


def to_svg(fig: Figure, name: str, label: str) -> str:
    """The figure as an inline ``<svg>`` element that scales to the page width.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The drawn chart.
    name : str
        Unique id of the chart in the page; it also prefixes the SVG's internal ids (``figure_1``,
        ``patch_1``, clip paths), which matplotlib numbers anew in every figure, so that a page with
        many charts has no duplicate id.
    label : str
        Accessible name of the chart (its title).
    """
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": name}):
        fig.savefig(buf, format="svg")
    text = _METADATA.sub("", _XML_HEAD.sub("", buf.getvalue(), count=1), count=1)
    text = _FONT.sub("", text)
    text = _ID.sub(lambda m: f"{m.group(1)}{name}-{m.group(2)}", text)  # matplotlib numbers ids per figure
    text = _PATH.sub(lambda m: _DIGITS.sub(r"\1", m.group(0)), text)  # 0.1 pt is finer than any screen or printer
    text = _SIZE.sub(lambda m: f'<svg {m.group(1)}class="chart" id="chart-{name}" role="img" '
                               f'aria-label="{_attr(label)}" style="font-family: {CSS_FONTS}"', text, count=1)
    return text.strip()


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
