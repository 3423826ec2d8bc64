"""The cxscore exception tree.

Every error cxscore raises on purpose is one of these; each names the thing, the bad value and the fix.
Only the outer layers (CLI, web) turn them into exit codes or HTTP answers.

    CXScoreError
    ├── ConfigError (ValueError)          a project file or setting is wrong
    │   ├── ProjectNotFoundError          no cxscore project where one was expected
    │   ├── DefinitionError               a definition file of the project has problems
    │   │   ├── MetricDefinitionError     metric definitions (holds every problem, with file:line)
    │   │   ├── GoalDefinitionError       goal policies or benchmark tables (lists every problem)
    │   │   ├── ScorecardDefinitionError  scorecard definitions (lists every problem)
    │   │   ├── ProgramDefinitionError    recognition programs (lists every problem)
    │   │   ├── PlanDefinitionError       incentive plans (holds every problem, with file:line)
    │   │   └── SurveyDefinitionError     survey definitions (holds every problem, with file:line)
    │   └── StoreURLError                 a store URL is not one of the accepted forms
    ├── SchemaError (RuntimeError)        the store's schema is not the one this version expects
    ├── EngineNotInstalledError (ImportError)  an engine's Python package is missing
    ├── StoreConnectionError (ConnectionError)  the store's server cannot be reached
    ├── LoadError (ValueError)            rows cannot be loaded into a table as given
    ├── ModelError (KeyError)             an unknown table or column of the canonical model
    ├── ImportFileError (ValueError)      an input file cannot be read at all (not a bad row: a bad file)
    │   └── MappingError                  a column mapping names columns that do not exist
    ├── DemoError (ValueError)            the demo company cannot be built as asked
    ├── DiagnosisError (ValueError)       a diagnosis cannot be made on the data or metric asked for
    ├── PayoutError (ValueError)          payouts cannot be computed as asked (unknown period, person, plan)
    ├── RateLimitedError                  too many requests for one key; says when to try again
    ├── SurveyLinkError (ValueError)      a survey link is forged, altered, expired or already used
    ├── MailError (ConnectionError)       an e-mail cannot be sent (SMTP server, address, settings)
    ├── WebhookError (ValueError)         a webhook delivery is refused (signature, timestamp, replay, body)
    ├── FollowupError (LookupError)       a follow-up task does not exist or cannot change as asked
    ├── AccountError (ValueError)         a user account cannot be created or changed as asked
    ├── AuthenticationError (PermissionError)  sign-in failed, or a request carries no valid session/token
    │   └── AccountLockedError            too many failed sign-ins: the account waits before trying again
    ├── AccessDeniedError (PermissionError)  the signed-in role may not see what was asked for
    ├── NotFoundError (LookupError)       a page's subject (a team, person, metric) does not exist
    └── StatisticsError (ValueError)      a statistic was asked for with impossible inputs
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AccessDeniedError",
    "AccountError",
    "AccountLockedError",
    "AuthenticationError",
    "CXScoreError",
    "ConfigError",
    "DefinitionError",
    "DemoError",
    "DiagnosisError",
    "EngineNotInstalledError",
    "FollowupError",
    "GoalDefinitionError",
    "ImportFileError",
    "LoadError",
    "MailError",
    "MappingError",
    "MetricDefinitionError",
    "ModelError",
    "NotFoundError",
    "PayoutError",
    "PlanDefinitionError",
    "ProgramDefinitionError",
    "ProjectNotFoundError",
    "RateLimitedError",
    "SchemaError",
    "ScorecardDefinitionError",
    "StatisticsError",
    "StoreConnectionError",
    "StoreURLError",
    "SurveyDefinitionError",
    "SurveyLinkError",
    "WebhookError",
]


class CXScoreError(Exception):
    """Base class of every error cxscore raises on purpose."""


class ConfigError(CXScoreError, ValueError):
    """A project file or setting is wrong."""


class ProjectNotFoundError(ConfigError):
    """No cxscore project was found where one was expected."""


class DefinitionError(ConfigError):
    """A definition file of the project (metrics, goals, scorecards, programs, plans, surveys) has
    problems: the project has to be mended, not the request that met them."""


class MetricDefinitionError(DefinitionError):
    """Metric definitions have problems; `problems` holds every one, each with its file and line."""

    def __init__(self, problems: Sequence[object]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in metric definitions:\n{lines}")


class StoreURLError(ConfigError):
    """A store URL is not one of the accepted forms."""


class SchemaError(CXScoreError, RuntimeError):
    """The store's schema is not the one this version of cxscore expects."""


class EngineNotInstalledError(CXScoreError, ImportError):
    """The Python package of an engine (psycopg, pyspark) is not installed."""


class StoreConnectionError(CXScoreError, ConnectionError):
    """The store's server cannot be reached, or refuses the connection."""


class LoadError(CXScoreError, ValueError):
    """Rows cannot be loaded into a table as given: unknown columns or values of the wrong type."""


class ModelError(CXScoreError, KeyError):
    """An unknown table or column of the canonical data model."""

    def __str__(self) -> str:
        # KeyError quotes its argument; a message should read as a sentence.
        return str(self.args[0]) if self.args else ""


class ImportFileError(CXScoreError, ValueError):
    """An input file cannot be read at all: a bad file, not a bad row."""


class MappingError(ImportFileError):
    """A column mapping names columns that the file or the table does not have."""


class DemoError(CXScoreError, ValueError):
    """The demo company cannot be built as asked."""


class GoalDefinitionError(DefinitionError):
    """Goal policies or benchmark tables have problems; the message lists every one with its file."""


class ScorecardDefinitionError(DefinitionError):
    """Scorecard definitions have problems; the message lists every one with its file."""


class DiagnosisError(CXScoreError, ValueError):
    """A diagnosis (key drivers, verbatims) cannot be made on the data or metric asked for."""


class ProgramDefinitionError(DefinitionError):
    """Recognition programs have problems; the message lists every one with its file."""


class PlanDefinitionError(DefinitionError):
    """Incentive plans have problems; `problems` holds every one, each with its file and line."""

    def __init__(self, problems: Sequence[object]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in incentive plans:\n{lines}")


class PayoutError(CXScoreError, ValueError):
    """Payouts cannot be computed as asked: an unknown period, person or plan, or no plan for a role."""


class StatisticsError(CXScoreError, ValueError):
    """A statistic was asked for with impossible inputs (negative counts, a level outside (0, 1))."""


class RateLimitedError(CXScoreError):
    """Too many requests for one key (a link, an address, an account); `retry_after` is in seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AccountError(CXScoreError, ValueError):
    """A user account cannot be created or changed as asked (unknown role, taken name, weak password)."""


class AuthenticationError(CXScoreError, PermissionError):
    """Sign-in failed, or a request carries no valid session or API token."""


class AccountLockedError(AuthenticationError):
    """Too many failed sign-ins in a row: the account is locked for a while; `retry_after` is in seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AccessDeniedError(CXScoreError, PermissionError):
    """The signed-in role may not see what was asked for (another person's scorecard, payouts)."""


class NotFoundError(CXScoreError, LookupError):
    """A page's subject (a team, a person, a metric, a period) does not exist; the message lists what does."""


class SurveyDefinitionError(DefinitionError):
    """Survey definitions have problems; `problems` holds every one, each with its file and line."""

    def __init__(self, problems: Sequence[object]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in survey definitions:\n{lines}")


class SurveyLinkError(CXScoreError, ValueError):
    """A survey link is forged, altered, expired or already used; `reason` says which."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class MailError(CXScoreError, ConnectionError):
    """An e-mail cannot be sent: the SMTP server, the settings or the address is wrong."""


class WebhookError(CXScoreError, ValueError):
    """A webhook delivery is refused: bad signature, stale timestamp, replayed delivery or unreadable body."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class FollowupError(CXScoreError, LookupError):
    """A follow-up task does not exist, or cannot change as asked (e.g. closing a closed task)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
