"""deploy/: the hub configuration a class uses, read as JupyterHub reads it (no hub started).

tests/hub runs the one-server configuration for real; these check, in seconds, what it promises
for any class list: who is in which nbgrader group, what each role may do, students' plugins, and
that the TLJH snippet and the Kubernetes values say the same about the class.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def load_hub_config(path: Path, monkeypatch, tmp_path, **env: str) -> Config:
    """Execute a jupyterhub config file as JupyterHub does (``c = get_config()``)."""
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "instructors").write_text("prof  # the grader\n")
    (tmp_path / "class" / "students").write_text("ann\nbob\n\n")
    for key, value in {"COURSE_HUB_CLASS": str(tmp_path / "class"), "COURSE_HUB_STATE": str(tmp_path / "state"),
                       **env}.items():
        monkeypatch.setenv(key, value)
    config = Config()
    exec(compile(path.read_text(), str(path), "exec"), {"get_config": lambda: config, "__file__": str(path)})
    return config


def test_the_class_lists_make_the_groups_and_logins(monkeypatch, tmp_path):
    c = load_hub_config(DEPLOY / "jupyterhub_config.py", monkeypatch, tmp_path)
    assert c.Authenticator.allowed_users == {"prof", "ann", "bob"}
    assert c.Authenticator.admin_users == set(), "nobody may open another user's server"
    assert c.JupyterHub.load_groups == {"formgrade-lstm-course": {"users": ["prof"]},
                                        "nbgrader-lstm-course": {"users": ["prof", "ann", "bob"]}}
    roles = {role["name"]: role for role in c.JupyterHub.load_roles}
    assert roles["formgrade-lstm-course"]["scopes"] == ["access:services!service=lstm-course"]
    assert roles["formgrade-lstm-course"]["groups"] == ["formgrade-lstm-course"]
    assert not any("admin" in scope for role in roles.values() for scope in role["scopes"])
    assert (tmp_path / "state").stat().st_mode & 0o077 == 0, "the hub's secrets are root's alone"


def test_the_formgrader_service_runs_as_the_grader_in_the_course_folder(monkeypatch, tmp_path):
    c = load_hub_config(DEPLOY / "jupyterhub_config.py", monkeypatch, tmp_path)
    (service,) = c.JupyterHub.services
    assert service["name"] == "lstm-course" and service["user"] == "prof"
    assert service["cwd"] == os.path.expanduser("~prof/course")
    assert service["url"].startswith("http://127.0.0.1:")


class _Spawner:
    def __init__(self, name: str) -> None:
        self.user = type("User", (), {"name": name})()
        self.environment: dict[str, str] = {}


def test_students_get_the_learners_plugins_and_the_grader_the_instructors(monkeypatch, tmp_path):
    c = load_hub_config(DEPLOY / "jupyterhub_config.py", monkeypatch, tmp_path, COURSE_EXCHANGE="/x/exchange")
    student, grader = _Spawner("ann"), _Spawner("prof")
    c.Spawner.pre_spawn_hook(student)
    c.Spawner.pre_spawn_hook(grader)
    learner = str(ROOT / "tools" / "jupyter" / "learner")
    assert student.environment["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [learner, str(DEPLOY / "jupyter")]
    assert grader.environment["JUPYTER_CONFIG_PATH"] == str(DEPLOY / "jupyter")
    assert student.environment["COURSE_EXCHANGE"] == "/x/exchange"
    assert student.environment["PATH"].split(os.pathsep)[0] == str(Path(c.Spawner.cmd[0]).parent)


def test_the_tljh_snippet_adds_only_the_class(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_CHECKOUT", str(ROOT))
    # the snippet writes these into os.environ: set them here so that monkeypatch takes them away
    # again (once, left behind, they made a later hub of the same test process class-only)
    for key in ("COURSE_HUB_CLASS_ONLY", "COURSE_HUB_USER_BIN", "COURSE_HUB_UNIX_PREFIX"):
        monkeypatch.setenv(key, "")  # recorded as absent before: taken away at the end
        monkeypatch.delenv(key)
    c = load_hub_config(DEPLOY / "tljh" / "lstm-course.py", monkeypatch, tmp_path)
    assert "ip" not in c.JupyterHub and "cmd" not in c.Spawner, "TLJH keeps its own address and spawner"
    assert "admin_users" not in c.Authenticator, "TLJH's admins are left as tljh-config sets them"
    assert c.JupyterHub.load_groups["nbgrader-lstm-course"]["users"] == ["prof", "ann", "bob"]
    (service,) = c.JupyterHub.services
    assert service["user"] == "jupyter-prof" and service["command"][0] == "/opt/tljh/user/bin/jupyterhub-singleuser"


def test_kubernetes_values_keep_submissions_apart_and_mount_the_exchange():
    values = yaml.safe_load((DEPLOY / "z2jh-values.yaml").read_text())
    extra = values["hub"]["extraConfig"]["class"]
    assert "c.KubeSpawner.uid = _uid" in extra, "each user needs a uid of their own for nbgrader's exchange"
    assert values["hub"]["config"]["Authenticator"]["admin_users"] == []
    single = values["singleuser"]
    assert single["extraEnv"]["COURSE_EXCHANGE"] == "/srv/nbgrader/exchange"
    assert single["storage"]["extraVolumeMounts"][0]["mountPath"] == "/srv/nbgrader/exchange"
    assert single["memory"]["limit"] and single["cpu"]["limit"]
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "requirements/lock.txt" in dockerfile and "bubblewrap" in dockerfile


@pytest.mark.parametrize("name", ["jupyterhub_config.py", "tljh/lstm-course.py", "z2jh-values.yaml", "Dockerfile",
                                  "SIZING.md"])
def test_the_deployment_docs_explain_every_file(name):
    assert f"`{name}`" in (DEPLOY / "README.md").read_text() or name in (DEPLOY / "README.md").read_text()


def test_the_resource_settings_are_the_measured_ones():
    """deploy/SIZING.md (measured by `course sizing`) and the settings that use it agree."""
    import re

    sizing = (DEPLOY / "SIZING.md").read_text()
    full = {m[0]: m[1] for m in re.findall(r"^\| (memory\.guarantee|memory\.limit|cpu\.guarantee|cpu\.limit) "
                                           r"\| [^|]+ \| ([^|]+?) \|$", sizing, re.M)}
    assert len(full) == 4, "SIZING.md has the Kubernetes table of per-user settings"
    single = yaml.safe_load((DEPLOY / "z2jh-values.yaml").read_text())["singleuser"]
    assert {f"{k}.{v}": str(single[k][v]) for k in ("memory", "cpu") for v in ("guarantee", "limit")} == full
    config = (DEPLOY / "jupyterhub_config.py").read_text()
    assert f'"COURSE_HUB_MEM_LIMIT", "{full["memory.limit"]}"' in config
    assert f'"COURSE_HUB_CPU_LIMIT", "{full["cpu.limit"]}"' in config
    assert f"limits.memory {full['memory.limit']}" in (DEPLOY / "README.md").read_text()


def test_reading_the_tljh_snippet_leaves_the_environment_as_it_was():
    """Runs after the snippet's test in the same process (file order)."""
    assert not any(key.startswith("COURSE_HUB_") for key in os.environ)
