"""The HTTP service: what `cxscore serve` runs (survey pages, webhooks, the web app) and its shared parts.

- `ratelimit`: per-key token buckets that every public endpoint checks before doing work;
- `secrets`: the project's secret key, never stored in the repository, and keys derived from it per purpose.
"""
