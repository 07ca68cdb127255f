"""The proof of a database plan: static checks, then a real database run.

`prove(plan, dialect=None, dsn=None)` runs the static checks and, when they find no error,
applies every migration on a fresh database (embedded PostgreSQL, SQLite in memory, or a
server given by DSN), checks the Downs, the built schema against the design, the common
queries' index coverage and (PostgreSQL) the live safety of changes to existing tables.
"""

from agent.proof.checks import static_checks
from agent.proof.finding import Finding, ProofReport, ProofUnavailable, Severity
from agent.proof.run import prove

__all__ = ["Finding", "ProofReport", "ProofUnavailable", "Severity", "prove", "static_checks"]
