"""Sphinx configuration for the spacekit documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "src")))

from spacekit import __version__

project = "spacekit"
author = "spacekit developers"
copyright = "2026, spacekit developers"
version = release = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "numpydoc",
]
autosummary_generate = False
autodoc_mock_imports = ["tensorflow", "keras", "dash", "waitress", "stdatamodels"]
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = []
nitpicky = False
intersphinx_mapping = {}
