"""The apps' own smoke suites run inside `parity run`, in the apps' environments, never in ours."""

collect_ignore = ["wagtail", "ihatemoney", "nodepg", "sautils", "ltree", "pgqueuer", "synapse"]
