"""The access policy: the one place that decides who may see or do what (house style).

One package, one module per domain; everything is read as ``from maillage.core import access`` then
``access.<rule>``. `base` holds the roles, permissions and the core's own rules.
"""

from maillage.core.access.api_keys import *  # noqa: F403
from maillage.core.access.base import *  # noqa: F403
from maillage.core.access.casework import *  # noqa: F403
from maillage.core.access.directory import *  # noqa: F403
from maillage.core.access.grants import *  # noqa: F403
from maillage.core.access.people import *  # noqa: F403
from maillage.core.access.referrals import *  # noqa: F403
from maillage.core.access.register import *  # noqa: F403
from maillage.core.access.sponsorships import *  # noqa: F403
from maillage.core.access.volunteers import *  # noqa: F403
from maillage.core.enums import Role  # noqa: F401
