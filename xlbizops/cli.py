"""The ``xlbizops`` command line."""

from __future__ import annotations

import argparse
import os
import sys
import time

from xlbizops import __version__
from xlbizops.core.errors import InputError, UsageError


def _sample_data(args) -> int:
    from xlbizops.sampledata import MIN_ORDERS, write_orders
    from xlbizops.workbook.atomic import atomic_target, check_output

    if args.orders < MIN_ORDERS:
        raise UsageError(f"--orders must be at least {MIN_ORDERS} (got {args.orders})")
    if args.seed < 0:
        raise UsageError(f"--seed must be 0 or more (got {args.seed})")
    check_output(args.output, [], (".csv", ".parquet", ".pq"))
    started = time.perf_counter()
    with atomic_target(args.output) as tmp:
        rows = write_orders(tmp, args.orders, args.seed)
    print(f"wrote {rows:,} orders to {args.output} in {time.perf_counter() - started:.1f} s")
    return EXIT_OK


def _libraries_loaded(args) -> None:
    """The command's libraries are imported.  In the ``xlbizops`` program, which ends
    with the command, their objects live as long as the process, so the garbage
    collector need not walk them again (``gc.freeze``); without this, tearing the
    interpreter down after a report walks them all: half a second.  A process that
    calls :func:`main` and goes on is left alone (frozen cycles are never collected)."""
    if args.own_process:
        import gc

        gc.freeze()


def _report(args) -> int:
    from xlbizops.report.build import run_report

    _libraries_loaded(args)
    if args.sample and args.orders:
        print("xlbizops report: give an order log or --sample, not both", file=sys.stderr)
        return EXIT_USAGE
    mapping = {}
    for item in args.map:
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise UsageError(f"--map takes field=Column (got {item!r})")
        field, column = field.strip(), column.strip()
        if mapping.get(field, column) != column:
            raise UsageError(f"--map {field} is given twice ({mapping[field]!r} and {column!r})")
        mapping[field] = column
    started = time.perf_counter()
    path, progress = run_report(
        args.orders if len(args.orders) > 1 else (args.orders[0] if args.orders else None),
        args.output,
        mapping=mapping,
        as_of=args.as_of,
        config_path=args.config,
        inventory_path=args.inventory,
        suppliers_path=args.suppliers,
        date_order=args.date_order,
        dedupe=args.dedupe,
        preset=args.preset,
        sample_orders=args.sample_orders if args.sample else None,
        table=args.table,
        query=args.query,
        engine=args.engine,
        spark_master=args.spark_master,
        actions=args.actions,
        change=args.change,
        change_label=args.change_label,
    )
    if not args.quiet:
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in progress.timings.items())
        print(f"wrote {path} in {time.perf_counter() - started:.1f} s ({stages})")
    _libraries_loaded(args)  # and what the run imported or left: the process ends here
    return EXIT_OK


def _functions(args) -> int:
    from xlbizops.excel.catalogue import render_markdown, render_text

    print(render_markdown() if args.markdown else render_text())
    return 0


def _excel_setup(args) -> int:
    from pathlib import Path

    from xlbizops.excel_setup import PACKAGE_WORKBOOKS, excel_setup, platform_name

    home = Path(args.home).expanduser() if args.home else Path.home()
    templates = Path(args.templates) if args.templates else PACKAGE_WORKBOOKS
    return excel_setup(
        home,
        platform_name(args.platform),
        sys.executable,
        args.dry_run,
        workbooks=templates,
        trust=args.trust,
        addin=args.addin,
        global_config=args.global_config,
    )


def _doctor(args) -> int:
    from pathlib import Path

    from xlbizops.excel_setup import doctor, platform_name

    home = Path(args.home).expanduser() if args.home else Path.home()
    workbook = Path(args.workbook) if args.workbook else None
    checks = doctor(home, platform_name(args.platform), sys.executable, workbook)
    for check in checks:
        mark = "ok " if check.ok else "FIX"
        print(f"[{mark}] {check.name}: {check.detail}")
        if not check.ok:
            print(f"      -> {check.fix}")
    return EXIT_OK if all(c.ok for c in checks) else EXIT_INPUT


def _template_build(args) -> int:
    from xlbizops.template.build import build_templates

    started = time.perf_counter()
    paths = build_templates(args.output)
    names = ", ".join(str(p) for p in paths)
    print(f"wrote {names} in {time.perf_counter() - started:.1f} s")
    return EXIT_OK


def _refresh(args) -> int:
    from pathlib import Path

    from xlbizops.macros import refresh_all
    from xlbizops.workbook import package
    from xlbizops.workbook.atomic import atomic_target, check_output
    from xlbizops.workbook.filebook import FileBook

    _libraries_loaded(args)
    # A macro workbook stays one: the output keeps the input's kind.
    check_output(args.output, [args.book], (Path(args.book).suffix.lower(),))
    package.require_workbook(Path(args.book))  # before anything is written
    started = time.perf_counter()
    with atomic_target(args.output) as tmp:
        book = FileBook(args.book, output=tmp)
        refresh_all(book)
    print(f"wrote {args.output} in {time.perf_counter() - started:.1f} s ({book.status})")
    if book.unreadable:
        cells = "; ".join(f"{s}!{c} {f}" for (s, c), f in list(book.unreadable.items())[:5])
        more = f" and {len(book.unreadable) - 5} more" if len(book.unreadable) > 5 else ""
        print(
            f"xlbizops refresh: {len(book.unreadable)} formula(s) the engine cannot read kept "
            f"their old values: {cells}{more}",
            file=sys.stderr,
        )
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="xlbizops", description="E-commerce operations analytics for Excel."
    )
    p.add_argument("--version", action="version", version=f"xlbizops {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser(
        "sample-data", help="write a synthetic e-commerce order log (CSV or Parquet)"
    )
    s.add_argument(
        "-o", "--output", required=True, help="file to write: .csv, or .parquet for Parquet"
    )
    s.add_argument("--orders", type=int, default=20_000, help="number of orders (default 20000)")
    s.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    s.set_defaults(run=_sample_data)

    r = sub.add_parser(
        "report",
        help="build the operations report (.xlsx) from an order log",
        description="Exit codes: 0 written, 1 bad input data, 2 bad command line, "
        "3 could not read or write a file or reach a database, 4 internal error.",
    )
    r.add_argument(
        "orders",
        nargs="*",
        help="order log: CSV, XLSX or Parquet (several files for a layout that comes in "
        "tables, such as Olist's); a glob of Parquet or CSV files ('exports/*.parquet'); or "
        "a database URL (duckdb:///shop.duckdb, sqlite:///shop.db, postgres://…) with "
        "--table or --query",
    )
    r.add_argument("--table", help="the database table holding the order log")
    r.add_argument("--query", help="a SELECT giving the order log, run in the database")
    r.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        help="where the aggregations run for files and globs: duckdb (embedded, the default "
        "for globs) or spark",
    )
    r.add_argument("--spark-master", help="Spark master URL (default local[*])")
    r.add_argument("-o", "--output", required=True, help="workbook to write")
    r.add_argument("--sample", action="store_true", help="use the bundled sample data")
    r.add_argument("--sample-orders", type=int, default=20_000, help=argparse.SUPPRESS)
    r.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="which column of the file holds a field, e.g. --map amount='Net Sales'",
    )
    r.add_argument("--as-of", help="report date (default: the latest order date)")
    r.add_argument("--config", help="report.toml with [input], [map] and [settings]")
    r.add_argument(
        "--inventory", help="inventory snapshot: sku, on_hand, unit_cost, lead_time_days"
    )
    r.add_argument("--suppliers", help="supplier metrics: supplier and numeric metric columns")
    r.add_argument(
        "--actions",
        help="also write the Actions sheet's lists (reorder, win back, check) to this CSV",
    )
    r.add_argument(
        "--date-order",
        choices=["auto", "dmy", "mdy"],
        help="how to read dates like 03/04/2024 (default auto)",
    )
    r.add_argument(
        "--preset",
        metavar="NAME",
        help="read the file as this shop export: shopify, woocommerce, amazon, etsy, "
        "online-retail or olist (default: recognised from its headers)",
    )
    r.add_argument(
        "--dedupe",
        action="store_true",
        help="reject rows identical to an earlier row even without order ids "
        "(for exports that repeat lines)",
    )
    r.add_argument(
        "--change",
        help="first day (yyyy-mm-dd) of a change to measure: adds an Impact sheet (revenue, "
        "orders, on-time rate and cycle time against what they would have been)",
    )
    r.add_argument("--change-label", help="what the change was, for the Impact sheet's title")
    r.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    r.set_defaults(run=_report)

    e = sub.add_parser("excel-setup", help="wire Excel (Windows/macOS) to xlbizops")
    e.add_argument("--dry-run", action="store_true", help="print the steps, change nothing")
    e.add_argument("--home", help=argparse.SUPPRESS)
    e.add_argument("--platform", choices=["windows", "macos"], help=argparse.SUPPRESS)
    e.add_argument("--templates", help="folder with the template workbooks to copy")
    e.add_argument(
        "--trust",
        action="store_true",
        help="also make the templates' folder an Excel Trusted Location for your user "
        "(Windows: HKCU; macros then run in workbooks opened from there)",
    )
    e.add_argument(
        "--addin",
        action="store_true",
        help="also install the xlwings add-in (not needed by the xlbizops workbook)",
    )
    e.add_argument(
        "--global",
        dest="global_config",
        action="store_true",
        help="also write the interpreter and UDF module into your global xlwings.conf "
        "(shared by every xlwings workbook; by default only the xlbizops workbook's own "
        "xlwings.conf sheet is written)",
    )
    e.set_defaults(run=_excel_setup)

    d = sub.add_parser("doctor", help="check the Excel wiring and print a fix for each problem")
    d.add_argument("--home", help=argparse.SUPPRESS)
    d.add_argument("--platform", choices=["windows", "macos"], help=argparse.SUPPRESS)
    d.add_argument("--workbook", help="a macro workbook to check (default: the installed template)")
    d.set_defaults(run=_doctor)

    t = sub.add_parser("template", help="the template workbooks")
    t_sub = t.add_subparsers(dest="action", required=True)
    tb = t_sub.add_parser("build", help="build workbooks/xlbizops.xlsx and .xlsm")
    tb.add_argument("-o", "--output", default="workbooks", help="folder (default workbooks)")
    tb.set_defaults(run=_template_build)

    rf = sub.add_parser(
        "refresh", help="compute every formula of a workbook without Excel (Refresh all)"
    )
    rf.add_argument("book", help="an .xlsx or .xlsm with xlbizops formulas")
    rf.add_argument("-o", "--output", required=True, help="where to write the refreshed copy")
    rf.set_defaults(run=_refresh)

    f = sub.add_parser("functions", help="list every Excel function with its signature")
    f.add_argument("--markdown", action="store_true", help="print docs/functions.md")
    f.set_defaults(run=_functions)
    return p


EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_FILE, EXIT_INTERNAL = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


def interrupted(err: BaseException) -> bool:
    """Whether an error is Ctrl-C reported by a query engine: DuckDB stops a running
    query on SIGINT and raises its own error ("Query interrupted", a RuntimeError
    through Ibis), not KeyboardInterrupt."""
    while err is not None:
        if isinstance(err, KeyboardInterrupt) or type(err).__name__ == "InterruptException":
            return True
        if isinstance(err, RuntimeError) and str(err).startswith("Query interrupted"):
            return True
        err = err.__cause__ or err.__context__
    return False


def main(argv: list[str] | None = None, own_process: bool = False) -> int:
    """Run a command; one line on stderr and a distinct exit code when it fails.
    ``own_process``: the process ends with the command (the ``xlbizops`` program)."""
    from xlbizops.workbook.atomic import interrupts_kept

    args = parser().parse_args(argv)
    args.own_process = own_process
    try:
        with interrupts_kept():
            return args.run(args)
    except KeyboardInterrupt:
        print(f"xlbizops {args.command}: interrupted; no output was changed", file=sys.stderr)
        return EXIT_INTERRUPTED
    except UsageError as err:
        print(f"xlbizops {args.command}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except InputError as err:
        print(f"xlbizops {args.command}: {err}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as err:
        print(f"xlbizops {args.command}: {err}", file=sys.stderr)
        return EXIT_FILE
    except MemoryError:
        print(f"xlbizops {args.command}: out of memory; try a shorter date range", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as err:  # noqa: BLE001 - a scheduler needs an exit code, not a crash
        if interrupted(err):
            print(f"xlbizops {args.command}: interrupted; no output was changed", file=sys.stderr)
            return EXIT_INTERRUPTED
        if os.environ.get("XLBIZOPS_DEBUG"):
            raise
        print(
            f"xlbizops {args.command}: internal error {type(err).__name__}: {err} "
            "(set XLBIZOPS_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def program() -> None:
    """The ``xlbizops`` program: one command, then the process ends."""
    sys.exit(main(own_process=True))


if __name__ == "__main__":
    program()
