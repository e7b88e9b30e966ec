"""Turn the explainer's data (sources, glossary, timeline, who's who) into pages.

Plain Python: nothing here imports MkDocs. ``hooks/explainer_hooks.py`` adapts
MkDocs' events to it, and ``python -m explainer`` runs it from the command line.
"""
