"""The class for The Littlest JupyterHub: copy to /opt/tljh/config/jupyterhub_config.d/lstm-course.py.

TLJH configures the hub itself (address, TLS, proxy, systemd spawner, user environment); this
file adds only the class part of deploy/jupyterhub_config.py (class lists, nbgrader's groups and
roles, every server's environment, the formgrader service), run from the course's checkout.
"""
import os
from pathlib import Path

os.environ["COURSE_HUB_CLASS_ONLY"] = "1"
os.environ.setdefault("COURSE_HUB_USER_BIN", "/opt/tljh/user/bin")  # TLJH's user environment
os.environ.setdefault("COURSE_HUB_UNIX_PREFIX", "jupyter-")  # TLJH's Unix account of hub user NAME
_CONFIG = Path(os.environ.get("COURSE_CHECKOUT", "/opt/lstm-course")) / "deploy" / "jupyterhub_config.py"
exec(compile(_CONFIG.read_text(), str(_CONFIG), "exec"), {**globals(), "__file__": str(_CONFIG)})  # noqa: S102
