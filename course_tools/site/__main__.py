"""``python -m course_tools.site`` is ``course site``."""
import sys

from .build import main

sys.exit(main())
