"""Background tasks of the register (Django's task API, django-tasks backport).

`schedule_sponsored_calls` runs daily (`manage.py register_daily`, from the scheduler): the next
friendly call of every running sponsorship that has none open (services.sponsorships).
"""

from django_tasks import task


@task()
def schedule_sponsored_calls() -> int:
    from maillage.register.services.sponsorships import sponsorship_schedule_calls

    return sponsorship_schedule_calls()
