"""Render SVM frames from arrays exactly as spacekit 1.1.4's matplotlib figures looked.

spacekit 1.1.4 drew every total-detection image on a 24×24-inch matplotlib figure
(100 dpi) with a WCS axis, saved it with ``bbox_inches="tight"`` (about 1800×1850 pixels)
and the CNN then read it back shrunk to 128×128 with nearest-neighbour sampling, throwing
away 99.5 % of the pixels. The published ``svm_align`` network was trained on those
pixels, so this module reproduces them without matplotlib:

* the figure geometry: the axis limits are the pixel positions of the corners of the WCS
  footprint's RA/Dec box (which flips the image vertically: ``ylim`` runs from the top
  row down), the axes box of a default ``subplot(111)`` shrunk to an equal aspect, and the
  tight crop with its 0.1-inch (10 pixel) white margin;
* the image: zscale limits, ``vmin=0, vmax=2*zmax`` with clipping, the 256-level gray
  colormap, and matplotlib's ``"auto"`` resampling (Hanning filter in RGBA space below a
  zoom of 3, nearest-neighbour on the data above it);
* the catalogue markers: open circles of area 15 pt² with a 1 pt edge, alpha-blended
  with their anti-aliased coverage of each pixel.

Only the canvas pixels that are asked for are computed: the whole canvas for a
full-size PNG, or just the 128 rows and 128 columns that nearest-neighbour shrinking
keeps (:func:`nearest_indices`), which is what makes rendering fast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "CNN_SIZE",
    "FIGSIZE",
    "Canvas",
    "Marker",
    "figure_canvas",
    "nearest_indices",
    "zscale_vmax",
    "render_image",
    "draw_markers",
    "render_frame",
]

#: Side of the CNN inputs (pixels).
CNN_SIZE = 128
# 1.1.4's figure: 24 x 24 inches at matplotlib's default 100 dpi.
FIGSIZE = (24.0, 24.0)
_DPI = 100.0
# A default ``add_subplot(111)`` axes box, as fractions of the figure (left, bottom, w, h).
_AXES = (0.125, 0.11, 0.775, 0.77)
# ``bbox_inches="tight"`` pads the crop by 0.1 inch.
_PAD = 0.1 * _DPI
# matplotlib's "gray" colormap: 256 levels i/255; as bytes, int(lut * 255) (truncated).
_LUT = np.linspace(0.0, 1.0, 256)
_LUT8 = (_LUT * 255).astype(np.uint8)
# Scatter markers: area 15 pt^2 ("o" is a circle of diameter sqrt(s) points), 1 pt edges
# (the default line width of collections).
_MARKER_RADIUS = np.sqrt(15.0) / 2.0 * _DPI / 72.0
_HALF_EDGE = 1.0 * _DPI / 72.0 / 2.0
_SUPERSAMPLE = 8


@dataclass(frozen=True)
class Canvas:
    """Where the image lands on the saved (tight-cropped) figure.

    Attributes
    ----------
    width, height : int
        Size of the saved PNG in pixels.
    xlim, ylim : tuple of float
        Data (0-based pixel) coordinates shown at the left/right and bottom/top edges of
        the axes, as passed to ``set_xlim`` / ``set_ylim``.
    left, top : float
        Position of the axes' left and top edges on the canvas (pixels from the top-left).
    ax_width, ax_height : float
        Size of the axes box on the canvas (pixels).
    """

    width: int
    height: int
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    left: float
    top: float
    ax_width: float
    ax_height: float

    def col_to_x(self, cols) -> np.ndarray:
        """Data x coordinate at the centre of canvas columns ``cols``."""
        x0, x1 = self.xlim
        return x0 + (np.asarray(cols, float) + 0.5 - self.left) * (x1 - x0) / self.ax_width

    def row_to_y(self, rows) -> np.ndarray:
        """Data y coordinate at the centre of canvas rows ``rows`` (row 0 is the top)."""
        y_bottom, y_top = self.ylim
        return y_top + (np.asarray(rows, float) + 0.5 - self.top) * (
            (y_bottom - y_top) / self.ax_height
        )

    def x_to_col(self, x) -> np.ndarray:
        """Continuous canvas column of data x coordinates."""
        x0, x1 = self.xlim
        return self.left + (np.asarray(x, float) - x0) * self.ax_width / (x1 - x0)

    def y_to_row(self, y) -> np.ndarray:
        """Continuous canvas row of data y coordinates."""
        y_bottom, y_top = self.ylim
        return self.top + (np.asarray(y, float) - y_top) * self.ax_height / (y_bottom - y_top)

    @property
    def zoom(self) -> tuple[float, float]:
        """Display pixels per data pixel along x and y."""
        return (
            self.ax_width / abs(self.xlim[1] - self.xlim[0]),
            self.ax_height / abs(self.ylim[1] - self.ylim[0]),
        )


def figure_canvas(
    xlim: tuple[float, float], ylim: tuple[float, float], figsize: tuple[float, float] = FIGSIZE
) -> Canvas:
    """The canvas of a 1.1.4 figure whose axes show ``xlim`` × ``ylim`` (equal aspect).

    Parameters
    ----------
    xlim, ylim : tuple of float
        Axis limits in data (0-based pixel) coordinates, in the order given to
        ``set_xlim`` / ``set_ylim``.
    figsize : tuple of float, default=(24, 24)
        Figure size in inches (at 100 dpi); 1.1.4's ``size`` argument.

    Returns
    -------
    Canvas
    """
    dx, dy = abs(xlim[1] - xlim[0]), abs(ylim[1] - ylim[0])
    if dx <= 0 or dy <= 0 or not np.isfinite(dx + dy):
        raise ValueError(f"degenerate axis limits xlim={xlim}, ylim={ylim}")
    box_w, box_h = _AXES[2] * figsize[0] * _DPI, _AXES[3] * figsize[1] * _DPI
    if dy / dx > box_h / box_w:  # the height limits; the width shrinks (anchor: centre)
        ax_h, ax_w = box_h, box_h * dx / dy
    else:
        ax_w, ax_h = box_w, box_w * dy / dx
    width = int(np.floor(ax_w + 2 * _PAD + 1e-6))
    height = int(np.floor(ax_h + 2 * _PAD + 1e-6))
    # The crop keeps the axes _PAD pixels from the left and from the bottom edge.
    top = height - _PAD - ax_h
    return Canvas(
        width, height, tuple(map(float, xlim)), tuple(map(float, ylim)), _PAD, top, ax_w, ax_h
    )


def nearest_indices(n_in: int, n_out: int = CNN_SIZE) -> np.ndarray:
    """Source indices that a nearest-neighbour resize from ``n_in`` to ``n_out`` keeps.

    These are Pillow's (and so ``keras.utils.load_img``'s) choices:
    ``floor((i + 0.5) * n_in / n_out)``.
    """
    idx = np.floor((np.arange(n_out) + 0.5) * (n_in / n_out)).astype(np.int64)
    return np.clip(idx, 0, n_in - 1)


def zscale_vmax(data: np.ndarray) -> float:
    """``2 × zmax`` of astropy's ZScaleInterval: the upper display limit 1.1.4 used."""
    from astropy.visualization import ZScaleInterval

    _, zmax = ZScaleInterval().get_limits(data)
    return 2.0 * float(zmax)


def _normalise(values: np.ndarray, vmax: float) -> np.ndarray:
    """ImageNormalize(vmin=0, vmax, clip=True): values scaled to [0, 1]; NaN stays NaN."""
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (
            np.asarray(values, dtype=np.float64) / vmax if vmax > 0 else np.zeros(np.shape(values))
        )
    return np.clip(out, 0.0, 1.0)


def _lut_index(norm: np.ndarray) -> np.ndarray:
    idx = norm * 256.0
    idx[idx == 256.0] = 255.0
    bad = np.isnan(idx)
    idx = np.where(bad, 0, idx).astype(np.int64)
    return np.clip(idx, 0, 255), bad


def _hanning_taps(coords: np.ndarray, n: int, scale: float):
    """Source taps and weights of Agg's Hanning filter at ``coords`` (pixel centres k+0.5).

    ``scale`` >= 1 widens the filter when downsampling. Taps beyond the edges repeat the
    edge pixels.
    """
    u = coords + 0.5  # Agg's continuous coordinate: pixel k covers [k, k+1)
    first = np.floor(u - 0.5 - scale).astype(np.int64) + 1
    ntaps = int(np.ceil(2 * scale)) + 1
    taps = first[:, None] + np.arange(ntaps)[None, :]
    dist = np.abs(taps + 0.5 - u[:, None]) / scale
    w = np.where(dist < 1.0, 0.5 + 0.5 * np.cos(np.pi * np.minimum(dist, 1.0)), 0.0)
    w /= np.maximum(w.sum(axis=1, keepdims=True), 1e-300)
    return np.clip(taps, 0, n - 1), w


def _drawn(canvas: Canvas, shape: tuple[int, int], rows: np.ndarray, cols: np.ndarray):
    """Which canvas rows/cols the image covers (its extent clipped to the axes, rounded)."""
    ny, nx = shape
    e = np.sort(canvas.x_to_col([-0.5, nx - 0.5]))
    c0 = np.floor(max(e[0], canvas.left) + 0.5)
    c1 = np.floor(min(e[1], canvas.left + canvas.ax_width) + 0.5 + 1e-8)
    e = np.sort(canvas.y_to_row([-0.5, ny - 0.5]))
    # matplotlib rounds in display coordinates (y up); mirror its half-up/half-down rules
    h = canvas.height
    d_lo = h - min(e[1], canvas.top + canvas.ax_height)
    d_hi = h - max(e[0], canvas.top)
    y0 = np.ceil(d_lo - 0.5 - 1e-8)
    y1 = np.ceil(d_hi - 0.5)
    r0, r1 = h - y1, h - y0
    return (rows >= r0) & (rows < r1), (cols >= c0) & (cols < c1)


def render_image(
    data: np.ndarray, vmax: float, canvas: Canvas, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """Gray levels (uint8) of canvas pixels ``rows`` × ``cols``; white outside the image.

    Parameters
    ----------
    data : numpy.ndarray of shape (ny, nx)
        The SCI array (row 0 is the bottom, as ``origin="lower"`` draws it).
    vmax : float
        Upper display limit (:func:`zscale_vmax`); the lower one is 0.
    canvas : Canvas
    rows, cols : numpy.ndarray of int
        Canvas pixels to compute.

    Returns
    -------
    numpy.ndarray of shape (len(rows), len(cols)), dtype uint8
    """
    ny, nx = data.shape
    rows, cols = np.asarray(rows), np.asarray(cols)
    out = np.full((len(rows), len(cols)), 255, dtype=np.uint8)
    in_r, in_c = _drawn(canvas, data.shape, rows, cols)
    if not in_r.any() or not in_c.any():
        return out
    x = canvas.col_to_x(cols[in_c])
    y = canvas.row_to_y(rows[in_r])
    zx, zy = canvas.zoom
    if (zx > 3 or zx in (1.0, 2.0)) and (zy > 3 or zy in (1.0, 2.0)):
        # Nearest neighbour on the data; ties go to the left/lower pixel, as in matplotlib.
        ix = np.clip(np.ceil(x - 0.5).astype(np.int64), 0, nx - 1)
        iy = np.clip(np.ceil(y - 0.5).astype(np.int64), 0, ny - 1)
        idx, bad = _lut_index(_normalise(data[np.ix_(iy, ix)], vmax))
        vals = _LUT8[idx]
        vals[bad] = 255  # NaN ("bad") pixels are transparent: the white figure shows
        out[np.ix_(in_r, in_c)] = vals
        return out

    # Hanning resampling of the colour-mapped image (matplotlib's "auto" below zoom 3).
    tx, wx = _hanning_taps(x, nx, max(1.0, 1.0 / zx))
    ty, wy = _hanning_taps(y, ny, max(1.0, 1.0 / zy))
    need = np.unique(ty)
    pos = np.zeros(ny, dtype=np.int64)
    pos[need] = np.arange(len(need))
    idx, bad = _lut_index(_normalise(data[need], vmax))
    alpha = (~bad).astype(np.float64)
    gray = _LUT[idx] * alpha  # premultiplied by alpha (NaN pixels are transparent)
    g_rows = np.einsum("rck,ck->rc", gray[:, tx], wx)
    a_rows = np.einsum("rck,ck->rc", alpha[:, tx], wx)
    py = pos[ty]
    g = np.einsum("rk,rkc->rc", wy, g_rows[py])
    a = np.einsum("rk,rkc->rc", wy, a_rows[py])
    g = np.where(a > 0, g / np.where(a > 0, a, 1.0), 0.0)
    g8 = np.floor(np.clip(g, 0, 1) * 255 + 1e-9)
    a8 = np.floor(np.clip(a, 0, 1) * 255 + 1e-9)
    # composite onto the white figure
    vals = np.round((g8 * a8 + 255.0 * (255.0 - a8)) / 255.0)
    out[np.ix_(in_r, in_c)] = np.clip(vals, 0, 255).astype(np.uint8)
    return out


@dataclass(frozen=True)
class Marker:
    """A group of open-circle scatter markers drawn in one ``scatter`` call.

    Attributes
    ----------
    x, y : numpy.ndarray
        Data (0-based pixel) coordinates of the centres.
    color : tuple of int
        RGB edge colour (0-255).
    alpha : float
        Opacity of the edges.
    """

    x: np.ndarray
    y: np.ndarray
    color: tuple[int, int, int]
    alpha: float = 1.0


def _ring_coverage(dc: np.ndarray, dr: np.ndarray) -> np.ndarray:
    """Fraction of each pixel (offsets of its corner from the centre) inside the ring."""
    s = (np.arange(_SUPERSAMPLE) + 0.5) / _SUPERSAMPLE
    xx = dc[..., None, None] + s[None, :]
    yy = dr[..., None, None] + s[:, None]
    r = np.hypot(xx, yy)
    inside = (r >= _MARKER_RADIUS - _HALF_EDGE) & (r <= _MARKER_RADIUS + _HALF_EDGE)
    return inside.mean(axis=(-1, -2))


def draw_markers(
    rgb: np.ndarray, canvas: Canvas, rows: np.ndarray, cols: np.ndarray, markers: list[Marker]
) -> np.ndarray:
    """Blend open-circle markers onto ``rgb`` (float, 0-255) at canvas ``rows`` × ``cols``.

    Markers are blended in order (group by group, point by point), as Agg draws them.
    ``rows`` and ``cols`` must be increasing.
    """
    reach = _MARKER_RADIUS + _HALF_EDGE + 1.0
    rows = np.asarray(rows)
    cols = np.asarray(cols)
    for m in markers:
        if len(m.x) == 0:
            continue
        cc = canvas.x_to_col(m.x)
        rr = canvas.y_to_row(m.y)
        color = np.asarray(m.color, dtype=np.float64)
        c_lo = np.searchsorted(cols, np.floor(cc - reach), side="left")
        c_hi = np.searchsorted(cols, np.ceil(cc + reach), side="right")
        r_lo = np.searchsorted(rows, np.floor(rr - reach), side="left")
        r_hi = np.searchsorted(rows, np.ceil(rr + reach), side="right")
        hit = (c_hi > c_lo) & (r_hi > r_lo) & np.isfinite(cc) & np.isfinite(rr)
        for k in np.flatnonzero(hit):
            sr = slice(r_lo[k], r_hi[k])
            sc = slice(c_lo[k], c_hi[k])
            dr = rows[sr].astype(np.float64)[:, None] - rr[k]
            dc = cols[sc].astype(np.float64)[None, :] - cc[k]
            dr, dc = np.broadcast_arrays(dr, dc)
            cov = _ring_coverage(dc, dr) * m.alpha
            if not cov.any():
                continue
            patch = rgb[sr, sc]
            patch += (color - patch) * cov[..., None]
    return rgb


def render_frame(
    data: np.ndarray,
    vmax: float,
    canvas: Canvas,
    rows: np.ndarray,
    cols: np.ndarray,
    markers: list[Marker] | None = None,
) -> np.ndarray:
    """One RGB frame (uint8, ``len(rows) × len(cols) × 3``): the image plus its markers."""
    gray = render_image(data, vmax, canvas, rows, cols)
    rgb = np.repeat(gray[..., None], 3, axis=2).astype(np.float64)
    if markers:
        draw_markers(rgb, canvas, rows, cols, markers)
    return np.clip(np.round(rgb), 0, 255).astype(np.uint8)
