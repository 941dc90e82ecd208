"""The command line (Typer): thin wrappers over the library."""
