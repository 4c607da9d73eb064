"""The migration tooling: how a profile's migrations command runs (its plan), how its output is
read (Alembic revisions, Django migrations), and what a run can add to it (a rehearsal's
measures, a rollback's round trips, the schema it leaves). No step lives here: the migrations
and data steps use it, through a `Job` the step hands over."""
