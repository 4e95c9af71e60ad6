"""Commands with heavy dependencies, each loaded only when run (see ``LAZY_COMMANDS`` in kgtool/cli.py).

A command module imports click and kgtool.cli at most; the libraries its command needs (rdflib,
networkx, Playwright...) are imported inside the command function.
"""
