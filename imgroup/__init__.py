"""imgroup: hand-written tools on top of the generated vendor clients."""
