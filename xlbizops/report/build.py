"""Build the operations report: read → analyse → lay out → save atomically.

``run_report`` is what ``xlbizops report`` calls; ``build_report`` does the same for
an order log already in memory (tests, notebooks).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import fields, replace
from pathlib import Path

import pandas as pd

from xlbizops.core.errors import InputError, UsageError
from xlbizops.orderlog import values
from xlbizops.report import inputs, sources
from xlbizops.report.analyses import actions_frame, analyse, analyse_table
from xlbizops.report.config import ReportSettings
from xlbizops.report.progress import Progress
from xlbizops.workbook.atomic import atomic_target, check_output

STAGES = [
    "read",
    "aggregate",
    "summary",
    "supply chain",
    "customers",
    "trends",
    "segments",
    "orders",
    "risk",
    "impact",
    "write",
]
INVENTORY_COLUMNS = ("sku", "on_hand", "unit_cost", "lead_time_days")


def load_config(path: str | os.PathLike | None) -> dict:
    """report.toml: [input] orders/inventory/suppliers/as_of/date_order, [map], [settings],
    [impact] date/label (a change to measure: ``--change``).

    Unknown tables and keys are refused, naming them; so are settings of the wrong type
    or out of range (:meth:`ReportSettings.check`)."""
    if path is None:
        return {}
    try:
        with open(path, "rb") as f:
            config = tomllib.load(f)
    except FileNotFoundError:
        raise InputError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"config file {path} is not valid TOML: {err}") from None
    known = {
        "input": {
            "orders",
            "inventory",
            "suppliers",
            "as_of",
            "date_order",
            "preset",
            "table",
            "query",
        },
        "engine": {"name", "spark_master"},
        "map": set(inputs.FIELDS),
        "settings": {f.name for f in fields(ReportSettings)},
        "impact": {"date", "label"},
    }
    for table in config:
        if table not in known or not isinstance(config[table], dict):
            raise UsageError(f"{path}: unknown table [{table}]; the tables are {', '.join(known)}")
        unknown = set(config[table]) - known[table]
        if unknown:
            raise UsageError(
                f"unknown key(s) {', '.join(sorted(unknown))} in [{table}] of {path}; "
                f"known: {', '.join(sorted(known[table]))}"
            )
    for table in ("input", "engine", "map"):
        for key, value in config.get(table, {}).items():
            _check_text(path, table, key, value)
    name = config.get("engine", {}).get("name")
    if name is not None and name not in sources.ENGINES:
        raise UsageError(
            f"[engine] name in {path} must be {' or '.join(sources.ENGINES)} (got {name!r})"
        )
    return config


def _check_text(path, table: str, key: str, value) -> None:
    """[input], [engine] and [map] hold text: a path, URL, name or query (``orders`` may
    be a list of paths, for a layout in several tables; ``as_of`` a TOML date)."""
    if isinstance(value, str):
        return
    if key == "as_of" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return
    if (
        key == "orders"
        and isinstance(value, list)
        and value
        and all(isinstance(item, str) for item in value)
    ):
        return
    kind = {bool: "a boolean", int: "a number", float: "a number", list: "a list"}.get(
        type(value), type(value).__name__
    )
    what = "text (in quotes)" + (" or a list of texts" if key == "orders" else "")
    raise UsageError(f"[{table}] {key} in {path} must be {what} (got {kind}: {value!r})")


def settings_from(config: dict, **overrides) -> ReportSettings:
    values = {**config.get("settings", {}), **{k: v for k, v in overrides.items() if v}}
    settings = replace(ReportSettings(), **values)
    settings.check()
    return settings


def as_of_date(text) -> pd.Timestamp | None:
    """``--as-of`` / ``as_of``: a date written yyyy-mm-dd (or a TOML date)."""
    if text is None or text == "":
        return None
    if isinstance(text, dt.date):
        return pd.Timestamp(text)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(text).strip()):
            raise ValueError
        return pd.Timestamp(dt.date.fromisoformat(str(text).strip()))
    except ValueError:
        raise UsageError(f"as-of date must be a date written yyyy-mm-dd (got {text!r})") from None


def read_inventory(path) -> pd.DataFrame:
    table = inputs.read_table_file(path, INVENTORY_COLUMNS, "inventory snapshot")
    out = pd.DataFrame({"sku": table["sku"].astype(str).str.strip()})
    for name in INVENTORY_COLUMNS[1:]:
        out[name] = values.numbers(table[name])
        if out[name].isna().any():
            row = int(out[name].isna().to_numpy().argmax()) + 2
            raise InputError(f"inventory snapshot: {name} is blank or not a number on line {row}")
    if "pack_size" in table.columns:  # optional: order quantities rounded up to whole packs
        packs = values.numbers(table["pack_size"])
        bad = packs.notna() & ~(packs > 0)
        if bad.any():
            row = int(bad.to_numpy().argmax()) + 2
            raise InputError(f"inventory snapshot: pack_size must be above 0 on line {row}")
        out["pack_size"] = packs.fillna(1.0)
    return out


def read_suppliers(path) -> pd.DataFrame:
    table = inputs.read_table_file(path, ("supplier",), "supplier metrics")
    metrics = [c for c in table.columns if c != "supplier"]
    if not metrics:
        raise InputError("the supplier metrics file needs at least one metric column")
    out = pd.DataFrame({"supplier": table["supplier"].astype(str).str.strip()})
    for name in metrics:
        out[name] = values.numbers(table[name])
    return out


def build_report(
    orders: pd.DataFrame,
    path: str | os.PathLike,
    settings: ReportSettings | None = None,
    source: str = "orders",
    as_of=None,
    inventory: pd.DataFrame | None = None,
    suppliers: pd.DataFrame | None = None,
    mapping: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> Path:
    """The report for an order log already in a DataFrame (any column names + ``mapping``)."""
    progress = progress or Progress(STAGES, enabled=False)
    s = settings or ReportSettings()
    with progress.stage("read"):
        lines, intake = clean_frame(orders, s, source, mapping, as_of_date(as_of))
    return _analyse_and_write(lines, intake, path, s, as_of, inventory, suppliers, progress)


def clean_frame(
    orders: pd.DataFrame,
    settings: ReportSettings,
    source: str,
    mapping: dict[str, str] | None = None,
    as_of=None,
):
    """(order lines, intake) for an order log already in a DataFrame (a sheet's rows)."""
    intake = inputs.Intake(source=source)
    columns = inputs.resolve_columns([str(c) for c in orders.columns], mapping or {})
    lines = inputs.clean_orders(
        orders,
        columns,
        intake,
        settings.date_order,
        settings.dedupe,
        settings.earliest_order_date,
        as_of,
    )
    return lines, intake


def _analyse_and_write(
    lines, intake, path, s, as_of, inventory, suppliers, progress, actions=None
) -> Path:
    data = analyse(lines, s, as_of, inventory, suppliers, progress)
    return _write(data, intake, path, progress, actions)


def _write(data, intake, path, progress, actions=None) -> Path:
    # Imported here: XlsxWriter is desktop-only, and xlwings Lite, which has no file
    # system, builds the report's sheets through macros.build_report_sheets instead.
    from xlbizops.report.layout import write_workbook

    # Written under a temporary name next to ``path``, then renamed over it: a failed
    # or interrupted run never leaves a half-written report where the report should be.
    with progress.stage("write"), atomic_target(path) as tmp:
        write_workbook(data, intake, progress.timings, tmp)
    if actions:  # the Actions lists as CSV, for a ticket system or an e-mail
        with atomic_target(actions) as tmp:
            actions_frame(data.actions).to_csv(tmp, index=False, date_format="%Y-%m-%d")
    progress.finish()
    return Path(path)


def run_report(
    orders_path,
    output,
    mapping: dict[str, str] | None = None,
    as_of=None,
    config_path=None,
    inventory_path=None,
    suppliers_path=None,
    date_order: str | None = None,
    dedupe: bool = False,
    preset: str | None = None,
    sample_orders: int | None = None,
    progress: Progress | None = None,
    table: str | None = None,
    query: str | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
    actions=None,
    change: str | None = None,
    change_label: str | None = None,
) -> tuple[Path, Progress]:
    """What ``xlbizops report`` does: file, glob, database (or sample data) in,
    workbook out."""
    config = load_config(config_path)
    given = config.get("input", {})
    base = Path(config_path).resolve().parent if config_path else Path.cwd()

    def from_config(key):  # relative to the config file, wherever the job runs from
        value = given.get(key)
        if not value:
            return None
        if isinstance(value, list):  # orders in several tables (Olist's)
            return [str(base / item) for item in value]
        if sources.URL.match(value):  # a database URL is not a path
            return value
        return str(base / value)

    orders_path = orders_path or from_config("orders")
    preset = preset or given.get("preset")
    inventory_path = inventory_path or from_config("inventory")
    suppliers_path = suppliers_path or from_config("suppliers")
    with sources.secrets_hidden(orders_path):  # no message says a password
        inputs_read = sources.input_files(orders_path or []) + [
            p for p in (inventory_path, suppliers_path, config_path) if p
        ]
        check_output(output, inputs_read, (".xlsx",))  # before anything is read or written
        if actions:
            check_output(actions, [*inputs_read, output], (".csv",), "--actions")
        as_of = as_of_date(as_of or given.get("as_of"))
        impact = config.get("impact", {})
        s = settings_from(
            config, date_order=date_order or given.get("date_order"), dedupe=dedupe,
            change_date=str(change or impact.get("date") or ""),
            change_label=change_label or impact.get("label"),
        )  # fmt: skip
        mapping = {**config.get("map", {}), **(mapping or {})}
        progress = progress or Progress(STAGES)
        inventory = read_inventory(inventory_path) if inventory_path else None
        suppliers = read_suppliers(suppliers_path) if suppliers_path else None
        if sample_orders:
            from xlbizops.sampledata import generate_inventory, generate_orders

            orders = generate_orders(sample_orders)
            if inventory is None:
                inventory = generate_inventory(orders)
            path = build_report(
                orders,
                output,
                s,
                "xlbizops sample data",
                as_of,
                inventory,
                suppliers,
                mapping,
                progress,
            )
            return path, progress
        if not orders_path:
            raise InputError("give an order log file (or --sample)")
        chosen_engine = engine or config.get("engine", {}).get("name")
        table = table or given.get("table")
        query = query or given.get("query")
        sources.require_url_for(orders_path, table, query)
        if chosen_engine or sources.is_engine_source(orders_path):
            intake = inputs.Intake(source=str(orders_path))
            with progress.stage("read"):
                exports = None
                if (chosen_engine or "duckdb") == "duckdb":
                    exports = sources.export_files(
                        str(orders_path), preset, mapping, intake, date_order=s.date_order,
                        max_file_mb=s.max_file_mb, dedupe=s.dedupe, earliest=s.earliest_order_date,
                        latest=as_of,
                    )  # fmt: skip
            if exports is not None:
                try:
                    data = analyse_table(exports.table, s, as_of, inventory, suppliers, progress,
                                         exports.run, exports.materialize)  # fmt: skip
                finally:
                    exports.close()
                return _write(data, intake, output, progress, actions), progress
            if preset:
                raise UsageError(
                    "--preset reads a shop's export files (a file, or a glob of CSV or XLSX "
                    "files); Parquet, databases and Spark are read by column names and --map"
                )
            source = sources.open_source(
                str(orders_path),
                table,
                query,
                chosen_engine or "duckdb",
                spark_master or config.get("engine", {}).get("spark_master"),
            )
            try:
                intake = inputs.Intake(source=source.name)
                with progress.stage("read"):
                    lines = sources.clean(
                        source, mapping, intake, s.dedupe, s.earliest_order_date, as_of
                    )
                data = analyse_table(
                    lines, s, as_of, inventory, suppliers, progress, source.run, source.materialize
                )
            finally:
                source.close()
            return _write(data, intake, output, progress, actions), progress
        with progress.stage("read"):
            lines, intake = inputs.read_orders(
                orders_path, mapping, s.date_order, s.max_file_mb, s.dedupe,
                s.earliest_order_date, as_of, preset,
            )  # fmt: skip
        path = _analyse_and_write(
            lines, intake, output, s, as_of, inventory, suppliers, progress, actions
        )
        return path, progress
