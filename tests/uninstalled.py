"""The opening of a program for a fresh interpreter in which the modules named (comma-separated) in its first
argument cannot be imported, as on an installation without them: a meta path finder that refuses them. None of
them may be imported yet, so the program runs with ``python -c``."""

BLOCK_MODULES = """
import sys
from importlib.abc import MetaPathFinder

BLOCKED = set(sys.argv[1].split(","))

class Uninstalled(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Uninstalled())
"""
