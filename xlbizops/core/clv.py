"""Customers' future: purchase models, spend model and customer lifetime value.

Purchases: BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy
Way"), modified BG/NBD (Batislam, Denizel & Filiztekin 2007) and Pareto/NBD
(Schmittlein, Morrison & Colombo 1987; likelihood as in Fader & Hardie 2005,
"A Note on Deriving the Pareto/NBD Model"), each fitted by maximum likelihood;
spend: Gamma-Gamma (Fader & Hardie 2013).  Times inside the models are in weeks, as
in the published CDNOW fits.  lifetimes 0.11.3 is the reference implementation
(``tests/data/lifetimes_clv.json``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import digamma, gammaln, hyp2f1

from xlbizops.core import validation as v
from xlbizops.core.errors import InputError
from xlbizops.core.rows import distinct_rows

WEEK = 7.0  # model time unit in days, as in the published CDNOW fits
CLV_COLUMNS = [
    "customer_id",
    "frequency",
    "recency_days",
    "age_days",
    "p_alive",
    "expected_purchases",
    "expected_purchases_low_80",
    "expected_purchases_high_80",
    "expected_order_value",
    "clv",
    "clv_low_80",
    "clv_high_80",
    "model",
    "churn_risk",
    "expected_next_order",
]


@dataclass(frozen=True)
class BgNbd:
    """BG/NBD parameters (time in weeks): purchase rate ~ Gamma(r, α), dropout ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class MbgNbd:
    """Modified BG/NBD parameters (Batislam, Denizel & Filiztekin 2007): as BG/NBD,
    but a customer may also drop out right after the first purchase, so one who
    never came back can be gone too."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class ParetoNbd:
    """Pareto/NBD parameters (Schmittlein, Morrison & Colombo 1987; weeks): purchase
    rate ~ Gamma(r, α) while alive; the time alive is exponential with a rate
    ~ Gamma(s, β), so a customer can leave at any moment, not only after a purchase."""

    r: float
    alpha: float
    s: float
    beta: float


MODELS = ("bgnbd", "mbgnbd", "paretonbd", "auto")
MODEL_NAMES = {BgNbd: "BG/NBD", MbgNbd: "modified BG/NBD", ParetoNbd: "Pareto/NBD"}
_KINDS = {"bgnbd": BgNbd, "mbgnbd": MbgNbd, "paretonbd": ParetoNbd}
CHURN_CUTS = (0.3, 0.7)  # P(alive) below 0.3: High churn risk; below 0.7: Medium; else Low


@dataclass(frozen=True)
class GammaGamma:
    """Gamma-Gamma spend parameters: mean spend ~ p·γ/(q − 1) across customers."""

    p: float
    q: float
    gamma: float


def repeat_purchase_summary(customer_ids, order_dates, amounts, as_of=None) -> pd.DataFrame:
    """Per customer: repeat purchases, recency, age and average repeat spend.

    Orders on the same day are one purchase (their amounts summed), as in Fader,
    Hardie & Lee (2005).  ``frequency`` x = purchase days − 1; ``recency_days`` t_x =
    first to last purchase; ``age_days`` T = first purchase to ``as_of`` (default the
    latest order date); ``repeat_average`` = mean spend of the repeat purchases
    (0 when there are none).  Orders after ``as_of`` are left out.
    """
    ids = np.asarray(customer_ids, dtype=object)
    day = v.as_dates("order_dates", order_dates).dt.normalize()
    amount = v.as_numbers("amounts", amounts)
    v.same_rows(customer_ids=ids, order_dates=day, amounts=amount)
    end = day.max() if as_of is None else v.as_date("as_of", as_of).normalize()
    keep = (day <= end).to_numpy()
    if not keep.any():
        raise InputError(f"as_of ({end.date()}) is before every order")
    # Integer codes and day numbers: one sort of (customer, day) keys instead of
    # grouping Python strings several times.
    codes, customers_ = pd.factorize(ids[keep], sort=True)
    days = day[keep].to_numpy().astype("datetime64[D]").astype(np.int64)
    first_day = days.min()
    span = int(days.max() - first_day) + 1
    key = codes.astype(np.int64) * span + (days - first_day)
    purchase, slot = np.unique(key, return_inverse=True)  # purchase days, sorted
    spent = np.bincount(slot, weights=np.nan_to_num(amount[keep]), minlength=len(purchase))
    who, when = purchase // span, purchase % span + first_day
    starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])  # each customer's first day
    ends = np.r_[starts[1:], len(who)] - 1
    total = np.bincount(who, weights=spent, minlength=len(customers_))
    end_day = np.datetime64(end.date(), "D").astype(np.int64)
    return summary_from_sums(
        customers_, when[starts], when[ends], np.diff(np.r_[starts, len(who)]), total,
        spent[starts], end_day,
    )  # fmt: skip


def summary_from_sums(
    customer_ids, first_day, last_day, purchase_days, total, first_day_total, as_of_day
) -> pd.DataFrame:
    """:func:`repeat_purchase_summary` from per-customer sums (days as whole numbers):
    x = purchase days − 1, t_x = last − first purchase day, T = as_of − first purchase
    day, and the repeat purchases' mean spend (total − the first day's) / x, 0 when
    x = 0 (Fader, Hardie & Lee 2005).  The report's query engine gives the sums.

    >>> summary_from_sums(["a"], [10], [40], [3], [90.0], [30.0], 50)["repeat_average"].tolist()
    [30.0]
    """
    first, last = np.asarray(first_day, np.int64), np.asarray(last_day, np.int64)
    days = np.asarray(purchase_days, np.int64)
    repeat_money = v.as_numbers("total", total) - v.as_numbers("first_day_total", first_day_total)
    v.same_rows(
        customer_ids=np.asarray(customer_ids, dtype=object), first_day=first, last_day=last,
        purchase_days=days, total=repeat_money,
    )  # fmt: skip
    if (days < 1).any() or (last < first).any() or (first > as_of_day).any():
        raise InputError("each customer needs a first purchase on or before as_of, "
                         "a last one on or after it, and at least one purchase day")  # fmt: skip
    frequency = days - 1
    return pd.DataFrame(
        {
            "customer_id": np.asarray(customer_ids, dtype=object),
            "frequency": frequency,
            "recency_days": last - first,
            "age_days": as_of_day - first,
            "repeat_average": np.where(frequency > 0, repeat_money / np.maximum(frequency, 1), 0.0),
        }
    )


def _x_levels(x, weight):
    """(distinct x, each row's level, the weight at each level): the fits' gamma
    functions depend on x alone, so they are worked out once per level (a few dozen)
    instead of once per row (up to a million).  ``x`` comes sorted from
    :func:`~xlbizops.core.rows.distinct_rows`; anything else is sorted here."""
    if len(x) and (x[1:] >= x[:-1]).all():
        starts = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])
        levels = x[starts]
        which = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(x)]))
    else:
        levels, which = np.unique(x, return_inverse=True)
    return levels, which, np.bincount(which, weights=weight, minlength=len(levels))


def _log_add(a, b):
    """ln(eᵃ + eᵇ) for b possibly −inf: max + ln(1 + e^−|a−b|), three times faster
    than ``np.logaddexp`` (which the fits called on every row of every step)."""
    with np.errstate(invalid="ignore"):
        return np.maximum(a, b) + np.log1p(np.exp(-np.abs(a - b)))


def _bg_family_log_likelihood(log_params, x, tx, t, weight, gradient, modified):
    """Σ weight · ln L(r, α, a, b | x, t_x, T) of BG/NBD (FHL 2005, eq. 6) or, with
    ``modified``, the modified BG/NBD (Batislam et al. 2007, eq. 3; lifetimes'
    ``ModifiedBetaGeoFitter``: the "dropped out" term is there for x = 0 too, with
    b + x in place of b + x − 1), over log-parameters; with ``gradient`` also its
    analytic gradient (digammas for the gamma functions, a softmax over the "still
    alive" and "dropped out" terms for the log-sum).  The gamma functions are
    summed per level of x (:func:`_x_levels`)."""
    r, alpha, a, b = np.exp(log_params)
    k = 1.0 if modified else 0.0
    xs, which, wx = _x_levels(x, weight)
    total_weight = wx.sum()
    level = (
        gammaln(r + xs) - gammaln(r) + gammaln(a + b) + gammaln(b + xs + k) - gammaln(b)
        - gammaln(a + b + xs + k)
    )  # fmt: skip
    log_t, log_tx = np.log(alpha + t), np.log(alpha + tx)
    rx = r + x
    still = -rx * log_t
    with np.errstate(divide="ignore"):
        log_b = np.log(np.maximum(b + xs - 1 + k, 1e-300))
        dropped = np.log(a) - log_b[which] - rx * log_tx
        if not modified:  # BG/NBD: no dropping out before the first repeat purchase
            dropped = np.where(x > 0, dropped, -np.inf)
    total = _log_add(still, dropped)
    value = float(wx @ level + r * np.log(alpha) * total_weight + weight @ total)
    if not gradient:
        return value
    w_still = np.exp(still - total)  # the two terms' shares of the likelihood
    w_dropped = 1.0 - w_still
    ww_still, ww_dropped = weight * w_still, weight * w_dropped
    dropped_at = np.bincount(which, weights=ww_dropped, minlength=len(xs))
    d_r = (
        wx @ (digamma(r + xs) - digamma(r)) + np.log(alpha) * total_weight
        - ww_still @ log_t - ww_dropped @ log_tx
    )  # fmt: skip
    d_alpha = (
        r / alpha * total_weight
        - (ww_still * rx) @ (1 / (alpha + t))
        - (ww_dropped * rx) @ (1 / (alpha + tx))
    )
    d_a = wx @ (digamma(a + b) - digamma(a + b + xs + k)) + dropped_at.sum() / a
    d_b = wx @ (
        digamma(a + b) + digamma(b + xs + k) - digamma(b) - digamma(a + b + xs + k)
    ) - dropped_at @ (1 / np.maximum(b + xs - 1 + k, 1e-300))
    grad = np.array([d_r, d_alpha, d_a, d_b])
    return value, grad * np.array([r, alpha, a, b])  # d/d ln θ = θ · d/dθ


def _bgnbd_log_likelihood(log_params, x, tx, t, weight, gradient: bool = False):
    """BG/NBD's Σ weight · ln L (:func:`_bg_family_log_likelihood`)."""
    return _bg_family_log_likelihood(log_params, x, tx, t, weight, gradient, modified=False)


def _mbgnbd_log_likelihood(log_params, x, tx, t, weight, gradient: bool = False):
    """The modified BG/NBD's Σ weight · ln L (:func:`_bg_family_log_likelihood`)."""
    return _bg_family_log_likelihood(log_params, x, tx, t, weight, gradient, modified=True)


_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(20)
_STEEP = 45.0  # past e^-45 of its start the integrand adds nothing a double holds
_CHUNK = 65_536  # rows at a time: 20 nodes each


def _log_dropout_integral(p, q, alpha: float, beta: float, tx, t, gradient: bool = False):
    """ln ∫_{t_x}^{T} (α+τ)^(−p) (β+τ)^(−q) dτ, −inf when t_x = T: the Pareto/NBD's
    "left between the last purchase and T" term, s·∫(α+τ)^(−(r+x))(β+τ)^(−(s+1))dτ
    (Fader & Hardie 2005 note, eq. 15; their A₀ = (r+s+x)·this integral).  With
    ``gradient`` also its derivatives in p, q, α and β: each the integrand's mean
    of −ln(α+τ), −ln(β+τ), −p/(α+τ), −q/(β+τ), by the same quadrature.

    Gauss–Legendre (20 nodes) in ω = ln(m + τ), m = min(α, β): there the log of
    the integrand is concave with a slope of at most −κ₀ where it starts, so beyond
    45/κ₀ it is below e^−45 of its start and the span is cut there.  Against
    mpmath's ₂F₁ at 40 digits over 300 random cases (x to 200, α, β from 0.01 to
    10⁴): within 2e-12 in the log; scipy's ₂F₁ takes 10–1,000× longer near z = 1."""
    p, q, tx, t = np.broadcast_arrays(*(np.asarray(v, float) for v in (p, q, tx, t)))
    p, q, tx, t = (v.ravel() for v in (p, q, tx, t))
    out = np.empty((5 if gradient else 1, p.size))
    for start in range(0, p.size, _CHUNK):
        part = slice(start, start + _CHUNK)
        out[:, part] = _dropout_chunk(p[part], q[part], alpha, beta, tx[part], t[part], gradient)
    return out if gradient else out[0]


def _dropout_chunk(p, q, alpha, beta, tx, t, gradient):
    if alpha <= beta:
        low, high, p_low, p_high = alpha, beta, p, q
    else:
        low, high, p_low, p_high = beta, alpha, q, p
    start = np.log(low + tx)
    width = np.log(low + t) - start
    slope = (p_low - 1) + p_high * (low + tx) / (high + tx)  # −d ln f/dω at the start
    span = np.where(slope >= 1, np.minimum(width, _STEEP / np.maximum(slope, 1)), width)
    omega = start + (_NODES[:, None] + 1) / 2 * span  # nodes × rows
    near = np.exp(omega)  # low + τ
    far = high - low + near  # high + τ
    first = -(p_low - 1) * start - p_high * np.log(high + tx)
    weight = _WEIGHTS[:, None] * np.exp(-(p_low - 1) * omega - p_high * np.log(far) - first)
    total = weight.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = first + np.log(total * span / 2)
        if not gradient:
            return value[None, :]
        share = weight / total  # the quadrature's weights of the integrand, summing to 1
        d_near_p, d_far_p = -(share * omega).sum(0), -(share * np.log(far)).sum(0)
        d_near_x, d_far_x = -(share / near).sum(0), -(share / far).sum(0)
    if alpha <= beta:  # near is α + τ
        return np.stack([value, d_near_p, d_far_p, p * d_near_x, q * d_far_x])
    return np.stack([value, d_far_p, d_near_p, p * d_far_x, q * d_near_x])


def _paretonbd_log_likelihood(log_params, x, tx, t, weight, gradient: bool = False):
    """Σ weight · ln L(r, α, s, β | x, t_x, T) of the Pareto/NBD (Fader & Hardie 2005,
    eq. 22): ln[Γ(r+x)α^r β^s/Γ(r)] + ln[1/((α+T)^(r+x)(β+T)^s) + s/(r+s+x)·A₀],
    A₀ by :func:`_log_dropout_integral`; with ``gradient`` also its gradient (the
    integral's derivatives by the same quadrature, a softmax over the two terms)."""
    r, alpha, s, beta = np.exp(log_params)
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    still = -(r + x) * np.log(alpha + t) - s * np.log(beta + t)
    left = _log_dropout_integral(r + x, s + 1, alpha, beta, tx, t, gradient)
    if gradient:
        left, d_p, d_q, d_alpha_i, d_beta_i = left
    left = np.log(s) + left
    total = _log_add(still, left)
    value = float((weight * (head + total)).sum())
    if not gradient:
        return value
    w_still = np.exp(still - total)
    w_left = np.where(np.isfinite(left), np.exp(left - total), 0.0)
    d_p, d_q, d_alpha_i, d_beta_i = (np.where(w_left > 0, d, 0.0)
                                     for d in (d_p, d_q, d_alpha_i, d_beta_i))  # fmt: skip
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w_still * np.log(alpha + t) + w_left * d_p
    d_alpha = r / alpha - w_still * (r + x) / (alpha + t) + w_left * d_alpha_i
    d_s = np.log(beta) - w_still * np.log(beta + t) + w_left * (1 / s + d_q)
    d_beta = s / beta - w_still * s / (beta + t) + w_left * d_beta_i
    grad = np.array([(weight * d).sum() for d in (d_r, d_alpha, d_s, d_beta)])
    return value, grad * np.array([r, alpha, s, beta])


_LIKELIHOODS = {
    BgNbd: _bgnbd_log_likelihood,
    MbgNbd: _mbgnbd_log_likelihood,
    ParetoNbd: _paretonbd_log_likelihood,
}


def log_likelihood(model, frequency, recency, age, weight=None) -> float:
    """Σ weight · ln L of the purchase model at its parameters (times in weeks)."""
    x, tx, t = (np.asarray(c, float) for c in (frequency, recency, age))
    w = np.ones(len(x)) if weight is None else np.asarray(weight, float)
    return _LIKELIHOODS[type(model)](np.log(_vector(model)), x, tx, t, w)


def _vector(model) -> np.ndarray:
    """A model's parameters in their declared order."""
    return np.array([getattr(model, f) for f in model.__dataclass_fields__], float)


def _with_vector(model, values):
    """The same kind of model with other parameters."""
    return type(model)(*(float(value) for value in values))


def _gamma_gamma_log_likelihood(log_params, x, m, weight, gradient: bool = False):
    """Σ weight · ln f(m̄ | p, q, γ, x) (Fader & Hardie 2013, eq. 3) over log-parameters;
    with ``gradient`` also its analytic gradient.  The gamma functions are summed
    per level of x (:func:`_x_levels`)."""
    p, q, g = np.exp(log_params)
    xs, which, wx = _x_levels(x, weight)
    pxs = p * xs
    log_m, spend = np.log(m), np.log(g + m * x)
    px = pxs[which]
    level = gammaln(pxs + q) - gammaln(pxs) + pxs * np.log(xs)
    total_weight = wx.sum()
    value = float(
        wx @ level + (np.log(g) * q - gammaln(q)) * total_weight
        + weight @ ((px - 1) * log_m - (px + q) * spend)
    )  # fmt: skip
    if not gradient:
        return value
    both = digamma(pxs + q)
    d_p = wx @ (xs * (both - digamma(pxs) + np.log(xs))) + weight @ (x * (log_m - spend))
    d_q = wx @ both + (np.log(g) - digamma(q)) * total_weight - weight @ spend
    d_g = q / g * total_weight - weight @ ((px + q) / (g + m * x))
    return value, np.array([d_p, d_q, d_g]) * np.array([p, q, g])


EDGE = (1e-6, 1e5)  # a fitted parameter outside these: the likelihood is flat there
LOG_BOUND = 25.0  # |ln θ| ≤ 25: far beyond dropout_identified's edges, short of overflow


def _maximise(negative_log_likelihood, start, callback=None):
    """Minimise a mean negative log-likelihood over log-parameters: L-BFGS-B with the
    analytic gradient (``negative_log_likelihood`` returns value and gradient), from
    one start, within ``LOG_BOUND``.
    A Nelder-Mead polish and a second start were measured not to move the optimum
    (CDNOW and 100,000 synthetic customers: the same parameters to 1e-6)."""
    with np.errstate(all="ignore"):
        best = minimize(
            negative_log_likelihood,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=[(-LOG_BOUND, LOG_BOUND)] * len(start),
            callback=callback,
            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10},
        )
    if not np.isfinite(best.fun):
        raise InputError("the model could not be fitted to these orders")
    return best


def fit_purchase_model(frequency, recency, age, model: str = "bgnbd"):
    """Maximum-likelihood fit of the purchase model: BG/NBD (Fader, Hardie & Lee 2005,
    "Counting Your Customers the Easy Way", eq. 6), with ``model="mbgnbd"`` the
    modified BG/NBD (Batislam, Denizel & Filiztekin 2007), with ``"paretonbd"`` the
    Pareto/NBD (Fader & Hardie 2005 note, eq. 22), times in the unit given (weeks for
    CDNOW).  Returns (parameters, total log-likelihood); the log-likelihood is on the
    fit's own time scale, the same for every model, so it compares them.

    On the 2,357-customer CDNOW sample (39-week calibration) the published BG/NBD
    estimates are r = 0.243, α = 4.414, a = 0.793, b = 2.426, and the published
    Pareto/NBD ones r = 0.553, α = 10.58, s = 0.606, β = 11.67; lifetimes' modified
    BG/NBD gives r = 0.525, α = 6.183, a = 0.891, b = 1.614.
    """
    v.choice("model", model, tuple(_KINDS))
    x = v.non_negative("frequency", frequency)
    tx = v.non_negative("recency", recency)
    t = v.positive("age", age)
    if (tx > t).any():
        raise InputError("recency must not exceed age")
    if len(x) < 10 or (x > 0).sum() < 2:
        raise InputError("CLV needs at least 10 customers, some with repeat purchases")
    (x, tx, t), weight, _ = distinct_rows(x, tx, t)  # fewer terms to sum
    scale = t.mean()  # fit on a unit scale so α starts near 1
    share = weight / weight.sum()  # mean log-likelihood: tolerances do not grow with n
    kind = _KINDS[model]
    likelihood = _LIKELIHOODS[kind]

    def objective(p):
        value, grad = likelihood(p, x, tx / scale, t / scale, share, gradient=True)
        if not np.isfinite(value):  # off the edge of the parameter space
            return 1e300, np.zeros_like(p)
        return -value, -grad

    units = np.array([1.0, scale, 1.0, scale if kind is ParetoNbd else 1.0])

    def off_the_edge(intermediate_result):
        """Stop a walk along a ridge to infinity (a log without dropout: b or s and
        β growing together) once a parameter is 10× past where
        :func:`dropout_identified` gives up on the fit anyway."""
        if (np.exp(intermediate_result.x) * units).max() > 10 * EDGE[1]:
            raise StopIteration

    start = [0.5, 0.5, 0.5, 0.5] if kind is ParetoNbd else [0.5, 0.5, 0.5, 2.0]
    best = _maximise(objective, np.log(start), off_the_edge)
    for _ in range(2):  # L-BFGS-B can stop early on a flat ridge: start it again there
        if np.abs(best.jac).max() <= 1e-5 or (np.exp(best.x) * units).max() > 10 * EDGE[1]:
            break
        again = _maximise(objective, best.x, off_the_edge)
        best = again if again.fun <= best.fun else best
    fitted = kind(*(float(value) for value in np.exp(best.x) * units))
    return fitted, -float(best.fun) * float(weight.sum())


def fit_bgnbd(frequency, recency, age) -> BgNbd:
    """:func:`fit_purchase_model`'s BG/NBD parameters."""
    return fit_purchase_model(frequency, recency, age, "bgnbd")[0]


@dataclass(frozen=True)
class PurchaseFit:
    """A fitted purchase model, the covariance of its log-parameters (None when the
    Hessian is singular) and the note every output row carries ("" when all is well)."""

    model: BgNbd | MbgNbd | ParetoNbd
    covariance: np.ndarray | None
    note: str = ""

    @property
    def identified(self) -> bool:
        """Whether the fit can tell who has left (:func:`dropout_identified`, a
        Hessian that is not singular, and not :data:`NOT_IDENTIFIED`)."""
        return (
            self.covariance is not None
            and self.note != NOT_IDENTIFIED
            and dropout_identified(self.model)
        )

    @property
    def name(self) -> str:
        """The model's name in words: "BG/NBD", "modified BG/NBD", "Pareto/NBD"."""
        return MODEL_NAMES[type(self.model)]

    @property
    def key(self) -> str:
        """The model's argument value: "bgnbd", "mbgnbd" or "paretonbd"."""
        return next(key for key, kind in _KINDS.items() if isinstance(self.model, kind))


NOT_IDENTIFIED = (
    "dropout cannot be estimated from this log: customers rarely stop before the "
    "as-of date, so P(alive) is left blank and purchases assume they stay"
)


def fitted_model(frequency, recency, age, model: str) -> PurchaseFit:
    """:func:`fit_purchase_model` with the covariance of its log-parameters."""
    params, _ = fit_purchase_model(frequency, recency, age, model)
    return PurchaseFit(params, parameter_covariance(params, frequency, recency, age))


def choose_purchase_model(frequency, recency, age, model: str = "bgnbd", holdout=None):
    """The purchase model for ``model`` ("bgnbd", "mbgnbd", "paretonbd" or "auto"),
    as a :class:`PurchaseFit`.

    "auto" fits all three by maximum likelihood and keeps, among those that can tell
    who has left, the one with the least mean absolute error on ``holdout`` (a
    :class:`Holdout`; each model fitted on its calibration part:
    :func:`holdout_error`), or without one the lowest BIC (all three have four
    parameters, so the highest likelihood).  A named model that cannot tell who has
    left gives way to the best of the others by likelihood, and the note says so.
    When none can, the fit is returned with :data:`NOT_IDENTIFIED` as its note.
    Only the model kept gets its Hessian (:func:`parameter_covariance`)."""
    v.choice("model", model, MODELS)
    data = (frequency, recency, age)
    if model != "auto":
        fit = fitted_model(*data, model)
        if fit.identified:
            return fit
        others = _by_likelihood(data, [name for name in _KINDS if name != model])
        for _, params in others:
            other = PurchaseFit(params, parameter_covariance(params, *data))
            if other.identified:
                return replace(other, note=f"{fit.name} could not estimate dropout on this "
                                           f"log; {other.name} used")  # fmt: skip
        return _staying(fit.model, data)
    if holdout is not None:
        errors = {}
        for name in _KINDS:
            try:
                errors[name] = holdout_error(holdout, name)
            except InputError:  # this model cannot be fitted on the calibration part
                continue
        words = ", ".join(f"{MODEL_NAMES[_KINDS[n]]} {e:.3f}" for n, e in errors.items())
        passed = []  # better on the holdout, but not identified on the whole log
        for name in sorted(errors, key=errors.get):
            fit = fitted_model(*data, name)
            if fit.identified:
                note = f"best holdout fit (mean absolute error: {words})"
                if passed:
                    note += (f"; {' and '.join(passed)} cannot estimate dropout on the "
                             "whole log")  # fmt: skip
                return replace(fit, note=note)
            passed.append(MODEL_NAMES[_KINDS[name]])
    ranked = _by_likelihood(data, list(_KINDS))
    for _, params in ranked:
        fit = PurchaseFit(params, parameter_covariance(params, *data))
        if fit.identified:
            return replace(fit, note="lowest BIC")
    return _staying(ranked[0][1], data)


def _staying(params, data) -> PurchaseFit:
    """The fit when dropout cannot be estimated: its note, and the covariance of r
    and α alone (what a customer who stays buys depends on nothing else)."""
    return PurchaseFit(params, parameter_covariance(params, *data, first=2), NOT_IDENTIFIED)


def _by_likelihood(data, names) -> list:
    """(name, parameters) of each model fitted to ``data`` whose dropout is
    identified (:func:`dropout_identified`) first, each group by likelihood, best
    first."""
    fits = {name: fit_purchase_model(*data, name) for name in names}
    return [
        (name, fits[name][0])
        for name in sorted(fits, key=lambda n: (not dropout_identified(fits[n][0]), -fits[n][1]))
    ]


def parameter_covariance(model, frequency, recency, age, step: float = 1e-4, first: int = 0):
    """Covariance of the fitted log-parameters: the inverse of the negative
    log-likelihood's Hessian at the optimum (central differences of the analytic
    gradient in log-parameter space; the asymptotic covariance of a
    maximum-likelihood estimate).  None when the Hessian is singular or not
    positive definite: the data cannot pin the parameters down.  With ``first``,
    only the first parameters' block (the others held at their values; zeros
    elsewhere): r and α, what a customer who stays buys, when dropout is not
    identified."""
    columns = (np.asarray(c, float) for c in (frequency, recency, age))
    (x, tx, t), weight, _ = distinct_rows(*columns)
    likelihood = _LIKELIHOODS[type(model)]
    hessian = _hessian(
        lambda p: likelihood(p, x, tx, t, weight, gradient=True)[1], np.log(_vector(model)), step
    )
    if not first:
        return _inverse(hessian)
    block = _inverse(hessian[:first, :first])
    if block is None:
        return None
    out = np.zeros_like(hessian)
    out[:first, :first] = block
    return out


def _hessian(gradient, point, step):
    """The negative log-likelihood's Hessian at ``point``: central differences of its
    analytic ``gradient`` (of the log-likelihood) in log-parameter space, symmetrised."""
    slopes = []
    with np.errstate(all="ignore"):
        for e in np.eye(len(point)) * step:
            slopes.append(-(gradient(point + e) - gradient(point - e)) / (2 * step))
    hessian = np.array(slopes)
    return (hessian + hessian.T) / 2


def _inverse(hessian):
    """The inverse of a Hessian that is positive definite with a condition number
    below 1e12, else None."""
    if not np.isfinite(hessian).all():
        return None
    values = np.linalg.eigvalsh(hessian)
    if values.min() <= 1e-12 * values.max():
        return None
    return np.linalg.inv(hessian)


def dropout_identified(model) -> bool:
    """False when the fit cannot say who leaves, and P(alive) must not be shown:
    - BG/NBD family: the chance of dropping out after a purchase, a/(a + b), below 1
      in 1,000 with b beyond 1,000 (the optimum running off to a → 0, b → ∞: nobody
      ever leaves);
    - Pareto/NBD: the mean dropout rate s/β below 1e-5 a week (a mean lifetime of
      2,000 years) with β beyond 1,000;
    - any model: a parameter at the edge of what a fit can reach (below 1e-6 or
      above 1e5: the likelihood is flat there and the numbers mean nothing)."""
    values = _vector(model)
    low, high = EDGE
    if isinstance(model, ParetoNbd):
        no_dropout = model.s / model.beta < 1e-5 and model.beta > 1e3
    else:
        no_dropout = model.a / (model.a + model.b) < 1e-3 and model.b > 1e3
    on_edge = values.min() < low or values.max() > high
    return not (no_dropout or on_edge)


def fit_gamma_gamma(frequency, repeat_average) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma spend model on customers with repeat purchases.

    Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value", eq. 3:
    f(m̄ | p, q, γ, x) = Γ(px+q)/(Γ(px)Γ(q)) · γ^q m̄^(px−1) x^(px) / (γ + m̄x)^(px+q).
    CDNOW sample (946 repeat buyers): p = 6.25, q = 3.74, γ = 15.44.
    """
    x = v.non_negative("frequency", frequency)
    m = v.as_numbers("repeat_average", repeat_average)
    keep = (x > 0) & (m > 0)
    if keep.sum() < 10:
        raise InputError("CLV needs at least 10 customers with repeat purchases to model spend")
    (x, m), weight, _ = distinct_rows(x[keep], m[keep])
    scale = m.mean()
    share = weight / weight.sum()

    mm = m / scale

    def objective(log_params):
        value, grad = _gamma_gamma_log_likelihood(log_params, x, mm, share, gradient=True)
        return -value, -grad

    best = _maximise(objective, np.log([1.0, 2.0, 1.0]))
    p, q, g = np.exp(best.x)
    return GammaGamma(p=float(p), q=float(q), gamma=float(g * scale))


def p_alive(model, frequency, recency, age) -> np.ndarray:
    """P(still a customer | x, t_x, T).  BG/NBD: 1 / (1 + δ(x>0)·a/(b+x−1)·((α+T)/(α+t_x))^(r+x));
    modified BG/NBD: 1 / (1 + a/(b+x)·((α+T)/(α+t_x))^(r+x)), for x = 0 too;
    Pareto/NBD: 1 / (1 + s/(r+s+x)·(α+T)^(r+x)·(β+T)^s·A₀) (Fader & Hardie 2005
    note, eq. 26; A₀ from :func:`_log_dropout_integral`)."""
    x, tx, t = (np.asarray(c, float) for c in (frequency, recency, age))
    if isinstance(model, ParetoNbd):
        r, alpha, s, beta = model.r, model.alpha, model.s, model.beta
        log_odds = (
            np.log(s) + (r + x) * np.log(alpha + t) + s * np.log(beta + t)
            + _log_dropout_integral(r + x, s + 1, alpha, beta, tx, t)
        )  # fmt: skip
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(log_odds))
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    modified = isinstance(model, MbgNbd)
    with np.errstate(divide="ignore", over="ignore"):
        ratio = ((alpha + t) / (alpha + tx)) ** (r + x)
        odds = a / np.maximum(b + x - (0 if modified else 1), 1e-300) * ratio
    return 1.0 / (1.0 + (odds if modified else np.where(x > 0, odds, 0.0)))


def expected_purchases(model, horizon, frequency, recency, age) -> np.ndarray:
    """E[purchases in the next ``horizon`` | x, t_x, T] = E[… | alive; x, T] · P(alive)
    (:func:`expected_if_alive`, :func:`p_alive`): FHL 2005 eq. 10 for BG/NBD, Batislam
    et al. 2007 for the modified BG/NBD, Fader & Hardie 2005 note eq. 27 for the
    Pareto/NBD."""
    x, tx, t = (np.asarray(c, float) for c in (frequency, recency, age))
    return expected_if_alive(model, horizon, x, t) * p_alive(model, x, tx, t)


def expected_if_alive(model, horizon, frequency, age) -> np.ndarray:
    """E[purchases in the next ``horizon`` | alive at T; x, T], which does not depend
    on t_x: BG/NBD (a + b + x − 1)/(a − 1)·(1 − ((α+T)/(α+T+h))^(r+x)·
    ₂F₁(r+x, b+x; a+b+x−1; h/(α+T+h))); modified BG/NBD the same with b + x + 1 and
    a + b + x; Pareto/NBD (r+x)(β+T)/((α+T)(s−1))·(1 − ((β+T)/(β+T+h))^(s−1)), its
    limit (r+x)(β+T)/(α+T)·ln((β+T+h)/(β+T)) at s = 1."""
    x, t = np.asarray(frequency, float), np.asarray(age, float)
    h = np.asarray(horizon, float)
    if isinstance(model, ParetoNbd):
        r, alpha, s, beta = model.r, model.alpha, model.s, model.beta
        shrink = np.log((beta + t) / (beta + t + h))  # ≤ 0
        u = s - 1.0
        lifetime = -shrink if abs(u) < 1e-12 else -np.expm1(u * shrink) / u
        return (r + x) / (alpha + t) * (beta + t) * lifetime
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    z = h / (alpha + t + h)
    if isinstance(model, MbgNbd):
        head = (a + b + x) / (a - 1)
        hyp = hyp2f1(r + x, b + x + 1, a + b + x, z)
    else:
        head = (a + b + x - 1) / (a - 1)
        hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
    return head * (1 - ((alpha + t) / (alpha + t + h)) ** (r + x) * hyp)


def expected_purchases_if_staying(model, horizon, frequency, age) -> np.ndarray:
    """E[purchases in ``horizon``] of a customer who does not leave: (r + x)/(α + T)·h
    (the gamma posterior of the purchase rate).  What is left to say when dropout
    cannot be estimated (:func:`dropout_identified`)."""
    x, t = np.asarray(frequency, float), np.asarray(age, float)
    return (model.r + x) / (model.alpha + t) * np.asarray(horizon, float)


def weeks_to_next_order(model, frequency, age) -> np.ndarray:
    """Weeks until a customer who stays buys again with probability ½: with the
    purchase rate's gamma posterior, P(no purchase in w) = ((α+T)/(α+T+w))^(r+x) = ½,
    so w = (α + T)·(2^(1/(r+x)) − 1)."""
    x, t = np.asarray(frequency, float), np.asarray(age, float)
    return (model.alpha + t) * (2.0 ** (1.0 / (model.r + x)) - 1.0)


def churn_risk(alive) -> np.ndarray:
    """ "High" below P(alive) 0.3, "Medium" below 0.7, else "Low" (:data:`CHURN_CUTS`);
    blank where P(alive) is unknown."""
    alive = np.asarray(alive, float)
    out = np.where(alive < CHURN_CUTS[0], "High", np.where(alive < CHURN_CUTS[1], "Medium", "Low"))
    return np.where(np.isnan(alive), None, out.astype(object))


def expected_order_value(model: GammaGamma, frequency, repeat_average, fallback=np.nan):
    """E[spend per purchase | x, m̄] = p·(γ + x·m̄)/(p·x + q − 1) (Fader & Hardie 2013).

    For a customer without repeat purchases (x = 0) this is the population mean
    p·γ/(q − 1), which exists only for q > 1; otherwise ``fallback`` is used.
    """
    x = np.asarray(frequency, float)
    m = np.asarray(repeat_average, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = model.p * (model.gamma + x * m) / (model.p * x + model.q - 1)
    population = model.p * model.gamma / (model.q - 1) if model.q > 1 else fallback
    return np.where(x > 0, value, population)


# --- Uncertainty: parameter intervals and simulated totals ----------------------------

Z80 = 1.2815515655446004  # the standard normal's 90th percentile: an 80 % interval
SIMULATIONS = 100  # parameter draws (each with one run of every customer) for a total
SEED = 20240601  # fixed: the same log gives the same cells


def spend_covariance(spend: GammaGamma, frequency, repeat_average):
    """Covariance of the Gamma-Gamma log-parameters (inverse Hessian, as
    :func:`parameter_covariance`), from the repeat buyers it was fitted on."""
    x = np.asarray(frequency, float)
    m = np.asarray(repeat_average, float)
    keep = (x > 0) & (m > 0)
    (x, m), weight, _ = distinct_rows(x[keep], m[keep])
    point = np.log([spend.p, spend.q, spend.gamma])
    hessian = _hessian(
        lambda q: _gamma_gamma_log_likelihood(q, x, m, weight, gradient=True)[1], point, 1e-4
    )
    return _inverse(hessian)


def log_spread(model, covariance, function, step: float = 1e-5) -> np.ndarray:
    """Standard deviation of ln ``function(model)`` from the parameters' uncertainty,
    per row, by the delta method on the log scale: g·Σ·gᵀ with g the derivative of
    ln f in the log-parameters (forward differences) and Σ their covariance.  The
    interval f·exp(±1.2816·sd) is then an 80 % interval that stays positive."""
    point = np.log(_vector(model))
    with np.errstate(all="ignore"):
        base = np.log(function(model))
        slopes = np.array([
            (np.log(function(_with_vector(model, np.exp(point + step * e)))) - base) / step
            for e in np.eye(len(point))
        ])  # fmt: skip
        return np.sqrt(np.einsum("in,ij,jn->n", slopes, covariance, slopes))


def simulate_purchases(fit: PurchaseFit, horizon, frequency, recency, age, groups=None,
                       n_groups=None, draws: int = SIMULATIONS, seed: int = SEED):  # fmt: skip
    """Total purchases in the next ``horizon`` weeks, simulated ``draws`` times:
    draws × groups (``groups``: each customer's group number, of ``n_groups``;
    default one group).

    Each draw takes parameters from the fit's sampling distribution (log-parameters
    ~ Normal(estimate, inverse Hessian)), then every customer from the posterior
    given (x, t_x, T): alive with P(alive), purchase rate ~ Gamma(r + x, α + T),
    N ~ Poisson(λh) purchases if they stayed; BG/NBD family: dropout chance
    ~ Beta(a, b + x) (b + x + 1 modified), purchases = min(N, Geometric(p));
    Pareto/NBD: dropout rate ~ Gamma(s, β + T), time left τ ~ Exponential(μ),
    purchases ~ Binomial(N, min(τ/h, 1)) (a Poisson process's purchases before τ).
    So the spread of a total holds both the parameters' uncertainty and the purchase
    process's own."""
    x, tx, t = (np.asarray(c, float) for c in (frequency, recency, age))
    groups = np.zeros(len(x), np.int64) if groups is None else np.asarray(groups, np.int64)
    n_groups = int(groups.max(initial=-1)) + 1 if n_groups is None else n_groups
    (ux, utx, ut), _, which = distinct_rows(x, tx, t)
    rng = np.random.default_rng(seed)
    point = np.log(_vector(fit.model))
    if fit.covariance is None:
        steps = np.zeros((draws, len(point)))
    else:
        steps = rng.multivariate_normal(np.zeros(len(point)), fit.covariance, size=draws)
    out = np.zeros((draws, n_groups))
    h = float(horizon)
    for k in range(draws):
        model = _with_vector(fit.model, np.exp(point + steps[k]))
        if fit.identified:  # only the customers still alive buy: draw the rest for them
            alive = np.flatnonzero(rng.random(len(x)) < p_alive(model, ux, utx, ut)[which])
        else:  # nobody leaves
            alive = np.arange(len(x))
        xa, ta = x[alive], t[alive]
        bought = rng.poisson(rng.gamma(model.r + xa, 1.0 / (model.alpha + ta)) * h)
        if fit.identified:  # who leaves in the horizon matters only to those who buy
            some = np.flatnonzero(bought)
            xs, ts = xa[some], ta[some]
            if isinstance(model, ParetoNbd):  # each purchase stands if before leaving
                leaving = rng.gamma(model.s, 1.0 / (model.beta + ts))
                stays = rng.exponential(1.0 / np.maximum(leaving, 1e-300))
                bought[some] = rng.binomial(bought[some], np.minimum(stays / h, 1.0))
            else:
                extra = 1.0 if isinstance(model, MbgNbd) else 0.0
                chance = np.clip(rng.beta(model.a, model.b + xs + extra), 1e-12, 1.0)
                bought[some] = np.minimum(bought[some], rng.geometric(chance))
        out[k] = np.bincount(groups[alive], weights=bought, minlength=n_groups)
    return out


# --- Calibration / holdout check -------------------------------------------------------

HOLDOUT_COLUMNS = [
    "calibration_purchases",
    "customers",
    "actual_mean",
    "predicted_mean",
    "actual_total",
    "predicted_total",
    "predicted_low_80",
    "predicted_high_80",
    "model",
]
HOLDOUT_GROUPS = 8  # calibration repeat purchases 0, 1, …, 6 and 7+
MIN_SPLIT_WEEKS = 24  # a log shorter than this is not split for "auto"
MAX_HOLDOUT_WEEKS = 52


@dataclass(frozen=True)
class Holdout:
    """A calibration/holdout split of a log: each calibration customer's repeat
    purchases x, recency t_x and age T (weeks) as of ``calibration_end``, and their
    purchase days in the ``weeks`` after it.  Customers first seen in the holdout
    are not in it."""

    frequency: np.ndarray
    recency: np.ndarray
    age: np.ndarray
    purchases: np.ndarray
    weeks: float
    calibration_end: pd.Timestamp
    fitted: dict = field(default_factory=dict, compare=False)  # model → its fit, once

    def fit(self, model: str):
        """``model``'s maximum-likelihood parameters on the calibration part, fitted
        once however often asked ("auto" compares, the check shows)."""
        if model not in self.fitted:
            self.fitted[model] = fit_purchase_model(self.frequency, self.recency, self.age, model)[
                0
            ]
        return self.fitted[model]

    def purchase_fit(self, model: str) -> PurchaseFit:
        """:meth:`fit` with the covariance of its log-parameters."""
        params = self.fit(model)
        return PurchaseFit(
            params, parameter_covariance(params, self.frequency, self.recency, self.age)
        )


def model_times(summary: pd.DataFrame):
    """(x, t_x, T) in weeks from a :func:`repeat_purchase_summary` table; a first
    purchase on the as-of day counts one day of age."""
    x = summary["frequency"].to_numpy(float)
    tx = summary["recency_days"].to_numpy(float) / WEEK
    t = np.maximum(summary["age_days"].to_numpy(float) / WEEK, 1.0 / WEEK)
    return x, tx, t


def holdout_from_summary(calibration: pd.DataFrame, purchases, holdout_days, calibration_end):
    """A :class:`Holdout` from the calibration part's summary (as of
    ``calibration_end``) and each of its customers' purchase days in the
    ``holdout_days`` after it; the report's engine gives both as sums."""
    days = float(holdout_days)
    if days < 1:
        raise InputError("calibration_end must be before the last order date")
    x, tx, t = model_times(calibration)
    bought = v.non_negative("holdout purchases", purchases)
    v.same_rows(calibration=x, purchases=bought)
    return Holdout(x, tx, t, bought, days / WEEK, pd.Timestamp(calibration_end).normalize())


def holdout_split(customer_ids, order_dates, amounts, calibration_end, as_of=None) -> Holdout:
    """:class:`Holdout` of an order log: calibration up to ``calibration_end``, the
    holdout from the day after it to ``as_of`` (default the latest order)."""
    cut = v.as_date("calibration_end", calibration_end).normalize()
    full = repeat_purchase_summary(customer_ids, order_dates, amounts, as_of)
    end = pd.Timestamp(v.as_dates("order_dates", order_dates).max()).normalize()
    end = end if as_of is None else v.as_date("as_of", as_of).normalize()
    if cut >= end:
        raise InputError(f"calibration_end ({cut.date()}) must be before {end.date()}, "
                         "the last day of the log, to leave a holdout period")  # fmt: skip
    calibration = repeat_purchase_summary(customer_ids, order_dates, amounts, cut)
    later = full.set_index("customer_id")["frequency"].reindex(calibration["customer_id"])
    purchases = later.to_numpy(float) - calibration["frequency"].to_numpy(float)
    return holdout_from_summary(calibration, purchases, (end - cut).days, cut)


def default_calibration_end(first_day, last_day):
    """Where "auto" splits a log to check the models: the last third of its days,
    at most 52 weeks, is held out; None when the log spans under 24 weeks."""
    first, last = pd.Timestamp(first_day).normalize(), pd.Timestamp(last_day).normalize()
    span = (last - first).days
    if span < MIN_SPLIT_WEEKS * WEEK:
        return None
    return last - pd.Timedelta(days=min(span // 3, int(MAX_HOLDOUT_WEEKS * WEEK)))


def _predicted(fit: PurchaseFit, horizon, x, tx, t) -> np.ndarray:
    """Expected purchases in ``horizon`` weeks; "if they stay" when dropout is not
    identified."""
    if fit.identified:
        return expected_purchases(fit.model, horizon, x, tx, t)
    return expected_purchases_if_staying(fit.model, horizon, x, t)


def holdout_table(holdout: Holdout, fit: PurchaseFit, draws: int = SIMULATIONS) -> pd.DataFrame:
    """The calibration/holdout comparison (Fader, Hardie & Lee 2005, Fig. 4): per
    number of calibration repeat purchases 0..6 and 7+, the customers and their mean
    and total holdout purchases, actual and predicted, with the predicted total's
    80 % interval (:func:`simulate_purchases`); then all customers; then the mean
    absolute error, Σ_groups |actual − predicted total| / customers (in
    ``predicted_mean``)."""
    x, tx, t, h = holdout.frequency, holdout.recency, holdout.age, holdout.weeks
    group = _holdout_group(x)
    actual, expected = _group_totals(holdout, _predicted(fit, h, x, tx, t))
    runs = simulate_purchases(fit, h, x, tx, t, group, HOLDOUT_GROUPS, draws)
    runs = np.column_stack([runs, runs.sum(axis=1)])
    count = np.r_[np.bincount(group, minlength=HOLDOUT_GROUPS), len(x)].astype(float)
    actual, expected = np.r_[actual, actual.sum()], np.r_[expected, expected.sum()]
    with np.errstate(invalid="ignore"):
        table = pd.DataFrame({
            "calibration_purchases": [str(k) for k in range(HOLDOUT_GROUPS - 1)]
            + [f"{HOLDOUT_GROUPS - 1}+", "all"],
            "customers": count.astype(np.int64),
            "actual_mean": actual / count,
            "predicted_mean": expected / count,
            "actual_total": actual,
            "predicted_total": expected,
            "predicted_low_80": np.quantile(runs, 0.1, axis=0),
            "predicted_high_80": np.quantile(runs, 0.9, axis=0),
        })  # fmt: skip
    error = _mean_absolute_error(actual[:-1], expected[:-1], len(x))
    last = {"calibration_purchases": "mean absolute error", "customers": len(x),
            "predicted_mean": error}  # fmt: skip
    table = pd.concat([table, pd.DataFrame([last])], ignore_index=True)
    table["model"] = f"{fit.name}: {fit.note}" if fit.note else fit.name
    table.attrs["error"] = error
    return table[HOLDOUT_COLUMNS]


def holdout_error(holdout: Holdout, model: str) -> float:
    """The mean absolute error of :func:`holdout_table` for ``model`` fitted on the
    calibration part: what "auto" minimises.  InputError when the model cannot be
    fitted there or cannot estimate dropout there."""
    x, tx, t = holdout.frequency, holdout.recency, holdout.age
    params = holdout.fit(model)
    if not dropout_identified(params):
        raise InputError(f"{MODEL_NAMES[_KINDS[model]]} cannot estimate dropout before the split")
    actual, expected = _group_totals(holdout, expected_purchases(params, holdout.weeks, x, tx, t))
    return _mean_absolute_error(actual, expected, len(x))


def _holdout_group(frequency) -> np.ndarray:
    """Each customer's row of the check: calibration repeat purchases, 7 and over as one."""
    return np.minimum(frequency, HOLDOUT_GROUPS - 1).astype(np.int64)


def _group_totals(holdout: Holdout, predicted):
    """(actual, predicted) holdout purchases summed per :func:`_holdout_group`."""
    group = _holdout_group(holdout.frequency)
    return (
        np.bincount(group, weights=holdout.purchases, minlength=HOLDOUT_GROUPS),
        np.bincount(group, weights=predicted, minlength=HOLDOUT_GROUPS),
    )


def _mean_absolute_error(actual, expected, customers: int) -> float:
    """Σ_groups |actual − predicted total| / customers: the customer-weighted mean
    absolute error of the groups' mean purchases."""
    return float(np.abs(actual - expected).sum() / max(customers, 1))


def clv_check(customer_ids, order_dates, amounts, calibration_end, model: str = "bgnbd",
              as_of=None) -> pd.DataFrame:  # fmt: skip
    """The calibration/holdout table (:func:`holdout_table`) of an order log: the
    purchase model chosen as ``model`` says (:func:`choose_purchase_model`; "auto"
    by the holdout itself) fitted on the orders up to ``calibration_end`` and
    compared with each customer's purchase days after it."""
    v.choice("model", model, MODELS)
    holdout = holdout_split(customer_ids, order_dates, amounts, calibration_end, as_of)
    fit = choose_purchase_model(
        holdout.frequency, holdout.recency, holdout.age, model,
        holdout if model == "auto" else None,
    )  # fmt: skip
    return holdout_table(holdout, fit)


def customer_lifetime_value(
    customer_ids,
    order_dates,
    amounts,
    horizon_months=12,
    annual_discount_rate=0.10,
    as_of=None,
    model: str = "bgnbd",
) -> pd.DataFrame:
    """Per customer: frequency, recency, age, P(alive), expected purchases and order
    value over the horizon, discounted lifetime value, each with its 80 % interval,
    the purchase model used, churn risk and the expected next order date.

    The purchase model (``model``: "bgnbd", "mbgnbd", "paretonbd" or "auto",
    :func:`choose_purchase_model`; "auto" checks the models on a holdout of the log
    when it spans 24 weeks or more, :func:`default_calibration_end`) and Gamma-Gamma
    for spend, both fitted by maximum likelihood on the log itself.
    CLV = Σ_{m=1..H} (E[Y(m)] − E[Y(m−1)])·E[M] / (1 + d)^m over months m, with d the
    monthly rate equivalent to ``annual_discount_rate`` (the discrete form of Fader,
    Hardie & Lee 2005, "RFM and CLV").
    """
    months = v.whole_number("horizon_months", horizon_months, minimum=1, maximum=600)
    rate = float(v.non_negative("annual_discount_rate", [annual_discount_rate])[0])
    v.choice("model", model, MODELS)
    summary = repeat_purchase_summary(customer_ids, order_dates, amounts, as_of)
    dates = v.as_dates("order_dates", order_dates)
    end = v.as_date("as_of", as_of) if as_of is not None else None
    if end is None:
        end = pd.Timestamp(dates.max()).normalize()
    holdout = None
    if model == "auto":
        cut = default_calibration_end(dates.min(), end)
        if cut is not None:
            try:
                holdout = holdout_split(customer_ids, order_dates, amounts, cut, end)
            except InputError:  # too few customers before the cut: compare by BIC
                holdout = None
    return lifetime_value_from_summary(summary, months, rate, model, end, holdout)


def lifetime_value_from_summary(
    summary: pd.DataFrame, horizon_months=12, annual_discount_rate=0.10, model="bgnbd",
    as_of=None, holdout: Holdout | None = None,
):  # fmt: skip
    """:func:`customer_lifetime_value` from a :func:`repeat_purchase_summary` table
    (``customer_id``, ``frequency``, ``recency_days``, ``age_days``,
    ``repeat_average``), however it was computed: the report's query engine gives it
    for logs too big to hold in memory; ``holdout`` lets "auto" choose by holdout fit.

    ``expected_next_order`` is a date with ``as_of``, else weeks from the as-of date;
    blank beyond the horizon.  When dropout cannot be estimated P(alive) and churn
    risk are blank, expected purchases assume the customer stays, and ``model`` says
    so (``attrs["note"]``; ``attrs["fit"]`` is the :class:`PurchaseFit`).

    Intervals (80 %): the parameters' uncertainty, per customer, by the delta method
    on the log scale (:func:`log_spread`; the inverse Hessians of both fits): expected
    purchases from the purchase model's, order value from the spend model's, CLV from
    both (independent fits, so their log-variances add; the purchases' relative
    spread over the whole horizon stands for the discounted sum's).  One customer's
    own count is 0, 1, 2…: its chance spread is in the totals of
    :func:`simulate_purchases`, not here.  Blank when a Hessian is singular."""
    months = v.whole_number("horizon_months", horizon_months, minimum=1, maximum=600)
    rate = float(v.non_negative("annual_discount_rate", [annual_discount_rate])[0])
    v.needs(
        "summary", summary,
        ("customer_id", "frequency", "recency_days", "age_days", "repeat_average"),
    )  # fmt: skip
    x, tx, t = model_times(summary)
    fit = choose_purchase_model(x, tx, t, model, holdout)
    purchases, note, identified = fit.model, fit.note, fit.identified
    repeat_average = summary["repeat_average"].to_numpy()
    spend = fit_gamma_gamma(x, repeat_average)
    observed = repeat_average[x > 0].mean()  # used only if the fitted mean is undefined
    value = expected_order_value(spend, x, repeat_average, fallback=observed)
    # The purchase model depends on (x, t_x, T) alone, and what a customer still
    # alive buys on (x, T) alone: work that out once per distinct (x, T), month by
    # month, keeping two months at a time, and P(alive) once per (x, t_x, T).
    (ux, utx, ut), _, which = distinct_rows(x, tx, t)
    (vx, vt), _, pair = distinct_rows(ux, ut)
    month = 365.25 / 12 / WEEK
    discount = (1 + rate) ** (-np.arange(1, months + 1) / 12)

    def staying(model, horizon):  # expected purchases of a customer alive now, per (x, T)
        if identified:
            return expected_if_alive(model, horizon, vx, vt)
        return expected_purchases_if_staying(model, horizon, vx, vt)

    def alive_now(model):  # per (x, t_x, T)
        return p_alive(model, ux, utx, ut) if identified else 1.0

    before = np.zeros(len(vx))
    discounted = np.zeros(len(vx))
    for m in range(1, months + 1):
        now = staying(purchases, m * month)
        discounted += discount[m - 1] * (now - before)
        before = now
    share = alive_now(purchases)
    before, discounted = before[pair] * share, discounted[pair] * share
    if fit.covariance is None:
        purchases_spread = np.full(len(x), np.nan)
    else:
        purchases_spread = log_spread(
            purchases, fit.covariance,
            lambda m: staying(m, months * month)[pair] * alive_now(m),
        )[which]  # fmt: skip
    spend_cov = spend_covariance(spend, x, repeat_average)
    if spend_cov is None:
        value_spread = np.full(len(x), np.nan)
    else:
        value_spread = log_spread(
            spend, spend_cov, lambda g: expected_order_value(g, x, repeat_average, observed)
        )
    clv_spread = np.hypot(purchases_spread, value_spread)
    alive = share[which] if identified else np.full(len(x), np.nan)
    weeks = weeks_to_next_order(purchases, x, t)
    within = weeks <= months * month
    if as_of is not None:
        stamp = np.datetime64(pd.Timestamp(as_of).normalize().date(), "ns")
        days = np.round(np.where(within, weeks, 0) * WEEK).astype("timedelta64[D]")
        next_order = np.where(within, stamp + days, np.datetime64("NaT", "ns"))
    else:
        next_order = np.where(within, weeks, np.nan)
    expected = before[which]
    clv = value * discounted[which]
    out = pd.DataFrame(
        {
            "customer_id": summary["customer_id"],
            "frequency": summary["frequency"],
            "recency_days": summary["recency_days"],
            "age_days": summary["age_days"],
            "p_alive": alive,
            "expected_purchases": expected,
            "expected_purchases_low_80": expected * np.exp(-Z80 * purchases_spread),
            "expected_purchases_high_80": expected * np.exp(Z80 * purchases_spread),
            "expected_order_value": value,
            "clv": clv,
            "clv_low_80": clv * np.exp(-Z80 * clv_spread),
            "clv_high_80": clv * np.exp(Z80 * clv_spread),
            "model": f"{fit.name}: {note}" if note else fit.name,
            "churn_risk": churn_risk(alive),
            "expected_next_order": next_order,
        },
        columns=CLV_COLUMNS,
    )
    out.attrs["note"] = note
    out.attrs["fit"] = fit
    return out


def p_alive_fall(fit: PurchaseFit, frequency, recency, age, weeks: float = 30 / WEEK):
    """How far P(alive) fell over the last ``weeks`` (default 30 days): P(alive) then,
    with the same purchases, minus P(alive) now; NaN for a customer who bought in
    that time (their history then was another) or when dropout is not identified."""
    x, tx, t = (np.asarray(c, float) for c in (frequency, recency, age))
    if not fit.identified:
        return np.full(len(x), np.nan)
    then = t - weeks
    quiet = tx <= then
    earlier = p_alive(fit.model, x, np.minimum(tx, then), np.maximum(then, 1e-9))
    return np.where(quiet, earlier - p_alive(fit.model, x, tx, t), np.nan)
