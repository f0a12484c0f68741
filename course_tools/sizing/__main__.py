"""``python -m course_tools.sizing``."""
import sys

from . import main

sys.exit(main())
