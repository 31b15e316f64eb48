"""The one error type of xlbizops.

Its message is written for a spreadsheet user: it names the argument and says what is
wrong with it, e.g. ``holding_cost must be greater than 0 (got -1 in row 3)``.
"""


class InputError(ValueError):
    """Invalid input; ``str(err)`` is the message shown in the cell or on the terminal."""


class UsageError(InputError):
    """An InputError in how xlbizops was asked to run (a command-line option or a
    setting), not in the data: the command line reports it with exit code 2."""
