"""Kubernetes workloads (Deployment, StatefulSet, Pod) read into profile keys.

Fields parity honours become keys with the field they came from; every other field of the pod,
the container and the workload is listed with the reason it is not mapped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from parity.errors import ProfileError
from parity.manifests.documents import (
    Document,
    list_at,
    mapping_at,
    read_documents,
    sequence,
    whole,
)
from parity.manifests.mapping import ManifestMapping, looks_secret, size_written
from parity.manifests.quantities import QuantityError, k8s_cpus, k8s_memory
from parity.manifests.secrets import SecretNames

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Pod")
# An init container (or its command) that runs a schema migration tool.
_MIGRATES = re.compile(r"migrat|alembic|flyway|liquibase", re.IGNORECASE)

# Why a field has no profile key. Anything not here and not mapped gets the default reason.
_REASONS = {
    "livenessProbe": "parity has no liveness check: a failing probe would restart the pod, parity reports the app as it runs",
    "readinessProbe": "parity routes to a replica once its startup probe passes; readiness gating is not simulated",
    "lifecycle": "preStop/postStart hooks are not run (app.shutdown sends the stop signal, then SIGKILL after the grace period)",
    "imagePullPolicy": "parity uses the image present on this machine",
    "workingDir": "no profile key: the image's WORKDIR is used",
    "nodeSelector": "scheduling onto nodes: one Docker engine has no nodes to choose",
    "affinity": "scheduling onto nodes: one Docker engine has no nodes to choose",
    "tolerations": "scheduling onto nodes: one Docker engine has no nodes to choose",
    "topologySpreadConstraints": "scheduling onto nodes: one Docker engine has no nodes to choose",
    "priorityClassName": "scheduling priority: nothing competes for the engine",
    "serviceAccountName": "no Kubernetes API here for the pod to call",
    "automountServiceAccountToken": "no Kubernetes API here for the pod to call",
    "imagePullSecrets": "parity uses the image present on this machine",
    "hostAliases": "no profile key for /etc/hosts entries",
    "dnsPolicy": "containers resolve each other on parity's own network",
    "fsGroup": "volume group ownership: parity's mounts are readable by any uid",
    "runAsNonRoot": "a check the kubelet makes; app.user sets the uid parity runs the app as",
    "allowPrivilegeEscalation": "no profile key (parity never grants extra privileges)",
    "capabilities": "no profile key for Linux capabilities",
    "privileged": "parity never runs the app privileged",
    "seccompProfile": "the engine's default seccomp profile applies",
    "volumeClaimTemplates": "persistent volumes: the app's disk in parity is its container's",
    "resources.requests": "requests place the pod on a node; only limits cap the container",
}
_DEFAULT_REASON = "no profile key for it"
# Fields that only give the workload its shape (no behaviour of the app's).
_STRUCTURE = {"containers", "initContainers", "volumes", "securityContext", "terminationGracePeriodSeconds",
              "name", "image", "ports", "env", "envFrom", "resources", "startupProbe", "command", "args",
              "volumeMounts"}


@dataclass(frozen=True)
class Selection:
    """Which workload and container to read when the input has several."""

    container: str | None = None
    workload: str | None = None  # NAME or KIND/NAME


@dataclass(frozen=True)
class Workload:
    """A Deployment, StatefulSet or Pod found in the input, and where its pod spec lives."""

    kind: str
    name: str
    document: Document
    file: Path

    @property
    def pod_path(self) -> str:
        """The pod spec's field path in the document."""
        return "spec" if self.kind == "Pod" else "spec.template.spec"

    @property
    def pod(self) -> Document:
        """The pod spec."""
        return mapping_at(self.document, *self.pod_path.split("."))

    @property
    def ref(self) -> str:
        """KIND/NAME, as kubectl names it."""
        return f"{self.kind}/{self.name}"


def import_k8s(paths: Iterable[Path], selection: Selection) -> ManifestMapping:
    """Read the workload (and its app container) in the files into profile keys."""
    paths = list(paths)
    documents = read_documents(paths)
    workload = _select_workload(documents, selection, paths)
    container = _select_container(workload, selection.container)
    others = [doc for _, doc in documents]
    return WorkloadReader(workload, container, others).read()


def _select_workload(documents: list[tuple[Path, Document]], selection: Selection, paths: list[Path]) -> Workload:
    workloads = [Workload(str(doc["kind"]), str(mapping_at(doc, "metadata").get("name", "?")), doc, file)
                 for file, doc in documents if doc.get("kind") in WORKLOAD_KINDS]
    names = ", ".join(str(p) for p in paths)
    if not workloads:
        kinds = sorted({str(doc["kind"]) for _, doc in documents if "kind" in doc})
        found = f" (found: {', '.join(kinds)})" if kinds else " (it holds no Kubernetes objects)"
        raise ProfileError(f"no Deployment, StatefulSet or Pod in {names}{found}",
                           "pass the manifest of the app's workload (helm template ..., kustomize build ...)")
    if selection.workload:
        chosen = [w for w in workloads if selection.workload in (w.name, w.ref)]
        if not chosen:
            raise ProfileError(f"no workload {selection.workload!r} in {names}",
                               f"pass --workload with one of: {', '.join(w.ref for w in workloads)}")
        workloads = chosen
    if selection.container and len(workloads) > 1:
        workloads = [w for w in workloads if selection.container in _container_names(w)] or workloads
    if len(workloads) > 1:
        raise ProfileError(f"{names} holds several workloads: {', '.join(w.ref for w in workloads)}",
                           "pass --workload NAME to say which one runs the app")
    return workloads[0]


def _container_names(workload: Workload) -> list[str]:
    return [str(c.get("name", "")) for c in list_at(workload.pod, "containers")]


def _select_container(workload: Workload, name: str | None) -> Document:
    containers = list_at(workload.pod, "containers")
    names = _container_names(workload)
    if not containers:
        raise ProfileError(f"{workload.ref} has no containers", "pass a workload whose pod runs the app")
    if name is not None:
        for container in containers:
            if container.get("name") == name:
                return container
        raise ProfileError(f"{workload.ref} has no container {name!r}",
                           f"pass --container with one of: {', '.join(names)}")
    if len(containers) > 1:
        raise ProfileError(f"{workload.ref} runs several containers: {', '.join(names)}",
                           f"pass --container NAME to say which one is the app (e.g. --container {names[0]})")
    return containers[0]


class WorkloadReader:
    """One workload's app container read into a ManifestMapping."""

    def __init__(self, workload: Workload, container: Document, documents: list[Document]) -> None:
        """`documents`: everything in the input, for the Secrets and ConfigMaps the pod refers to."""
        self.workload = workload
        self.container = container
        self.name = str(container.get("name", "app"))
        self.at = f"{workload.pod_path}.containers[{self.name}]"
        self.documents = documents
        self.result = ManifestMapping(origin=f"{workload.ref}, container {self.name} ({workload.file})")
        self.secrets = SecretNames(self.result)

    def read(self) -> ManifestMapping:
        """Map every field of the container, its pod and its workload."""
        self._image_and_command()
        self._ports_and_probe()
        self._resources()
        self._security()
        self._env()
        self._volumes()
        self._pod()
        self._workload()
        self._leftover(self.container, self.at, _STRUCTURE)
        self.secrets.finish()
        return self.result

    def _image_and_command(self) -> None:
        c, add = self.container, self.result.add
        if c.get("image"):
            add("app.image", str(c["image"]), f"{self.at}.image")
        command = [str(x) for x in sequence(c.get("command"))] + [str(x) for x in sequence(c.get("args"))]
        if command:
            fields = "command + args" if c.get("command") and c.get("args") else "command" if c.get("command") else "args"
            add("app.command", command, f"{self.at}.{fields}")
        if c.get("command"):
            self.result.skip(f"{self.at}.command", "Kubernetes' command replaces the image's ENTRYPOINT; app.command "
                             "replaces its CMD: if the image has an ENTRYPOINT, check app.command")

    def _ports_and_probe(self) -> None:
        ports = list_at(self.container, "ports")
        self.port_names = {str(p["name"]): whole(p["containerPort"], f"{self.at}.ports[{p['name']}]")
                           for p in ports if "name" in p and "containerPort" in p}
        self.port = (whole(ports[0]["containerPort"], f"{self.at}.ports[0].containerPort")
                     if ports and "containerPort" in ports[0] else None)
        if self.port is not None:
            self.result.add("app.port", self.port, f"{self.at}.ports[0].containerPort")
        for extra in ports[1:]:
            self.result.skip(f"{self.at}.ports[{extra.get('name', extra.get('containerPort'))}]",
                             "parity publishes the app's port (and the startup probe's) only")
        probe = mapping_at(self.container, "startupProbe")
        if probe:
            self._startup_probe(probe, f"{self.at}.startupProbe")

    def _startup_probe(self, probe: Document, at: str) -> None:
        add = self.result.add
        port: object = None
        if "httpGet" in probe:
            get = mapping_at(probe, "httpGet")
            add("app.startup_probe.http", str(get.get("path", "/")), f"{at}.httpGet.path")
            port = get.get("port")
            if str(get.get("scheme", "HTTP")).upper() != "HTTP" or get.get("httpHeaders"):
                self.result.skip(f"{at}.httpGet", "parity probes over plain HTTP without extra headers")
        elif "tcpSocket" in probe:
            add("app.startup_probe.tcp", True, f"{at}.tcpSocket")
            port = mapping_at(probe, "tcpSocket").get("port")
        elif "exec" in probe:
            add("app.startup_probe.exec", [str(x) for x in sequence(mapping_at(probe, "exec").get("command"))],
                f"{at}.exec.command")
        else:
            self.result.skip(at, "only httpGet, tcpSocket and exec probes have profile keys")
            return
        # The kubelet's defaults are parity's: written out so drift compares what actually runs.
        for field, key, default in (("initialDelaySeconds", "initial_delay", 0), ("periodSeconds", "period", 10),
                                    ("timeoutSeconds", "timeout", 1)):
            seconds = float(whole(probe.get(field, default), f"{at}.{field}"))
            add(f"app.startup_probe.{key}", seconds, f"{at}.{field}" + ("" if field in probe else f" (default {default})"),
                written=f"{seconds:g}s")
        add("app.startup_probe.failure_threshold", whole(probe.get("failureThreshold", 3), f"{at}.failureThreshold"),
            f"{at}.failureThreshold" + ("" if "failureThreshold" in probe else " (default 3)"))
        for field in sorted(set(probe) - {"httpGet", "tcpSocket", "exec", "initialDelaySeconds", "periodSeconds",
                                          "timeoutSeconds", "failureThreshold"}):
            self.result.skip(f"{at}.{field}", "a startup probe succeeds once in parity (successThreshold 1)")
        if port is None:
            return
        number = self.port_names.get(str(port)) if not str(port).isdigit() else int(str(port))
        if number is None:
            self.result.skip(f"{at} port {port}", "a named port the container does not declare")
        else:
            # On the app's own port the key stays unset (its default is app.port).
            add("app.startup_probe.port", number if number != self.port else None, f"{at} port {port}")

    def _resources(self) -> None:
        at = f"{self.at}.resources"
        limits = mapping_at(self.container, "resources", "limits")
        for field, value in limits.items():
            try:
                if field == "memory":
                    size = k8s_memory(value)
                    self.result.add("app.memory", size, f"{at}.limits.memory: {value}", written=size_written(size))
                elif field == "cpu":
                    self.result.add("app.cpus", k8s_cpus(value), f"{at}.limits.cpu: {value}")
                else:
                    self.result.skip(f"{at}.limits.{field}", "only memory and cpu limits have profile keys")
            except QuantityError as exc:
                raise ProfileError(f"{self.workload.ref}: {at}.limits.{field}: {exc}",
                                   "write a Kubernetes quantity: 512Mi, 4G, 500m, 2") from None
        # No limit is a fact too: a profile that caps the app where production does not has drifted.
        for field, key in (("memory", "app.memory"), ("cpu", "app.cpus")):
            if field not in limits:
                self.result.add(key, None, f"{at}.limits.{field} absent: no limit")
        if mapping_at(self.container, "resources", "requests"):
            self.result.skip(f"{at}.requests", _REASONS["resources.requests"])

    def _security(self) -> None:
        pod_context = mapping_at(self.workload.pod, "securityContext")
        context = mapping_at(self.container, "securityContext")
        pod_at, at = f"{self.workload.pod_path}.securityContext", f"{self.at}.securityContext"
        if "readOnlyRootFilesystem" in context:
            self.result.add("app.read_only", bool(context["readOnlyRootFilesystem"]), f"{at}.readOnlyRootFilesystem")
        # The container's runAsUser/runAsGroup win over the pod's, as the kubelet applies them.
        user, user_at = (context, at) if "runAsUser" in context else (pod_context, pod_at)
        group, group_at = (context, at) if "runAsGroup" in context else (pod_context, pod_at)
        if "runAsUser" in user:
            uid = str(user["runAsUser"])
            if "runAsGroup" in group:
                self.result.add("app.user", f"{uid}:{group['runAsGroup']}",
                                f"{user_at}.runAsUser, {group_at}.runAsGroup")
            else:
                self.result.add("app.user", uid, f"{user_at}.runAsUser")
        handled = {"readOnlyRootFilesystem", "runAsUser", "runAsGroup"}
        for field in sorted(set(context) - handled):
            self.result.skip(f"{at}.{field}", _REASONS.get(field, _DEFAULT_REASON))
        for field in sorted(set(pod_context) - handled):
            self.result.skip(f"{pod_at}.{field}", _REASONS.get(field, _DEFAULT_REASON))

    def _env(self) -> None:
        for item in list_at(self.container, "env"):
            name = str(item.get("name", ""))
            at = f"{self.at}.env[{name}]"
            source = mapping_at(item, "valueFrom")
            if not source:
                self._plain_env(name, "" if item.get("value") is None else str(item["value"]), f"{at}.value")
            elif "secretKeyRef" in source:
                ref = mapping_at(source, "secretKeyRef")
                origin = f"{at}.valueFrom.secretKeyRef {ref.get('name')}/{ref.get('key')}"
                if not self.result.supply(name, origin):
                    self.secrets.add(name, "env", origin)
            elif "configMapKeyRef" in source:
                ref = mapping_at(source, "configMapKeyRef")
                data = self._data("ConfigMap", str(ref.get("name")))
                origin = f"{at}.valueFrom.configMapKeyRef {ref.get('name')}/{ref.get('key')}"
                if data is not None and str(ref.get("key")) in data:
                    self._plain_env(name, str(data[str(ref.get("key"))]), origin)
                elif not self.result.supply(name, origin):
                    self.result.skip(at, f"ConfigMap {ref.get('name')} is not in the input: pass it too")
            elif not self.result.supply(name, at):
                self.result.skip(at, "the downward API (pod name, IP, limits) has no value outside a cluster")
        for index, item in enumerate(list_at(self.container, "envFrom")):
            self._env_from(item, f"{self.at}.envFrom[{index}]")

    def _plain_env(self, name: str, value: str, origin: str) -> None:
        if self.result.supply(name, origin):
            return
        if looks_secret(name):
            self.secrets.add(name, "env", f"{origin} (its name says secret: value not copied)")
        else:
            self.result.add(("app", "env", name), value, origin)

    def _env_from(self, item: Document, at: str) -> None:
        prefix = str(item.get("prefix", ""))
        for kind, field in (("Secret", "secretRef"), ("ConfigMap", "configMapRef")):
            if field not in item:
                continue
            ref_name = str(mapping_at(item, field).get("name"))
            keys = self._data(kind, ref_name)
            if keys is None:
                self.result.skip(at, f"{kind} {ref_name} is not in the input: its keys are the variables' names")
                return
            for key, value in keys.items():
                origin = f"{at}.{field} {ref_name}/{key}"
                if kind == "ConfigMap":
                    self._plain_env(prefix + key, str(value), origin)
                elif not self.result.supply(prefix + key, origin):
                    self.secrets.add(prefix + key, "env", origin)

    def _data(self, kind: str, name: str) -> dict[str, object] | None:
        """A Secret's keys (values left alone) or a ConfigMap's data, when it is in the input."""
        for doc in self.documents:
            if doc.get("kind") == kind and mapping_at(doc, "metadata").get("name") == name:
                return {**mapping_at(doc, "data"), **mapping_at(doc, "stringData")}
        return None

    def _volumes(self) -> None:
        volumes = {str(v.get("name")): v for v in list_at(self.workload.pod, "volumes")}
        tmpfs: list[str] = []
        for mount in list_at(self.container, "volumeMounts"):
            path, volume_name = str(mount.get("mountPath")), str(mount.get("name"))
            volume = volumes.get(volume_name, {})
            at = f"{self.at}.volumeMounts[{volume_name}]"
            if "emptyDir" in volume:
                tmpfs.append(path)
            elif "secret" in volume and not mount.get("subPath"):
                self._secret_volume(mapping_at(volume, "secret"), path, at)
            else:
                claims = [str(mapping_at(c, "metadata").get("name")) for c in list_at(self.workload.document, "spec",
                                                                                      "volumeClaimTemplates")]
                kind = next((k for k in volume if k != "name"),
                            "volumeClaimTemplates" if volume_name in claims else "undeclared")
                self.result.skip(f"{at} at {path}", f"volume kind {kind}" + (", mounted by subPath" if mount.get("subPath") else "")
                                 + ": only emptyDir (app.tmpfs) and secret volumes (secrets) have profile keys")
        if tmpfs:
            self.result.add("app.tmpfs", tmpfs, f"{self.at}.volumeMounts of emptyDir volumes")

    def _secret_volume(self, secret: Document, path: str, at: str) -> None:
        name = str(secret.get("secretName"))
        items = list_at(secret, "items")
        files = [str(i.get("path")) for i in items] if items else list(self._data("Secret", name) or {})
        if not files:
            self.result.skip(at, f"secret volume {name}: its file names are the Secret's keys, and Secret {name} "
                             "is not in the input (pass it too, or list items)")
            return
        for file in files:
            if "/" in file:
                self.result.skip(f"{at} {file}", "a file in a subdirectory of the secret volume")
            elif not self.result.supply(file, f"{at} {name}/{file}", via="files"):
                self.secrets.add(file, "files", f"{at}: Secret {name}, file {file}", path=path)

    def _pod(self) -> None:
        pod, at = self.workload.pod, self.workload.pod_path
        if "terminationGracePeriodSeconds" in pod:
            seconds = float(whole(pod["terminationGracePeriodSeconds"], f"{at}.terminationGracePeriodSeconds"))
            self.result.add("app.shutdown.termination_grace_period", seconds, f"{at}.terminationGracePeriodSeconds",
                            written=f"{seconds:g}s")
        for container in list_at(pod, "containers"):
            if container is not self.container:
                self.result.skip(f"{at}.containers[{container.get('name')}]",
                                 "a sidecar: parity runs the app's container alone")
        for init in list_at(pod, "initContainers"):
            self._init_container(init, f"{at}.initContainers[{init.get('name')}]")
        self._migration_jobs()
        self._leftover(pod, at, _STRUCTURE)

    def _init_container(self, init: Document, at: str) -> None:
        if not self._migration(init, at, "before it starts"):
            self.result.skip(at, "an init container that does not migrate: parity starts the app once the "
                             "database is ready and migrated")

    def _migration(self, container: Document, at: str, when: str) -> bool:
        """Map a container that runs a migration tool to migrations.command; whether it does."""
        command = [str(x) for x in sequence(container.get("command"))] + [str(x) for x in sequence(container.get("args"))]
        if not command or not (_MIGRATES.search(" ".join(command)) or _MIGRATES.search(str(container.get("name", "")))):
            return False
        if self.result.has("migrations.command"):
            self.result.skip(at, "a second migrating container: migrations.command takes one")
            return True
        self.result.add("migrations.command", command, f"{at}.command + args")
        self.result.add("migrations.run_in", "app", f"{at} (runs from the app's image, {when})")
        if container.get("image") != self.container.get("image"):
            self.result.skip(f"{at}.image", "parity runs the migrations from the app's image")
        return True

    def _migration_jobs(self) -> None:
        """A Job in the input that migrates, as charts run one before an upgrade (a helm.sh/hook)."""
        for doc in self.documents:
            if doc.get("kind") != "Job":
                continue
            hook = mapping_at(doc, "metadata", "annotations").get("helm.sh/hook")
            name = f"Job/{mapping_at(doc, 'metadata').get('name')}"
            for container in list_at(doc, "spec", "template", "spec", "containers"):
                at = f"{name} spec.template.spec.containers[{container.get('name')}]"
                if not self._migration(container, at, f"as the {hook} hook" if hook else "as a Job"):
                    self.result.skip(name, "a Job that does not migrate: parity runs the app's own steps only")

    def _workload(self) -> None:
        workload = self.workload
        if workload.kind == "Pod":
            return
        spec = mapping_at(workload.document, "spec")
        replicas = whole(spec["replicas"], f"{workload.ref} spec.replicas") if spec.get("replicas") is not None else 1
        source = "spec.replicas" + ("" if "replicas" in spec else " (default 1)")
        # One replica is one container with no balancer in front: app.replicas stays unset.
        self.result.add("app.replicas", replicas if replicas > 1 else None, f"{source}: {replicas}")
        strategy_field = "strategy" if workload.kind == "Deployment" else "updateStrategy"
        strategy = mapping_at(spec, strategy_field)
        kind = str(strategy.get("type", "RollingUpdate"))
        rolls = kind == "RollingUpdate" and replicas > 1
        self.result.add("app.rollout", rolls, f"spec.{strategy_field}.type: {kind}"
                        + ("" if "type" in strategy else " (the default)")
                        + ("" if replicas > 1 or kind != "RollingUpdate" else ", but one replica"))
        if mapping_at(strategy, "rollingUpdate"):
            self.result.skip(f"spec.{strategy_field}.rollingUpdate",
                             "parity replaces one replica at a time (maxSurge 1, maxUnavailable 0)")
        self._leftover(spec, "spec", {"replicas", "strategy", "updateStrategy", "template", "selector", "serviceName"})
        for doc in self.documents:
            target = mapping_at(doc, "spec", "scaleTargetRef")
            if doc.get("kind") == "HorizontalPodAutoscaler" and (target.get("kind"), target.get("name")) == (
                    workload.kind, workload.name):
                spec_at = f"HorizontalPodAutoscaler/{mapping_at(doc, 'metadata').get('name')}"
                self.result.skip(spec_at, f"replicas vary from {mapping_at(doc, 'spec').get('minReplicas', 1)} to "
                                 f"{mapping_at(doc, 'spec').get('maxReplicas')} under load; app.replicas takes spec.replicas")

    def _leftover(self, fields: Document, at: str, handled: set[str]) -> None:
        for field in fields:
            if field not in handled:
                self.result.skip(f"{at}.{field}", _REASONS.get(field, _DEFAULT_REASON))

