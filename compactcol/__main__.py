"""``compactcol demo`` (or ``python -m compactcol demo``): memory and build
time side by side."""

import argparse
import sys

from ._demo import run_demo


def _rows(text):
    """--rows: a whole number, 0 or more."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {n}")
    return n


def main(argv=None):
    parser = argparse.ArgumentParser(prog="compactcol")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="build a record data set as a list of dicts, a list of "
                                           "dataclasses, pandas and a compactcol.Table; compare "
                                           "memory and build time")
    demo.add_argument("--rows", type=_rows, default=1_000_000,
                      help="number of records (default 1,000,000)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return run_demo(args.rows)
    return 2


if __name__ == "__main__":
    sys.exit(main())
