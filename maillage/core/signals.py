"""Signals core sends to the other apps (core depends on none of them)."""

from django.dispatch import Signal

#: Sent after `territories.load_territories` created or updated territories (a commune may have
#: changed EPCI): apps keeping data derived from territories rebuild it. No arguments.
territories_loaded = Signal()
