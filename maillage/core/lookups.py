"""`__in` on integer fields (ids) leaves out the values no column of the database could hold.

Django (≥ 5.0) answers « nothing » for `pk=10**30` (IntegerFieldOverflow), but not for
`pk__in=[10**30]`: SQLite raises OverflowError (a server error); PostgreSQL compares as numeric.
A list of ids from a request (ticked services, chosen ones) is filtered the same way here: an
impossible id matches nothing, the others still do.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            kept = [
                value
                for value in self.rhs
                if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
            ]
            if not kept and self.rhs:
                raise EmptyResultSet
            self.rhs = kept
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
