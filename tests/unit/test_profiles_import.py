"""`parity profiles import` and `parity profiles drift` through the command line, on manifests in
the shapes real tools print: `helm template` (several documents, Helm's labels, a sidecar, an
init container), `kustomize build` (a StatefulSet, hashed ConfigMap names), `kubectl get -o yaml`
(a List), and a compose file with `.env` interpolation and env_file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from parity.cli import cli
from parity.profile.loader import load_profile
from tests.conftest import write_profile

MANIFESTS = Path(__file__).parent / "manifests"
HELM = "helm-template-notes.yaml"
# The values in the chart's Secret (base64) and a plain variable whose name says secret.
SECRET_VALUES = ("c2VjcmV0LWtleS12YWx1ZQ==", "cG9zdGdyZXNxbDovL25vdGVz", "not-a-real-token-but-never-copied",
                 "not-a-real-value", "postgresql://notes@db/notes")


@pytest.fixture
def project(project_dir: Path) -> Path:
    """A project holding copies of the manifests (compose's .env files beside its compose file)."""
    shutil.copytree(MANIFESTS, project_dir / "deploy")
    return project_dir


def invoke(project: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """Run a parity command in the project, as the CLI parses it."""
    return CliRunner().invoke(cli, ["--project", str(project), *args], env=env, catch_exceptions=False)


def parity(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess: errors become a message, a fix and an exit code."""
    return subprocess.run([sys.executable, "-m", "parity", "--project", str(project), *args],
                          capture_output=True, text=True, timeout=120)


def import_helm(project: Path, *extra: str) -> Result:
    result = invoke(project, "profiles", "import", "k8s", str(project / "deploy" / HELM), "--container", "notes", *extra)
    assert result.exit_code == 0, result.output
    return result


def test_a_helm_chart_becomes_a_profile_that_parity_loads_with_every_key_in_its_bytes_and_seconds(project: Path) -> None:
    import_helm(project)
    app = load_profile(project / "profiles", "prod").profile.app
    assert app is not None and app.startup_probe is not None and app.shutdown is not None
    assert app.image == "registry.example.com/notes:2.4.1"
    assert app.command == ["gunicorn", "notes.wsgi", "--bind", "0.0.0.0:8080", "--workers", "3"]
    assert app.port == 8080
    assert app.memory == 4_000_000_000  # 4G: decimal, not 4 GiB
    assert app.cpus == 1.5  # 1500m
    assert (app.read_only, app.user, app.tmpfs) == (True, "1001:1001", ["/tmp", "/app/.cache"])
    assert (app.replicas, app.rollout, app.shutdown.termination_grace_period) == (3, True, 45.0)
    probe = app.startup_probe
    assert (probe.http, probe.port, probe.initial_delay, probe.period, probe.timeout, probe.failure_threshold) == (
        "/healthz/startup", 9090, 5.0, 5.0, 2.0, 24)  # the named port "management", not the app's
    # Plain env and a ConfigMap's value the input holds; the downward API has no value here.
    assert app.env == {"LOG_LEVEL": "info", "ALLOWED_HOSTS": "notes.example.com", "LOG_FORMAT": "json"}


def test_secrets_get_names_and_deliveries_and_database_coordinates_are_supplied_never_copied(project: Path) -> None:
    result = import_helm(project)
    loaded = load_profile(project / "profiles", "prod").profile
    secrets = loaded.secrets
    assert secrets is not None
    # DATABASE_URL comes as a variable, so the source is env; the SMTP password is a file.
    assert (secrets.source, secrets.path) == ("env", "/etc/notes/secrets")
    assert {name: value.deliver for name, value in secrets.values.items()} == {
        "SECRET_KEY": "env", "SENTRY_TOKEN": "env", "smtp-password": "files"}
    assert secrets.values["smtp-password"].env == "SMTP_PASSWORD"
    assert "DATABASE_URL" not in secrets.values and loaded.app is not None and "DATABASE_URL" not in loaded.app.env
    assert "supplied by parity" in result.output and "DATABASE_URL" in result.output
    text = (project / "profiles" / "prod.yaml").read_text()
    for value in SECRET_VALUES:
        assert value not in text and value not in result.output
    migrations = loaded.migrations
    assert migrations is not None and (migrations.command, migrations.run_in) == (["alembic", "upgrade", "head"], "app")


def test_each_key_names_its_field_and_what_cannot_be_mapped_is_listed_with_its_reason(project: Path) -> None:
    result = import_helm(project)
    text = (project / "profiles" / "prod.yaml").read_text()
    assert "memory: 4000000000  # spec.template.spec.containers[notes].resources.limits.memory: 4G" in text
    assert "port: 9090  # spec.template.spec.containers[notes].startupProbe port management" in text
    for item, reason in [
        ("containers[notes].livenessProbe", "no liveness check"),
        ("containers[notes].readinessProbe", "readiness gating is not simulated"),
        ("spec.template.spec.nodeSelector", "scheduling"),
        ("containers[metrics]", "sidecar"),
        ("initContainers[wait-for-db]", "does not migrate"),
        ("env[POD_NAME]", "downward API"),
        ("HorizontalPodAutoscaler/release-notes", "from 3 to 10"),
        ("Job/release-notes-cleanup", "does not migrate"),
    ]:
        line = next((line for line in result.output.splitlines() if item in line), "")
        assert reason in line, f"{item} not listed with its reason:\n{result.output}"
        assert any(item in line and reason in line for line in text.splitlines() if line.startswith("#"))


def test_the_round_trip_agrees_and_one_changed_value_is_named_with_both_values(project: Path) -> None:
    import_helm(project)
    manifest = str(project / "deploy" / HELM)
    agree = invoke(project, "profiles", "drift", "--profile", "prod", "--from", "k8s", manifest, "--container", "notes")
    assert (agree.exit_code, agree.output) == (0, "")
    path = project / "profiles" / "prod.yaml"
    path.write_text(path.read_text().replace("failure_threshold: 24", "failure_threshold: 6"))
    drift = invoke(project, "profiles", "drift", "--profile", "prod", "--from", "k8s", manifest, "--container", "notes")
    assert drift.exit_code == 1
    assert drift.output.splitlines() == [
        "app.startup_probe.failure_threshold: profile 6, manifest 24 "
        "(spec.template.spec.containers[notes].startupProbe.failureThreshold)"]


def test_a_profile_that_caps_memory_where_production_sets_no_cpu_limit_has_drifted(project: Path) -> None:
    manifest = str(project / "deploy" / "kubectl-get-list.yaml")
    assert invoke(project, "profiles", "import", "k8s", manifest).exit_code == 0
    path = project / "profiles" / "prod.yaml"
    path.write_text(path.read_text().replace("memory: 1GiB", "memory: 1G\n  cpus: 1"))
    drift = invoke(project, "profiles", "drift", "--profile", "prod", "--from", "k8s", manifest)
    assert drift.exit_code == 1
    assert "app.memory: profile 1 GiB (1,073,741,824 bytes), manifest 1 GiB (1,073,741,824 bytes)" not in drift.output
    assert [line.split(":")[0] for line in drift.output.splitlines()] == ["app.cpus"]
    assert "profile 1.0, manifest not set" in drift.output


def test_extends_a_profile_that_builds_the_app_so_the_image_is_left_to_it_and_they_merge(project: Path) -> None:
    (project / "Dockerfile").write_text("FROM python:3.11-slim\n")
    write_profile(project, "local", "database: {version: '16'}\napp: {build: ., port: 8000}\n")
    import_helm(project, "--extends", "local", "--name", "prod-like")
    loaded = load_profile(project / "profiles", "prod-like").profile
    assert loaded.app is not None and loaded.database is not None
    assert (loaded.app.build, loaded.app.image, loaded.app.port) == (".", None, 8080)
    assert loaded.database.version == "16"
    assert "app.build in profile local" in (project / "profiles" / "prod-like.yaml").read_text()


def test_a_kustomize_statefulset_maps_its_probe_on_the_apps_port_and_its_update_strategy(project: Path) -> None:
    result = invoke(project, "profiles", "import", "k8s", str(project / "deploy" / "kustomize-build-worker.yaml"))
    assert result.exit_code == 0, result.output
    app = load_profile(project / "profiles", "prod").profile.app
    assert app is not None and app.startup_probe is not None
    assert (app.memory, app.cpus, app.user) == (500 * 2**20, 2.0, "10001")  # 500Mi
    assert (app.startup_probe.tcp, app.startup_probe.port, app.startup_probe.failure_threshold) == (True, None, 30)
    assert (app.replicas, app.rollout) == (2, False)  # OnDelete does not roll
    assert app.env == {"QUEUE_NAMES": "default,mail"}  # envFrom a ConfigMap in the input
    assert "Secret prod-notes-worker-secrets is not in the input" in result.output
    assert "volumeClaimTemplates" in result.output


def test_a_kubectl_list_is_unwrapped_and_recreate_does_not_roll(project: Path) -> None:
    assert invoke(project, "profiles", "import", "k8s", str(project / "deploy" / "kubectl-get-list.yaml")).exit_code == 0
    app = load_profile(project / "profiles", "prod").profile.app
    assert app is not None and (app.replicas, app.rollout, app.memory) == (2, False, 2**30)


def test_compose_is_interpolated_from_its_env_file_alone_and_env_file_values_are_never_written(project: Path) -> None:
    compose = project / "deploy" / "compose" / "docker-compose.yml"
    result = invoke(project, "profiles", "import", "compose", str(compose), "--service", "web",
                    env={"LOG_LEVEL": "debug", "WEB_PORT": "1234"})  # the shell's: not consulted
    assert result.exit_code == 0, result.output
    loaded = load_profile(project / "profiles", "prod").profile
    app, secrets, database = loaded.app, loaded.secrets, loaded.database
    assert app is not None and secrets is not None and database is not None and app.shutdown is not None
    assert app.build == "deploy/compose" and app.image is None
    assert app.command == "gunicorn notes.wsgi --bind 0.0.0.0:8080 --workers 2"
    assert app.port == 8080  # ${WEB_PORT:-8000} with WEB_PORT=8080 in .env
    assert app.memory == 2**30  # deploy.resources.limits.memory wins over mem_limit
    assert (app.cpus, app.read_only, app.user) == (0.5, True, "10001:10001")
    assert app.tmpfs == ["/tmp", "/run", "/notes/tmp"]
    assert (app.replicas, app.shutdown.termination_grace_period) == (2, 90.0)
    assert app.env == {"LOG_LEVEL": "warning", "ALLOWED_HOSTS": "notes.example.com", "DEBUG": "false",
                       "COST": "${NOT_INTERPOLATED}"}
    assert database.env == {"DB_HOST": "{host}", "DB_PORT": "{port}"}  # supplied by parity
    assert {name: value.deliver for name, value in secrets.values.items()} == {
        "SECRET_KEY_BASE": "env", "OTP_SECRET": "env", "SMTP_SERVER": "env",
        "smtp_password": "files", "signing.pem": "files"}
    assert (secrets.source, secrets.path) == ("env", "/run/secrets")
    text = (project / "profiles" / "prod.yaml").read_text()
    for value in SECRET_VALUES:
        assert value not in text and value not in result.output
    assert "services.web.healthcheck" in result.output and "OTEL_EXPORTER_OTLP_HEADERS" in result.output


def test_compose_round_trip_and_a_changed_value(project: Path) -> None:
    compose = str(project / "deploy" / "compose" / "docker-compose.yml")
    assert invoke(project, "profiles", "import", "compose", compose, "--service", "web").exit_code == 0
    drift = ["profiles", "drift", "--profile", "prod", "--from", "compose", compose, "--service", "web"]
    assert (invoke(project, *drift).exit_code, invoke(project, *drift).output) == (0, "")
    path = project / "profiles" / "prod.yaml"
    path.write_text(path.read_text().replace("termination_grace_period: 90s", "termination_grace_period: 10s"))
    changed = invoke(project, *drift)
    assert changed.exit_code == 1
    assert changed.output == ("app.shutdown.termination_grace_period: profile 10.0s, manifest 1m30s "
                              "(services.web.stop_grace_period: 1m30s)\n")


def write(project: Path, name: str, text: str) -> str:
    path = project / name
    path.write_text(text)
    return str(path)


POD = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: web
    image: web:1
    resources: {limits: {memory: MEMORY}}
"""


@pytest.mark.parametrize(("args", "message"), [
    (["k8s", "{deploy}/helm-template-notes.yaml"], "runs several containers: notes, metrics"),
    (["k8s", "{deploy}/helm-template-notes.yaml", "--container", "nginx"], "has no container 'nginx'"),
    (["k8s", "{deploy}/compose/docker-compose.yml"], "no Deployment, StatefulSet or Pod"),
    (["k8s", "{deploy}/helm-template-notes.yaml", "{deploy}/kubectl-get-list.yaml"],
     "holds several workloads: Deployment/release-notes, Deployment/notes"),
    (["k8s", "{bad_yaml}"], "not YAML"),
    (["k8s", "{bad_quantity}"], "'500Mx' is not a Kubernetes quantity"),
    (["compose", "{deploy}/compose/docker-compose.yml", "--service", "api"], "has no service 'api'"),
])
def test_bad_input_is_one_message_with_a_fix_and_exit_2(project: Path, args: list[str], message: str) -> None:
    files = {"deploy": str(project / "deploy"),
             "bad_yaml": write(project, "bad.yaml", "kind: Deployment\nspec: [unclosed\n"),
             "bad_quantity": write(project, "pod.yaml", POD.replace("MEMORY", "500Mx"))}
    result = parity(project, "profiles", "import", *[arg.format(**files) for arg in args])
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "fix:" in result.stderr and "Traceback" not in result.stderr
    assert not (project / "profiles" / "prod.yaml").exists()


def test_500Mi_in_a_pod_is_500_MiB(project: Path) -> None:
    result = invoke(project, "profiles", "import", "k8s", write(project, "pod.yaml", POD.replace("MEMORY", "500Mi")))
    assert result.exit_code == 0, result.output
    app = load_profile(project / "profiles", "prod").profile.app
    assert app is not None and app.memory == 500 * 2**20


def test_an_existing_profile_is_not_replaced_without_force(project: Path) -> None:
    write_profile(project, "prod", "description: hand-written\n")
    pod = write(project, "pod.yaml", POD.replace("MEMORY", "1Gi"))
    refused = parity(project, "profiles", "import", "k8s", pod)
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert (project / "profiles" / "prod.yaml").read_text() == "description: hand-written\n"
    assert invoke(project, "profiles", "import", "k8s", pod, "--force").exit_code == 0


def test_a_helm_hook_job_that_migrates_is_the_migrations_and_libpq_variables_are_supplied(project: Path) -> None:
    result = invoke(project, "profiles", "import", "k8s", str(project / "deploy" / "helm-template-api-hook.yaml"))
    assert result.exit_code == 0, result.output
    loaded = load_profile(project / "profiles", "prod").profile
    assert loaded.migrations is not None and loaded.app is not None and loaded.database is not None
    assert (loaded.migrations.command, loaded.migrations.run_in) == (["npx", "knex", "migrate:latest"], "app")
    assert "pre-install,pre-upgrade hook" in (project / "profiles" / "prod.yaml").read_text()
    # One replica and the default strategy: no balancer, nothing to roll.
    assert (loaded.app.replicas, loaded.app.rollout) == (None, False)
    assert loaded.database.env == {"PGHOST": "{host}", "PGPASSWORD": "{password}"}
    assert loaded.app.env == {"NODE_ENV": "production"} and loaded.secrets is None
    # The manifest's host is never copied (only the Secret's name, in a comment, says where it came from).
    assert all(line.startswith("#") or "#" in line and "release-postgresql" not in line.split("#")[0]
               for line in (project / "profiles" / "prod.yaml").read_text().splitlines() if "release-postgresql" in line)


def test_workload_picks_one_of_several_in_the_input(project: Path) -> None:
    result = invoke(project, "profiles", "import", "k8s", str(project / "deploy" / HELM),
                    str(project / "deploy" / "kubectl-get-list.yaml"), "--workload", "Deployment/notes")
    assert result.exit_code == 0, result.output
    app = load_profile(project / "profiles", "prod").profile.app
    assert app is not None and (app.port, app.memory) == (8000, 2**30)
