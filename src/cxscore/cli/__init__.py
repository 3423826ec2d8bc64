"""The `cxscore` command line: thin commands over the library; heavy imports stay inside commands."""
