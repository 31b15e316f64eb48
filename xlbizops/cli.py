"""The ``xlbizops`` command line."""

from __future__ import annotations

import argparse
import sys
import time

from xlbizops import __version__
from xlbizops.core.errors import InputError


def _sample_data(args) -> int:
    from xlbizops.sampledata import write_orders_csv

    started = time.perf_counter()
    rows = write_orders_csv(args.output, args.orders, args.seed)
    print(f"wrote {rows:,} orders to {args.output} in {time.perf_counter() - started:.1f} s")
    return 0


def _report(args) -> int:
    from xlbizops.report.build import build_report, orders_from_csv
    from xlbizops.sampledata import generate_orders

    if args.sample == bool(args.orders):
        print("xlbizops report: give an order log (ORDERS) or --sample, not both", file=sys.stderr)
        return 2
    started = time.perf_counter()
    if args.sample:
        orders, source = generate_orders(args.sample_orders, args.seed), "xlbizops sample data"
    else:
        orders, source = orders_from_csv(args.orders), str(args.orders)
    path = build_report(orders, args.output, source=source)
    print(f"wrote {path} from {len(orders):,} orders in {time.perf_counter() - started:.1f} s")
    return 0


def _functions(args) -> int:
    from xlbizops.excel.catalogue import render_markdown, render_text

    print(render_markdown() if args.markdown else render_text())
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="xlbizops", description="E-commerce operations analytics for Excel."
    )
    p.add_argument("--version", action="version", version=f"xlbizops {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("sample-data", help="write a synthetic e-commerce order log (CSV)")
    s.add_argument("-o", "--output", required=True, help="CSV file to write")
    s.add_argument("--orders", type=int, default=20_000, help="number of orders (default 20000)")
    s.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    s.set_defaults(run=_sample_data)

    r = sub.add_parser("report", help="build the operations report (.xlsx) from an order log")
    r.add_argument("orders", nargs="?", help="order log CSV in xlbizops column names")
    r.add_argument("--sample", action="store_true", help="use the bundled sample data")
    r.add_argument("--sample-orders", type=int, default=20_000, help=argparse.SUPPRESS)
    r.add_argument("--seed", type=int, default=42, help=argparse.SUPPRESS)
    r.add_argument("-o", "--output", required=True, help="workbook to write")
    r.set_defaults(run=_report)

    f = sub.add_parser("functions", help="list every Excel function with its signature")
    f.add_argument("--markdown", action="store_true", help="print docs/functions.md")
    f.set_defaults(run=_functions)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except InputError as err:
        print(f"xlbizops {args.command}: {err}", file=sys.stderr)
        return 1
    except (FileNotFoundError, PermissionError, IsADirectoryError) as err:
        print(f"xlbizops {args.command}: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
