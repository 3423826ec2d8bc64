"""The web app: server-rendered pages (FastAPI + Jinja2), each with a JSON twin, behind accounts and roles.

- `tables`: the bookkeeping tables of accounts, sessions, API tokens and the audit log;
- `accounts`: passwords (argon2), sessions, tokens, lockout and the audit log;
- `access`: what each role may see (own scorecard, a manager's subtree, payouts);
- `pages`: the routes, each answering HTML, JSON and exports from one function.
"""
