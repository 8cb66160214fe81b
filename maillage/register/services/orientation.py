"""What follows a call, by the level of the phone grid (guide VISA, « Orienter les personnes en
fonction de leurs besoins », and « Après un premier appel d'évaluation, des appels de vigilance ou de
convivialité »).

Level 1: regular contact; 2: isolated — regular contact (friendly calls) and orientation; 3: as 2,
and putting the person in touch with the CLIC, DAC or APA team (a task); 4: emergency (escalated by
`calls.call_record_outcome`). During a crisis, a worrying situation gets watch calls (daily).
"""

import datetime

from maillage.core.models import User
from maillage.register.enums import CallPurpose, CallStatus
from maillage.register.models import Call


def plan_follow_ups(*, call: Call, actor: User, now: datetime.datetime) -> list[Call]:
    """Schedule what the call's level asks for; returns the calls created."""
    level = call.fragility_level
    if level is None or level < 2:
        return []
    crisis = call.campaign.crisis
    if crisis is not None and crisis.is_in_progress:
        purpose, delay = CallPurpose.WATCH, datetime.timedelta(days=1)
    else:
        purpose, delay = CallPurpose.FRIENDLY, datetime.timedelta(days=7)
    follow = Call.objects.create(
        campaign=call.campaign,
        entry=call.entry,
        person=call.person,
        purpose=purpose,
        status=CallStatus.ASSIGNED if call.outcome_by_id else CallStatus.TO_DO,
        assigned_to_id=call.outcome_by_id,
        assigned_at=now if call.outcome_by_id else None,
        due_at=now + delay,
        follows=call,
    )
    return [follow]
