"""A learner's JupyterLab (`make lab`) shows none of nbgrader's instructor tools.

A learner install has no nbgrader at all; after `make test` the same .venv has it (the
`instructor` extra). `make lab` therefore starts JupyterLab with the Jupyter config folder
tools/jupyter/learner first on JUPYTER_CONFIG_PATH, which disables nbgrader's instructor lab
plugins (create assignment, formgrader, course list) and server extensions (formgrader, course
list), and leaves the student's pieces (assignment list, validate button, the menu that opens the
assignment list) enabled. `make instructor-lab` starts JupyterLab with everything.

Each check is made twice, with and without the folder, so that it fails if the folder stops
working. (test_setup.py also starts `make lab` and finds the formgrader's pages absent.)
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEARNER = ROOT / "tools" / "jupyter" / "learner"
BIN = Path(sys.executable).parent
INSTRUCTOR_PLUGINS = {"@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
                      "@jupyter/nbgrader:course-list"}
STUDENT_PLUGINS = {"@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:validate-assignment",
                   "@jupyter/nbgrader:menu"}
INSTRUCTOR_SERVER = {"nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"}
STUDENT_SERVER = {"nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.validate_assignment"}


def jupyter_env(tmp_path: Path, learner: bool) -> dict[str, str]:
    """The environment of a Jupyter command: no user config, the learner folder or none."""
    env = {key: value for key, value in os.environ.items() if key != "JUPYTER_CONFIG_PATH"}
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "user-config")  # keep ~/.jupyter out of it
    if learner:
        env["JUPYTER_CONFIG_PATH"] = str(LEARNER)
    return env


def test_the_disabled_plugins_are_nbgraders_own_ids():
    """The ids in page_config.json exist in the installed nbgrader (a rename would disable nothing)."""
    static = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader" / "static"
    code = "".join(path.read_text(errors="replace") for path in static.glob("*.js"))
    ids = set(re.findall(r'id:"(@jupyter/nbgrader:[\w-]+)"', code)) | set(
        re.findall(r'="(@jupyter/nbgrader:formgrader)"', code))
    assert INSTRUCTOR_PLUGINS | STUDENT_PLUGINS <= ids, ids
    page_config = json.loads((LEARNER / "labconfig" / "page_config.json").read_text())
    assert set(page_config["disabledExtensions"]) == INSTRUCTOR_PLUGINS
    server = json.loads((LEARNER / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"] == dict.fromkeys(INSTRUCTOR_SERVER, False)


def disabled_lab_plugins(tmp_path: Path, learner: bool) -> set[str]:
    """The plugins `jupyter labextension list` reports as disabled."""
    result = subprocess.run([str(BIN / "jupyter"), "labextension", "list"], env=jupyter_env(tmp_path, learner),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "@jupyter/nbgrader" in output, "nbgrader's lab extension is not installed here"
    section = output.split("Disabled extensions:")[1] if "Disabled extensions:" in output else ""
    return set(re.findall(r"@jupyter/nbgrader:[\w-]+", section))


def test_learner_lab_disables_nbgraders_instructor_plugins(tmp_path):
    assert disabled_lab_plugins(tmp_path, learner=True) == INSTRUCTOR_PLUGINS
    assert disabled_lab_plugins(tmp_path, learner=False) == set(), "without the folder, all are enabled"


SERVER_EXTENSIONS = """
import json
from jupyter_server.serverapp import ServerApp
app = ServerApp()
app.parse_command_line([])
app.load_config_file()
app.find_server_extensions()
print(json.dumps(dict(app.jpserver_extensions)))
"""


def server_extensions(tmp_path: Path, learner: bool) -> dict[str, bool]:
    """The server extensions a Jupyter server would enable, from the same config loading as
    ServerApp.initialize. (`jupyter server extension list` reads only the user, environment and
    system folders, never JUPYTER_CONFIG_PATH, so it cannot show the learner folder's effect.)"""
    result = subprocess.run([sys.executable, "-c", SERVER_EXTENSIONS], env=jupyter_env(tmp_path, learner),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_learner_lab_disables_nbgraders_instructor_server_extensions(tmp_path):
    learner = server_extensions(tmp_path, learner=True)
    assert {name: learner.get(name) for name in INSTRUCTOR_SERVER} == dict.fromkeys(INSTRUCTOR_SERVER, False)
    assert {name: learner.get(name) for name in STUDENT_SERVER} == dict.fromkeys(STUDENT_SERVER, True)
    assert learner.get("jupyterlab") is True
    everything = server_extensions(tmp_path, learner=False)
    assert {name: everything.get(name) for name in INSTRUCTOR_SERVER | STUDENT_SERVER} == dict.fromkeys(
        INSTRUCTOR_SERVER | STUDENT_SERVER, True), "without the folder, nbgrader's extensions are all enabled"


def make_n(target: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    result = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_lab_uses_the_learner_folder_and_instructor_lab_does_not():
    lab = make_n("lab")
    assert f'JUPYTER_CONFIG_PATH="{LEARNER}' in lab and "jupyter lab" in lab
    instructor = make_n("instructor-lab")
    assert "JUPYTER_CONFIG_PATH" not in instructor and "cd assignments" in instructor
    assert "jupyter lab" in instructor
