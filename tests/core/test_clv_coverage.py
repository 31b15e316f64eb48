"""Issue 24's interval target: on 200 logs simulated from known parameters (100 from
BG/NBD, 100 from Pareto/NBD; 5,000 customers joining over the first 12 weeks, a
52-week calibration and a 52-week holdout, purchases on whole days), the 80 %
interval of each log's total holdout purchases (``core.clv.simulate_purchases``)
covers the true total in 72–88 % of logs.

The logs are drawn here from the models' own story, independently of the code under
test: a customer's purchase times are a Poisson process; under BG/NBD they leave
after each repeat purchase with chance p ~ Beta(a, b), under Pareto/NBD at an
exponential time with rate ~ Gamma(s, β)."""

from __future__ import annotations

import numpy as np

from xlbizops.core import clv

TRUTH = {
    "bgnbd": {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5},  # CDNOW-like
    "paretonbd": {"r": 0.55, "alpha": 10.6, "s": 0.6, "beta": 11.7},
}
LOGS = 100  # per model
CUSTOMERS = 5000
WEEKS = 52.0


def simulate_log(kind: str, seed: int):
    """(x, t_x, T) in weeks at the end of week 52 and each customer's purchase days
    in weeks 52–104."""
    params = TRUTH[kind]
    rng = np.random.default_rng(seed)
    birth = rng.integers(0, 84, CUSTOMERS) / 7.0  # joining day, in weeks
    rate = rng.gamma(params["r"], 1 / params["alpha"], CUSTOMERS)
    span = 2 * WEEKS - birth
    count = rng.poisson(rate * span)  # repeat purchases if nobody left
    who = np.repeat(np.arange(CUSTOMERS), count)
    when = rng.random(len(who)) * span[who]  # given the count, uniform times
    order = np.lexsort((when, who))
    who, when = who[order], when[order]
    starts = np.r_[0, np.cumsum(count)[:-1]]
    nth = np.arange(len(who)) - starts[who] + 1  # 1st, 2nd, … repeat purchase
    if kind == "bgnbd":
        last = rng.geometric(rng.beta(params["a"], params["b"], CUSTOMERS))
        kept = nth <= last[who]  # they leave right after their last-th purchase
    else:
        life = rng.exponential(1 / rng.gamma(params["s"], 1 / params["beta"], CUSTOMERS))
        kept = when <= life[who]
    day = birth[who] + np.floor(when * 7) / 7  # purchases land on whole days
    kept &= day > birth[who]  # a second order on the first day is the same purchase
    who, day = who[kept], day[kept]
    # several purchases on one day are one purchase day, as in the summary
    key = np.unique(who * 10_000 + np.round(day * 7).astype(np.int64))
    who, day = key // 10_000, (key % 10_000) / 7
    early = day <= WEEKS
    x = np.bincount(who[early], minlength=CUSTOMERS).astype(float)
    last_day = np.full(CUSTOMERS, -1.0)
    np.maximum.at(last_day, who[early], day[early])
    tx = np.where(x > 0, last_day - birth, 0.0)
    t = np.maximum(WEEKS - birth, 1 / 7)
    holdout = np.bincount(who[~early], minlength=CUSTOMERS)
    return x, tx, t, holdout


def covered(job) -> tuple[bool, float]:
    """Whether the fitted model's 80 % interval of the total covers the truth."""
    kind, seed = job
    x, tx, t, holdout = simulate_log(kind, seed)
    fit = clv.fitted_model(x, tx, t, kind)
    runs = clv.simulate_purchases(fit, WEEKS, x, tx, t)[:, 0]
    low, high = np.quantile(runs, [0.1, 0.9])
    return bool(low <= holdout.sum() <= high), float(holdout.sum())


def test_the_80_percent_interval_of_total_holdout_purchases_covers_72_to_88_percent():
    jobs = [(kind, seed) for kind in TRUTH for seed in range(LOGS)]
    results = [covered(job) for job in jobs]
    hits = np.array([hit for hit, _ in results])
    share = {kind: hits[i * LOGS : (i + 1) * LOGS].mean() for i, kind in enumerate(TRUTH)}
    print(f"coverage of the 80 % interval: {hits.mean():.1%} of {len(hits)} logs; "
          + ", ".join(f"{k} {v:.0%}" for k, v in share.items()))  # fmt: skip
    assert np.mean([total for _, total in results]) > 1000  # the logs have a holdout
    assert 0.72 <= hits.mean() <= 0.88
