"""Which Excel functions there are, by operational area, in catalogue order: the one
list the functions' module (``udfs.__all__``), the catalogue, the registration and
the headless refresh read.  Counting them anywhere else is counting this list."""

from __future__ import annotations

AREAS = {
    "Supply chain and inventory": [
        "EOQ", "EOQ_COST", "EOQ_BACKORDER", "EPQ", "EOQ_DISCOUNT", "SAFETY_STOCK",
        "REORDER_POINT", "NEWSVENDOR", "RQ_POLICY", "ABC_CLASS", "XYZ_CLASS",
        "INVENTORY_TURNOVER", "DAYS_OF_SUPPLY", "DEMAND_BY_ITEM", "DEMAND_CLASS",
        "FORECAST_DEMAND", "REORDER_POLICY", "INVENTORY_BACKTEST",
    ],
    "Customers": ["RFM_SCORE", "RFM_SEGMENT", "CLV", "CLV_CHECK", "COHORT_RETENTION"],
    "Trends and forecasting": ["DECOMPOSE", "FORECAST_HW", "SEASONALITY", "RESAMPLE"],
    "Segments": ["SEGMENT", "SEGMENT_K", "SEGMENT_PROFILE"],
    "Order processing": ["ORDER_KPIS", "CYCLE_TIME", "IMPACT", "IMPACT_SERIES", "IMPACT_DID"],
    "Risk": ["ANOMALIES", "STOCKOUT_RISK", "SUPPLIER_METRICS", "SUPPLIER_RISK", "RISK_MATRIX"],
}  # fmt: skip


def function_names() -> list[str]:
    """Every Excel function's name, in catalogue order."""
    return [name for names in AREAS.values() for name in names]
