"""Jupyter Server settings for every user of the class's hub (deploy/jupyterhub_config.py).

The hub puts this folder on each server's JUPYTER_CONFIG_PATH.
"""
c = get_config()  # noqa: F821 (provided by Jupyter Server when it loads this file)

# A JupyterLab terminal runs an interactive, non-login bash: it keeps the PATH the hub gave the
# server (the course's environment first), which a login shell would reset from /etc/profile,
# so that `nbgrader` and `python` in a terminal are the course's.
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash", "-i"]}
