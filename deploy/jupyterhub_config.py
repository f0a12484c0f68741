"""JupyterHub for one class of the LSTM course on one server (deploy/README.md explains each part).

Run as root, in the course's environment (the one with ``pip install ".[instructor,hub]"``)::

    jupyterhub -f deploy/jupyterhub_config.py

Who is in the class comes from two files of user names (one per line, ``#`` comments allowed),
which must be Unix accounts of the server (the students' logins are their Unix passwords, PAM):

- ``/etc/lstm-course/instructors`` (default ``instructor``): graders; in ``formgrade-<course>``
  and ``nbgrader-<course>``; the first runs the formgrader service from ``~/course``;
- ``/etc/lstm-course/students``: students; in ``nbgrader-<course>``.

Every setting that differs between a real class and the end-to-end test
(tests/hub/test_hub_class.py) is an environment variable read below, with the real class's
value as its default. Nothing else is different in the test.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

DEPLOY = Path(__file__).resolve().parent
REPO = DEPLOY.parent
#: The course's environment: every user's server and the formgrader run its programs (by default
#: the hub's own environment; TLJH keeps users' Python apart, in /opt/tljh/user/bin).
BIN = Path(os.environ.get("COURSE_HUB_USER_BIN") or Path(sys.executable).parent)
#: Only the class (groups, roles, servers' environment, formgrader), for a hub configured elsewhere
#: (deploy/tljh/lstm-course.py): leave out the address, state, proxy and spawner command below.
CLASS_ONLY = os.environ.get("COURSE_HUB_CLASS_ONLY") == "1"
COURSE = os.environ.get("COURSE_ID", "lstm-course")
CLASS_DIR = Path(os.environ.get("COURSE_HUB_CLASS", "/etc/lstm-course"))
STATE_DIR = Path(os.environ.get("COURSE_HUB_STATE", "/srv/jupyterhub"))
EXCHANGE = os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange")


def _names(path: Path, default: list[str]) -> list[str]:
    if not path.is_file():
        return default
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


INSTRUCTORS = _names(CLASS_DIR / "instructors", ["instructor"])
STUDENTS = _names(CLASS_DIR / "students", [])

if not CLASS_ONLY:
    # --- Network: the hub's public address (put TLS in front of it, e.g. with nginx or TLJH's https).
    c.JupyterHub.ip = os.environ.get("COURSE_HUB_IP", "")
    c.JupyterHub.port = int(os.environ.get("COURSE_HUB_PORT", "8000"))
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = int(os.environ.get("COURSE_HUB_API_PORT", "8081"))
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('COURSE_HUB_PROXY_API_PORT', '8001')}"
    # configurable-http-proxy (npm) from deploy/proxy (`make hub-proxy`), else the one on PATH
    _proxy = os.environ.get("COURSE_HUB_PROXY") or str(DEPLOY / "proxy" / "node_modules" / ".bin"
                                                      / "configurable-http-proxy")
    if Path(_proxy).is_file():
        c.ConfigurableHTTPProxy.command = [_proxy]

    # --- State: the hub's database and cookie secret, readable by root only.
    STATE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    c.JupyterHub.db_url = f"sqlite:///{STATE_DIR / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(STATE_DIR / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(STATE_DIR / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.pid_file = str(STATE_DIR / "proxy.pid")

# --- Who may log in: the class lists, with their Unix passwords (PAM, the default authenticator).
c.Authenticator.allowed_users = set(INSTRUCTORS) | set(STUDENTS)
if not CLASS_ONLY:
    c.Authenticator.admin_users = set()  # nobody can open another user's server
c.JupyterHub.load_groups = {
    # nbgrader finds a user's courses from these two group names (nbgrader.auth.JupyterHubAuthPlugin)
    f"formgrade-{COURSE}": {"users": INSTRUCTORS},
    f"nbgrader-{COURSE}": {"users": INSTRUCTORS + STUDENTS},
}
c.JupyterHub.load_roles = [
    # the formgrader service opens for the course's graders only
    {"name": f"formgrade-{COURSE}", "groups": [f"formgrade-{COURSE}"],
     "scopes": [f"access:services!service={COURSE}"]},
    # the Assignments tab asks the hub which courses the user is in
    {"name": f"nbgrader-{COURSE}", "groups": [f"nbgrader-{COURSE}"],
     "scopes": ["list:services", f"read:services!service={COURSE}"]},
    # a user's server acts with its owner's rights (to read the owner's groups), no more
    {"name": "server", "scopes": ["inherit"]},
    # the formgrader service reads user names and groups (to list the course to its graders)
    {"name": f"formgrader-{COURSE}", "services": [COURSE],
     "scopes": ["read:users:name", "read:users:groups"]},
]

# --- Every user's server: JupyterLab from the course's environment, as the user's Unix account.
if not CLASS_ONLY:
    c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
# A student's server: at most this much memory and CPU (deploy/SIZING.md, full-size lessons).
# LocalProcessSpawner does not enforce them; systemdspawner (TLJH) and Kubernetes do.
c.Spawner.mem_limit = os.environ.get("COURSE_HUB_MEM_LIMIT", "2.75G")
c.Spawner.cpu_limit = float(os.environ.get("COURSE_HUB_CPU_LIMIT", "2"))
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 180

_STUDENT_CONFIG = f"{REPO / 'tools' / 'jupyter' / 'learner'}{os.pathsep}{DEPLOY / 'jupyter'}"
_INSTRUCTOR_CONFIG = str(DEPLOY / "jupyter")
_PASSED_ON = ("COURSE_FAST", "TF_CPP_MIN_LOG_LEVEL")


def _environment(spawner) -> None:  # noqa: ANN001 (a jupyterhub Spawner)
    """Each server's environment: the course's programs, nbgrader's exchange, the user's plugins.

    Students get the learner's Jupyter configuration (tools/jupyter/learner: no formgrader, no
    create-assignment, no course list) before the class's (deploy/jupyter: the exchange).
    """
    name = spawner.user.name
    env = spawner.environment
    env["PATH"] = f"{BIN}{os.pathsep}/usr/local/bin{os.pathsep}/usr/bin{os.pathsep}/bin"
    env["COURSE_EXCHANGE"] = EXCHANGE
    env["COURSE_ID"] = COURSE
    env["JUPYTER_CONFIG_PATH"] = _INSTRUCTOR_CONFIG if name in INSTRUCTORS else _STUDENT_CONFIG
    for key in _PASSED_ON:
        if key in os.environ:
            env[key] = os.environ[key]


c.Spawner.pre_spawn_hook = _environment

# --- The formgrader: the first instructor's JupyterLab on the course folder, as a hub service
# at /services/<course>/, open to formgrade-<course> only (the role above).
# (TLJH names the Unix account of hub user NAME "jupyter-NAME": COURSE_HUB_UNIX_PREFIX=jupyter-)
_grader = os.environ.get("COURSE_HUB_UNIX_PREFIX", "") + INSTRUCTORS[0]
c.JupyterHub.services = [{
    "name": COURSE,
    "url": f"http://127.0.0.1:{os.environ.get('COURSE_HUB_FORMGRADER_PORT', '9999')}",
    "command": [str(BIN / "jupyterhub-singleuser"), f"--ServerApp.root_dir=~{_grader}/course"],
    "user": _grader,
    "cwd": os.path.expanduser(f"~{_grader}/course"),
    "oauth_no_confirm": True,
    "environment": {
        "JUPYTERHUB_DEFAULT_URL": "/lab/tree/formgrader",
        "PATH": f"{BIN}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "COURSE_EXCHANGE": EXCHANGE,
        "JUPYTER_CONFIG_PATH": _INSTRUCTOR_CONFIG,
    },
}]
# JupyterHub (>= 4.1) sends `Content-Security-Policy: frame-ancestors 'none'` from every server on
# the hub's origin, so that no page on the hub can frame another user's server. The formgrader's
# JupyterLab panel is such a frame: with this safe default the instructor opens the formgrader in
# its own browser tab (/services/<course>/formgrader). deploy/README.md says why allowing
# `frame-ancestors 'self'` on a shared origin would let a student's page frame the grader's server.

# --- Idle servers stop after an hour (the culler is a separate package: jupyterhub-idle-culler;
# TLJH and Zero to JupyterHub ship it). Not installed here: servers of a one-server class stay up.
