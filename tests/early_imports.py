"""A pytest plugin that ``make test`` loads before the others (``-p tests.early_imports``).

nbval imports nbformat, and with it jsonschema, which compiles an IRI grammar on import (about
2 s in each test process: the controller and every worker) for a format that notebook validation
never checks. It is imported here as ``mttr-lab report`` imports it, without that grammar.
"""

from mttr_lab.cli_commands import _import_nbformat

_import_nbformat()
