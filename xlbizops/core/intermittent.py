"""Forecasts for slow and lumpy demand, many SKUs at once: Croston, SBA, TSB,
ADIDA, IMAPA and simple exponential smoothing, plus a per-SKU choice among them.

Every method here returns one number per SKU, the demand expected in each future
period (the forecasts are flat).  The series of all SKUs travel together as one
matrix, one row per SKU, **right-aligned** on the as-of period: a SKU whose first
sale came later has NaN before it.  So each method is a few numpy operations per
period over all SKUs at once, fast enough for 10,000 SKUs in xlwings Lite (no
threads, no numba).

The methods follow Nixtla's statsforecast 2.1 (``CrostonClassic``, ``CrostonSBA``,
``TSB``, ``ADIDA``, ``IMAPA``), whose point forecasts the tests match to 1e-6;
the sources:

- Croston, "Forecasting and stock control for intermittent demands", *Operational
  Research Quarterly* 23 (1972) 289–303: SES (α = 0.1) of the non-zero demand sizes
  z and of the intervals p between them; forecast z/p.
- SBA: Syntetos & Boylan, "The accuracy of intermittent demand estimates",
  *International Journal of Forecasting* 21 (2005) 303–314: Croston × (1 − α/2).
- TSB: Teunter, Syntetos & Babai, "Intermittent demand: linking forecasting to
  inventory obsolescence", *EJOR* 214 (2011) 606–615: SES of the demand
  probability (every period) times SES of the sizes; it decays when sales stop.
- ADIDA: Nikolopoulos et al., "An aggregate–disaggregate intermittent demand
  approach", *JORS* 62 (2011) 544–554: sum the series in blocks of the mean
  interval, SES on the block sums (α by least squares in [0.1, 0.3]), ÷ block.
- IMAPA: Petropoulos & Kourentzes, "Forecast combinations for intermittent demand",
  *JORS* 66 (2015) 914–924: the ADIDA forecast at every block length from 1 to the
  mean interval, averaged.

Worked example (Croston, α = 0.1): demand 0, 3, 0, 0, 5 has sizes 3, 5 and
intervals 2, 3 (counted from the first period); SES gives sizes 3.2 and intervals
2.1, so 3.2 / 2.1 = 1.5238 a period; SBA 0.95 × that = 1.4476.
"""

from __future__ import annotations

import numpy as np

from xlbizops.core.errors import InputError

METHODS = ("croston", "sba", "tsb", "adida", "imapa", "ets")
INTERMITTENT_METHODS = ("croston", "sba", "tsb", "adida", "imapa")
CROSTON_ALPHA = 0.1  # Croston's and statsforecast's fixed smoothing of sizes and intervals
TSB_ALPHAS = (0.1, 0.1)  # (demand size, demand probability); TSB has no agreed default
BLOCK_ALPHA = (0.1, 0.3)  # ADIDA/IMAPA: SES α by least squares within these bounds
ETS_ALPHA = (0.01, 0.99)  # "ets": SES, ETS(A,N,N), α by least squares within these
GOLDEN = (np.sqrt(5.0) + 1.0) / 2.0


def right_aligned(values: np.ndarray, rows: np.ndarray, n_rows: int) -> np.ndarray:
    """A ragged set of sequences as one matrix: row ``r`` holds the ``values`` whose
    ``rows`` entry is ``r``, in their order, ending in the last column; NaN before.
    ``rows`` must be sorted (each sequence contiguous)."""
    counts = np.bincount(rows, minlength=n_rows)
    width = max(int(counts.max()) if len(counts) else 0, 1)
    out = np.full((n_rows, width), np.nan)
    ends = np.cumsum(counts)
    position = np.arange(len(values)) - (ends - counts)[rows]  # index within its sequence
    out[rows, width - counts[rows] + position] = values
    return out


def ses(x: np.ndarray, alpha) -> tuple[np.ndarray, np.ndarray]:
    """Simple exponential smoothing of each row of ``x`` (right-aligned, NaN before
    the first value), level started at the first value:
    f₁ = x₁, fₜ₊₁ = fₜ + α·(xₜ − fₜ).  Returns (the next-period forecast, the sum of
    squared one-step errors from the second value on) per row; ``alpha`` a number or
    one per row.  A row of one value forecasts it; an empty row NaN."""
    return _ses(_filled(x), alpha)


def _filled(x: np.ndarray) -> np.ndarray:
    """``x`` transposed (periods × rows, contiguous: one period's values read at
    once), each row's leading NaN replaced by its first value: the level then
    starts there and the filler adds no error."""
    first = np.argmax(~np.isnan(x), axis=1)
    start = x[np.arange(x.shape[0]), first]
    return np.ascontiguousarray(np.where(np.isnan(x), start[:, None], x).T)


def _ses(columns: np.ndarray, alpha) -> tuple[np.ndarray, np.ndarray]:
    width, n = columns.shape
    alpha = np.broadcast_to(np.asarray(alpha, dtype=float), (n,))
    level = columns[0].copy() if width else np.full(n, np.nan)
    sse, error = np.zeros(n), np.empty(n)
    for t in range(1, width):
        np.subtract(columns[t], level, out=error)
        sse += error * error
        error *= alpha
        level += error
    return level, sse


def least_squares_alpha(x: np.ndarray, bounds: tuple[float, float], tolerance=1e-12):
    """Per row, the SES α in ``bounds`` with the least squared one-step error, by
    golden-section search to a bracket of 1e-12 (the search statsforecast's
    ``golden_section_ses`` runs, step for step, so an exact tie ends it the same
    way: a row of one value gets the middle of the bounds).  A looser ``tolerance``
    serves where only the ranking of methods matters (the "auto" holdout)."""
    columns = _filled(x)
    n = x.shape[0]
    a, b = np.full(n, float(bounds[0])), np.full(n, float(bounds[1]))
    c, d = b - (b - a) / GOLDEN, a + (b - a) / GOLDEN
    fc, fd = _ses(columns, c)[1], _ses(columns, d)[1]
    active = np.ones(n, dtype=bool)
    while True:
        active &= (np.abs(b - a) >= tolerance) & (fc != fd)
        if not active.any():
            return (b + a) / 2.0
        left, right = active & (fc < fd), active & (fd < fc)  # minimum in [a, d] / [c, b]
        b, a = np.where(left, d, b), np.where(right, c, a)
        c, d, fc, fd = (
            np.where(left, b - (b - a) / GOLDEN, np.where(right, d, c)),
            np.where(right, a + (b - a) / GOLDEN, np.where(left, c, d)),
            np.where(right, fd, fc),
            np.where(left, fc, fd),
        )
        f = _ses(columns, np.where(left, c, d))[1]
        fc, fd = np.where(left, f, fc), np.where(right, f, fd)


def _demands(y: np.ndarray):
    """The non-zero demands of each row of ``y``: (row of each, size, interval since
    the previous demand, or since the row's first period for the first one; the
    row's first period counts as 1, as in statsforecast's ``_intervals``)."""
    first = np.argmax(~np.isnan(y), axis=1)
    rows, cols = np.nonzero(np.nan_to_num(y) > 0)
    position = cols - first[rows] + 1
    previous = np.r_[0, position[:-1]]
    previous[np.r_[True, rows[1:] != rows[:-1]]] = 0  # a row's first demand
    return rows, y[rows, cols], (position - previous).astype(float)


def croston(y: np.ndarray, alpha: float = CROSTON_ALPHA, debias: bool = False) -> np.ndarray:
    """Croston's forecast per row: SES(sizes) ÷ SES(intervals), both smoothed with
    ``alpha`` from their first value; × (1 − α/2) with ``debias`` (SBA; statsforecast
    multiplies by 0.95, the same at α = 0.1).  A row without demand forecasts 0."""
    n = y.shape[0]
    rows, sizes, intervals = _demands(y)
    size = ses(right_aligned(sizes, rows, n), alpha)[0]
    interval = ses(right_aligned(intervals, rows, n), alpha)[0]
    out = np.where(np.isnan(size), 0.0, size / interval)
    return out * (1 - alpha / 2) if debias else out


def tsb(y: np.ndarray, alpha_d: float = TSB_ALPHAS[0], alpha_p: float = TSB_ALPHAS[1]):
    """TSB per row: SES of the demand probability (1 in a period with demand, 0
    without, every period) × SES of the non-zero sizes."""
    n = y.shape[0]
    rows, sizes, _ = _demands(y)
    occurs = np.where(np.isnan(y), np.nan, (np.nan_to_num(y) != 0).astype(float))
    size = ses(right_aligned(sizes, rows, n), alpha_d)[0]
    return np.where(np.isnan(size), 0.0, ses(occurs, alpha_p)[0] * size)


def block_forecasts(y: np.ndarray, longest: np.ndarray, tolerance=1e-12) -> dict:
    """For each block length k from 1 to ``longest`` (per row): the SES forecast of
    the row's sums over k consecutive periods, blocks counted back from the last
    period (an incomplete oldest block is dropped), α by least squares in [0.1, 0.3];
    ÷ k, so a per-period figure.  NaN where k > the row's ``longest``."""
    n, width = y.shape
    out = {}
    for k in range(1, int(longest.max(initial=0)) + 1):
        rows = np.flatnonzero(longest >= k)
        blocks = width // k
        sums = y[rows, width - blocks * k :].reshape(len(rows), blocks, k).sum(axis=2)
        alpha = least_squares_alpha(sums, BLOCK_ALPHA, tolerance)
        per_period = np.full(n, np.nan)
        per_period[rows] = ses(sums, alpha)[0] / k
        out[k] = per_period
    return out


def mean_interval_blocks(y: np.ndarray) -> np.ndarray:
    """ADIDA's block length per row: the mean interval between demands, rounded half
    to even (Python's ``round``, as statsforecast); 0 for a row without demand."""
    rows, _, intervals = _demands(y)
    count = np.bincount(rows, minlength=y.shape[0])
    total = np.bincount(rows, weights=intervals, minlength=y.shape[0])
    mean = np.divide(total, count, out=np.zeros(y.shape[0]), where=count > 0)
    return np.round(mean).astype(int)


def adida_imapa(y: np.ndarray, tolerance=1e-12) -> tuple[np.ndarray, np.ndarray]:
    """(ADIDA, IMAPA) per row.  ADIDA: the block forecast at the mean-interval block
    length; IMAPA: the mean of the block forecasts at every length from 1 to it.
    They share their block fits.  A row without demand forecasts 0."""
    longest = mean_interval_blocks(y)
    blocks = block_forecasts(y, longest, tolerance)
    n = y.shape[0]
    adida, total = np.zeros(n), np.zeros(n)
    for k, forecast in blocks.items():
        total += np.nan_to_num(forecast)
        adida = np.where(longest == k, forecast, adida)
    imapa = np.divide(total, longest, out=np.zeros(n), where=longest > 0)
    return adida, imapa


def smoothed(y: np.ndarray) -> np.ndarray:
    """The "ets" method: simple exponential smoothing, ETS(A,N,N), level started at
    the first period, α by least squares in [0.01, 0.99].  For smooth demand."""
    return ses(y, least_squares_alpha(y, ETS_ALPHA))[0]


def forecasts(y: np.ndarray, methods=METHODS, tolerance=1e-12) -> dict[str, np.ndarray]:
    """Each named method's per-period forecast for every row of ``y`` (``tolerance``:
    of the least-squares α, :func:`least_squares_alpha`)."""
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise InputError(f"method must be one of {', '.join(METHODS)} or auto (got {unknown[0]!r})")
    out = {}
    if "croston" in methods or "sba" in methods:
        plain = croston(y)
        out["croston"], out["sba"] = plain, plain * (1 - CROSTON_ALPHA / 2)
    if "tsb" in methods:
        out["tsb"] = tsb(y)
    if "adida" in methods or "imapa" in methods:
        out["adida"], out["imapa"] = adida_imapa(y, tolerance)
    if "ets" in methods:
        out["ets"] = smoothed(y)
    return {m: out[m] for m in methods}
