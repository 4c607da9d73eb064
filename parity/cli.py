"""The command line: parse, call the core, map ParityError to its exit code.

Each command imports what it needs when it runs: `parity --help` loads click and nothing else,
and only the commands that start databases load the Docker SDK, psycopg or cryptography
(tests/unit/test_imports.py keeps it so).
"""

from __future__ import annotations

import gc
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from parity import __version__
from parity.engine.recipes import offline_summary
from parity.errors import EnvError, ParityError

if TYPE_CHECKING:
    from parity.manifests.source import ManifestSource
    from parity.project import Project
    from parity.report import ReportFiles
    from parity.run import RunOptions


def _project_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--profiles-dir", type=click.Path(file_okay=False), default=None,
        help="Directory of profile YAML files (default: PROJECT/profiles).",
    )(func)
    func = click.option(
        "--project", "project_dir", type=click.Path(file_okay=False), default=None,
        help="The project under test (default: the current directory).",
    )(func)
    return func


def _project(ctx: click.Context, project_dir: str | None, profiles_dir: str | None) -> Project:
    from parity.project import Project

    root = ctx.find_root()
    base = root.params if root else {}
    return Project.at(
        project_dir or base.get("project_dir") or ".",
        profiles_dir or base.get("profiles_dir"),
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="parity")
@_project_options
def cli(project_dir: str | None, profiles_dir: str | None) -> None:
    """parity: does your app behave in production the way it does on your laptop?

    Profiles (profiles/NAME.yaml) describe environments declaratively: Postgres version,
    SSL, memory caps, startup probes, where secrets come from. parity starts REAL
    containers shaped like a profile and reports every difference from the baseline.

    \b
    Exit codes: 0 parity, 1 divergences, 2 usage/profile error, 3 environment error.
    """


def _run_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--profile", "targets", required=True, multiple=True,
                     help="The profile to check, e.g. prod; repeat it to check several against one baseline run."),
        click.option("--baseline", default="local", show_default=True, help="The profile to compare against."),
        click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the JSON report here."),
        click.option("--junit", "junit_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write a JUnit XML report here."),
        click.option("--markdown", "markdown_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write a Markdown report here (PR comment, CI job summary)."),
        click.option("--keep", is_flag=True, help="Leave both environments up afterwards (remove with `parity down`)."),
    ]):
        func = option(func)
    return func


@cli.command("run")
@_run_options
@click.option("--explain", is_flag=True,
              help="Settle each divergence's cause by experiment (as `parity explain`); slower.")
@_project_options
@click.pass_context
def run_command(ctx: click.Context, targets: tuple[str, ...], baseline: str, json_path: Path | None, junit_path: Path | None,
                markdown_path: Path | None, keep: bool, explain: bool, project_dir: str | None,
                profiles_dir: str | None) -> None:
    """Run the baseline and the target profile side by side and report every difference.

    \b
    Steps in each profile: database, migrations (per Alembic revision or Django migration), the
    app under the profile's constraints with its startup probe, smoke tests, resources. Each
    divergence names the profile key suspected from its error (--explain confirms it by experiment).
    Exit 0: parity; 1: divergences (or a step failed on both sides); 2: profile/usage error;
    3: environment error.
    """
    from parity.report import ReportFiles
    from parity.run import RunOptions

    _run(_project(ctx, project_dir, profiles_dir),
         RunOptions(targets[0], baseline, keep=keep, explain=explain, more_targets=targets[1:]),
         ReportFiles(json=json_path, junit=junit_path, markdown=markdown_path))


@cli.command("explain")
@_run_options
@_project_options
@click.pass_context
def explain_command(ctx: click.Context, targets: tuple[str, ...], baseline: str, json_path: Path | None, junit_path: Path | None,
                    markdown_path: Path | None, keep: bool, project_dir: str | None, profiles_dir: str | None) -> None:
    """Run both profiles, then find which profile key causes each divergence, by experiment.

    \b
    For each divergence parity runs the baseline again with ONE differing key (or group of keys
    that only make sense together, such as database.version with database.image) taken from the
    target, each run only as far as the step the divergence appeared in. A key whose flip alone
    reproduces the divergence is its confirmed cause. Where none does, it reverts keys in the
    target to find those that matter and tries the smallest pairs, within a bound. Experiments
    run concurrently, as many as the machine's cores and memory allow. Same reports and exit
    codes as `parity run`; each divergence lists its experiments.
    """
    from parity.report import ReportFiles
    from parity.run import RunOptions

    _run(_project(ctx, project_dir, profiles_dir),
         RunOptions(targets[0], baseline, keep=keep, explain=True, more_targets=targets[1:]),
         ReportFiles(json=json_path, junit=junit_path, markdown=markdown_path))


def _run(project: Project, options: RunOptions, reports: ReportFiles) -> None:
    """`parity run` and `parity explain` once their options are read: run, print, write the reports."""
    from parity import commands
    from parity.console import err, out
    from parity.report import render_terminal, write_reports
    from parity.report.combined import exit_code

    if options.baseline in options.targets:
        raise click.UsageError(
            f"--profile and --baseline are both {options.baseline!r}: compare two different profiles")
    twice = sorted({name for name in options.targets if options.targets.count(name) > 1})
    if twice:
        raise click.UsageError(f"--profile {', '.join(twice)} is given twice: name each target once")
    outcome = commands.run(project, options)
    for result in outcome.results:
        if len(outcome.results) > 1:
            out.rule(f"{result.target} against {result.baseline}")
        render_terminal(result, out)
    written = write_reports(outcome.results, reports, redactor=outcome.redactor)
    for path in written:
        err.print(f"wrote {path}")
    for kept in outcome.kept:
        click.echo(f"kept {kept.profile} (environment {kept.env_id}):")
        for key, value in kept.exports.items():
            click.echo(f"  {key}={value}")
    if outcome.kept:
        click.echo("remove them with: parity down --all")
    sys.exit(exit_code(outcome.results))


@cli.command()
@click.option("--profile", "profile_name", required=True, help="Profile to start, e.g. prod.")
@click.option("--env", "as_env", is_flag=True, help="Print `export` lines only, for eval.")
@_project_options
@click.pass_context
def up(ctx: click.Context, profile_name: str, as_env: bool, project_dir: str | None, profiles_dir: str | None) -> None:
    """Start a profile's environment and leave it running (until `parity down`).

    \b
    Runs the profile's database, data, migrations and app (startup probe included), says what it
    ran, and prints DATABASE_URL (and APP_URL) so you can reproduce a production-only bug by hand.
    Exit 1 when a step it ran failed (the environment stays up to look at).
    """
    from parity import commands

    project = _project(ctx, project_dir, profiles_dir)
    started = commands.up(project, profile_name)
    # Plain echo, never wrapped: these lines are copied into shells. With --env, stdout is only
    # the export lines (for eval); the progress on stderr has said what ran.
    if as_env:
        for key, value in started.exports.items():
            click.echo(f"export {key}={_shell_quote(value)}")
    else:
        click.echo(f"{profile_name} is up (environment {started.env_id})")
        click.echo("  ran: " + ", ".join(f"{step} {status}" + (f" ({summary})" if status == "skipped" else "")
                                        for step, status, summary in started.ran))
        for key, value in started.exports.items():
            click.echo(f"  {key}={value}")
        for line in started.hints:
            click.echo(f"  {line}")
    for step, status, summary in started.ran:
        if status in ("failed", "error"):
            click.echo(f"error: {step} {status} on {profile_name}: {summary}", err=True)
    if started.failed:
        click.echo(f"the environment is left up to look at; remove it with: parity down --profile {profile_name}",
                   err=True)
        sys.exit(1)
    if not as_env:
        click.echo(f"Stop it with: parity down --profile {profile_name}")


@cli.command()
@click.option("--profile", "profile_name", default=None, help="Remove this profile's environments.")
@click.option("--all", "all_", is_flag=True,
              help="Remove every environment of this project (and dead runs' leftovers anywhere; never a live run's).")
@_project_options
@click.pass_context
def down(ctx: click.Context, profile_name: str | None, all_: bool, project_dir: str | None, profiles_dir: str | None) -> None:
    """Remove what `parity up` or `run --keep` left: only parity's own containers, networks, volumes."""
    if bool(profile_name) == all_:
        raise click.UsageError("give --profile NAME or --all")
    from parity import commands
    from parity.console import out

    project = _project(ctx, project_dir, profiles_dir)
    removed = commands.down(project, profile_name)
    if removed:
        out.print(f"removed {removed.summary()}")
    else:
        out.print("nothing to remove")
    if removed.failed:
        raise EnvError(f"could not remove: {', '.join(removed.failed)}",
                       "check `docker ps -a --filter label=io.parity.managed=true` and try again")


@cli.group()
def report() -> None:
    """Work with the reports `parity run --json` wrote."""


@report.command("merge")
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the merged JSON report here (one report per target under \"targets\").")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one JUnit XML report of every target here.")
@click.option("--markdown", "markdown_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one Markdown report of every target here (a CI job summary).")
def report_merge(reports: tuple[Path, ...], json_path: Path | None, junit_path: Path | None,
                 markdown_path: Path | None) -> None:
    """Merge the JSON reports of several targets (a CI matrix's jobs) into one.

    \b
    Prints each target's summary and writes the merged reports asked for. Exit code: the worst
    of the merged runs (0 all parity, 1 a divergence, 3 a run parity could not complete).
    """
    from parity.console import err, out
    from parity.redact import Redactor
    from parity.report import ReportFiles, render_terminal, write_reports
    from parity.report.combined import exit_code, load_reports

    results = load_reports(list(reports))
    for result in results:
        out.rule(f"{result.target} against {result.baseline}")
        render_terminal(result, out)
    # The reports were redacted when they were written; there is nothing more to hide.
    for path in write_reports(results, ReportFiles(json=json_path, junit=junit_path, markdown=markdown_path),
                              redactor=Redactor([])):
        err.print(f"wrote {path}")
    sys.exit(exit_code(results))


@cli.group()
def profiles() -> None:
    """List, show and validate the project's profiles; import them from manifests, check drift."""


@profiles.command("list")
@_project_options
@click.pass_context
def profiles_list(ctx: click.Context, project_dir: str | None, profiles_dir: str | None) -> None:
    """List the profiles with their descriptions."""
    from parity import commands
    from parity.console import err

    project = _project(ctx, project_dir, profiles_dir)
    rows = commands.list_profiles(project)
    if not rows:
        err.print(f"no profiles in {project.profiles_dir}")
    for name, description in rows:
        click.echo(f"{name:<16} {description}")  # one line each, however long: never wrapped mid-phrase


@profiles.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of YAML.")
@_project_options
@click.pass_context
def profiles_show(ctx: click.Context, name: str, as_json: bool, project_dir: str | None, profiles_dir: str | None) -> None:
    """Print a profile fully resolved (extends applied, defaults filled): YAML in the units a
    profile is written in (256m, 10m), which loads back to the same profile; --json in seconds
    and bytes."""
    from parity.console import out

    project = _project(ctx, project_dir, profiles_dir)
    profile = project.profile(name).profile
    if as_json:
        out.print_json(json.dumps(profile.model_dump(mode="json", exclude_none=True)))
    else:
        from parity.profile.render import profile_yaml

        click.echo(profile_yaml(profile))


@profiles.command("validate")
@click.argument("names", nargs=-1)
@_project_options
@click.pass_context
def profiles_validate(ctx: click.Context, names: tuple[str, ...], project_dir: str | None, profiles_dir: str | None) -> None:
    """Validate all profiles (or the named ones); exit 2 on the first bad one, listing every problem."""
    from rich.markup import escape

    from parity import commands
    from parity.console import err, out

    project = _project(ctx, project_dir, profiles_dir)
    good, bad = commands.validate_profiles(project, list(names))
    for name in good:
        out.print(f"ok      {name}")
    for problem in bad:
        err.print(f"[red]invalid[/red] {escape(str(problem))}", markup=True)
    if bad:
        sys.exit(2)


@profiles.command("schema")
def profiles_schema() -> None:
    """Print the JSON Schema of the profile format (for editors and CI linting)."""
    from parity.profile.models import profile_json_schema

    click.echo(json.dumps(profile_json_schema(), indent=2))


_MANIFEST_FILES = click.argument("files", nargs=-1, required=True,
                                 type=click.Path(exists=True, dir_okay=False, path_type=Path))
_CONTAINER = click.option("--container", default=None, help="The app's container, when the pod runs several.")
_WORKLOAD = click.option("--workload", default=None,
                         help="The app's Deployment/StatefulSet/Pod (NAME or KIND/NAME), when the input holds several.")


def _import_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--name", default="prod", show_default=True, help="Write profiles/NAME.yaml."),
        click.option("--extends", default=None, help="The profile it extends (e.g. local, bringing app.build)."),
        click.option("--force", is_flag=True, help="Replace profiles/NAME.yaml if it exists."),
    ]):
        func = option(func)
    return func


@profiles.group("import")
def profiles_import() -> None:
    """Write a profile from what production already declares (Kubernetes manifests, compose).

    Each key gets a comment naming the field it came from; what has no profile key is listed,
    with the reason, on the terminal and in the file. Secret values are never read.
    """


@profiles_import.command("k8s")
@_MANIFEST_FILES
@_CONTAINER
@_WORKLOAD
@_import_options
@_project_options
@click.pass_context
def profiles_import_k8s(ctx: click.Context, files: tuple[Path, ...], container: str | None, workload: str | None,
                        name: str, extends: str | None, force: bool, project_dir: str | None,
                        profiles_dir: str | None) -> None:
    """Deployment, StatefulSet or Pod YAML (helm template / kustomize build output too) -> profile."""
    from parity.manifests.source import ManifestSource

    _import(_project(ctx, project_dir, profiles_dir), ManifestSource("k8s", files, container, workload),
            name, extends, force)


@profiles_import.command("compose")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--service", required=True, help="The app's service.")
@_import_options
@_project_options
@click.pass_context
def profiles_import_compose(ctx: click.Context, file: Path, service: str, name: str, extends: str | None,
                            force: bool, project_dir: str | None, profiles_dir: str | None) -> None:
    """A compose service -> profile (.env interpolation as compose does it; the shell's env not consulted)."""
    from parity.manifests.source import ManifestSource

    _import(_project(ctx, project_dir, profiles_dir), ManifestSource("compose", (file,), service=service),
            name, extends, force)


def _import(project: Project, source: ManifestSource, name: str, extends: str | None, force: bool) -> None:
    from parity import commands

    imported = commands.import_profile(project, source, name, extends, force)
    mapping = imported.mapping
    click.echo(f"wrote {imported.path}: {len([m for m in mapping.profile_keys() if m.value is not None])} keys "
               f"from {mapping.origin}")
    if mapping.supplied:
        click.echo("supplied by parity (not copied):")
        for supplied in mapping.supplied:
            click.echo(f"  {supplied.name}: {supplied.source}")
    if mapping.unmapped:
        click.echo("not mapped:")
        for item in mapping.unmapped:
            click.echo(f"  {item.item}: {item.reason}")


@profiles.command("drift")
@click.option("--profile", "profile_name", required=True, help="The profile to check, e.g. prod.")
@click.option("--from", "kind", type=click.Choice(["k8s", "compose"]), required=True,
              help="What the files are.")
@_MANIFEST_FILES
@_CONTAINER
@_WORKLOAD
@click.option("--service", default=None, help="compose: the app's service.")
@_project_options
@click.pass_context
def profiles_drift(ctx: click.Context, profile_name: str, kind: str, files: tuple[Path, ...], container: str | None,
                   workload: str | None, service: str | None, project_dir: str | None, profiles_dir: str | None) -> None:
    """Exit 1 and print each key where the profile and the manifest disagree; silent, exit 0, when they agree."""
    from parity import commands
    from parity.manifests.source import ManifestSource

    source = ManifestSource("k8s" if kind == "k8s" else "compose", files, container, workload, service)
    drifts = commands.drift(_project(ctx, project_dir, profiles_dir), profile_name, source)
    for found in drifts:
        click.echo(str(found))
    if drifts:
        sys.exit(1)


@cli.group()
def images() -> None:
    """Images parity runs, and offline stand-ins for them."""


# The help names the images from parity's one list of them (what `make images` builds too).
@images.command("build", help=f"""Build offline stand-ins (default: all of {offline_summary()}).

    Where Docker Hub is reachable you do not need this: parity pulls the official images.
    """)
@click.argument("refs", nargs=-1)
@click.option("--force", is_flag=True, help="Rebuild even if the image exists.")
def images_build(refs: tuple[str, ...], force: bool) -> None:
    """`parity images build`: the images named, or every one parity can build offline."""
    from parity import commands

    commands.build_images(list(refs), force=force)


@images.command("prune")
def images_prune() -> None:
    """Remove parity's cached images (pre-initialised clusters, app builds) no container uses.

    They are caches: the next run rebuilds what it needs.
    """
    from parity import commands
    from parity.console import out

    removed = commands.prune_images()
    for tag in removed:
        out.print(f"removed {tag}")
    if not removed:
        out.print("no cached images to remove")


@images.command("list")
def images_list() -> None:
    """Show which images parity knows how to provide, and their state."""
    from parity import commands
    from parity.console import out

    for ref, state in commands.image_states():
        out.print(f"{ref:<20} {state}")


@cli.command()
@_project_options
@click.pass_context
def doctor(ctx: click.Context, project_dir: str | None, profiles_dir: str | None) -> None:
    """Check the Docker engine, the images the profiles need, and the profiles; say what to fix."""
    from rich.markup import escape

    from parity import commands
    from parity.console import out

    project = _project(ctx, project_dir, profiles_dir)
    checks = commands.doctor(project)
    problems = 0
    for check in checks:
        mark = "[green]ok[/green]  " if check.ok else "[red]FAIL[/red]"
        out.print(f"{mark} {escape(check.what)}: {escape(check.detail)}", markup=True)
        if not check.ok:
            problems += 1
            if check.fix:
                out.print(f"       fix: {check.fix}")
    if problems:
        sys.exit(3 if any(not c.ok and c.exit_code == 3 for c in checks) else 2)


def _shell_quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"


def _on_signal(signum: int, frame: object) -> None:
    # Unwind like Ctrl-C so every environment removes what it created. Further signals are
    # ignored: a second Ctrl-C must not interrupt the cleanup half-way and leak containers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # Plain stderr: a signal handler should not be the one to import the terminal renderer.
    print(f"{signal.Signals(signum).name}: stopping and removing what this run created…", file=sys.stderr, flush=True)
    raise KeyboardInterrupt


def main() -> None:
    """Entry point: run the CLI and turn failures into messages and exit codes."""
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        _run_cli()
    except SystemExit as exc:
        if exc.code != 130:
            _spare_the_collector()
        raise
    _spare_the_collector()


def _spare_the_collector() -> None:
    # The command is done (its resources released, its output written): spare the exit the
    # garbage collector's passes over every object the imports made (~0.1 s of `parity up`).
    # Not after an interrupt: work cut short (an image build's stream) is closed by those passes,
    # which lets the engine cancel it before parity has exited.
    gc.freeze()


def _run_cli() -> None:
    try:
        cli.main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        from parity.console import err

        err.print("interrupted; cleaned up")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except ParityError as exc:
        _report_error(exc)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a message, not a traceback
        if _is_docker_error(exc):
            _report_error(EnvError(f"Docker engine error: {exc}", "check `parity doctor`"))
            sys.exit(3)
        if os.environ.get("PARITY_DEBUG"):
            raise
        _report_error(EnvError(
            f"unexpected error in parity: {type(exc).__name__}: {exc}",
            "this is a bug in parity: rerun with PARITY_DEBUG=1 for the traceback and report it",
        ))
        sys.exit(3)


def _is_docker_error(exc: BaseException) -> bool:
    # Only a command that loaded the Docker SDK can raise its errors: no need to import it here.
    errors = sys.modules.get("docker.errors")
    return errors is not None and isinstance(exc, errors.DockerException)


def _report_error(exc: ParityError) -> None:
    from rich.markup import escape

    from parity.console import err

    err.print(f"[bold red]error:[/bold red] {escape(exc.message)}", markup=True, highlight=False)
    if exc.fix:
        err.print(f"[bold]fix:[/bold] {escape(exc.fix)}", markup=True, highlight=False)
