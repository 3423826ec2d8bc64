"""Surveys collected by cxscore itself, and the closed loop that acts on them.

- `definition`: survey definitions (YAML files in the project's `surveys/` folder, or the API), validated;
- `tokens`: signed, single-use, expiring survey links;
- `audience` and `sending`: who is invited (relationship and transactional triggers, fatigue, unsubscribes),
  and sending the invitations and the one reminder by e-mail (`mail`);
- `page`, `writer`, `webhooks`, `http`: the public survey page, the group-commit answer writer, responses
  pushed by other tools, and `install(app)` that mounts them on the service;
- `followups`: the follow-up tasks a detractor or a low CSAT opens, and their metrics;
- `api`: what the web app's admin pages call.

This package's `__init__` stays light on purpose: the store imports `cxscore.surveys.tables`.
"""
