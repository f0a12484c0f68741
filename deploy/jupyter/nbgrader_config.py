"""nbgrader's settings for every user of the class's hub (deploy/jupyterhub_config.py).

The hub puts this folder on each server's JUPYTER_CONFIG_PATH; on a server of your own you may
instead copy this file to /etc/jupyter/nbgrader_config.py.
"""
import os

from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

# The course of the Assignments tab, and the shared folder that assignments, submissions and
# feedback pass through (created once by root: `install -d -m 1777 /srv/nbgrader/exchange`, deploy/README.md).
c.CourseDirectory.course_id = os.environ.get("COURSE_ID", "lstm-course")
c.Exchange.root = os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange")
# <exchange>/<course>/..., so that one hub can hold several courses
c.Exchange.path_includes_course = True
# A user's courses are the hub groups nbgrader-<course> (students) and formgrade-<course> (graders).
c.Authenticator.plugin_class = JupyterHubAuthPlugin
