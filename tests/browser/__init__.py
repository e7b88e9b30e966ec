"""The built site as readers and the web's own tools see it: Chromium, axe-core, the Nu Html Checker, LinkChecker.

Every module here is marked ``browser``: ``make test`` runs them after the strict build, ``make test-fast`` leaves
them out. A package, so that this folder's ``conftest`` does not shadow ``tests/conftest.py``.
"""
