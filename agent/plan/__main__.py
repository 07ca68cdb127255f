"""Regenerate schemas/database_plan.schema.json: `python -m agent.plan`."""

from agent.plan import write_schema

if __name__ == "__main__":
    print(write_schema())
