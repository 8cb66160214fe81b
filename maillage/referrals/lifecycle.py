"""The referral's lifecycle as a table (issue 14, point 2): which change is allowed, from which state,
by which side. `services.referral_transition` reads it; nothing else decides.

    brouillon → envoyée → reçue → acceptée / refusée (motif) / réorientée (vers un autre service)
    acceptée → en cours → clôturée (issue) ; acceptée → clôturée (the person never came, or it was
    settled at once)
    the sender cancels at any point before closing, and before the partner has said no.
"""

from enum import StrEnum

from maillage.referrals.enums import ReferralStatus as S


class Side(StrEnum):
    SENDER = "sender"  # the organisation that orients the person
    RECEIVER = "receiver"  # the partner the referral is addressed to


TRANSITIONS: dict[tuple[S, S], Side] = {
    (S.DRAFT, S.SENT): Side.SENDER,
    (S.DRAFT, S.CANCELLED): Side.SENDER,
    (S.SENT, S.RECEIVED): Side.RECEIVER,
    (S.SENT, S.CANCELLED): Side.SENDER,
    (S.RECEIVED, S.ACCEPTED): Side.RECEIVER,
    (S.RECEIVED, S.DECLINED): Side.RECEIVER,
    (S.RECEIVED, S.REDIRECTED): Side.RECEIVER,
    (S.RECEIVED, S.CANCELLED): Side.SENDER,
    (S.ACCEPTED, S.IN_PROGRESS): Side.RECEIVER,
    (S.ACCEPTED, S.CLOSED): Side.RECEIVER,
    (S.ACCEPTED, S.CANCELLED): Side.SENDER,
    (S.IN_PROGRESS, S.CLOSED): Side.RECEIVER,
    (S.IN_PROGRESS, S.CANCELLED): Side.SENDER,
}

#: What the state's date field records when the referral enters it.
TIMESTAMP_FIELD = {
    S.SENT: "sent_at",
    S.RECEIVED: "received_at",
    S.ACCEPTED: "answered_at",
    S.DECLINED: "answered_at",
    S.REDIRECTED: "answered_at",
    S.IN_PROGRESS: "started_at",
    S.CLOSED: "ended_at",
    S.CANCELLED: "ended_at",
}

#: The change as an infinitive, for messages: « … peut accepter cette orientation ».
INFINITIVES = {
    S.DRAFT: "remettre en brouillon",
    S.SENT: "envoyer",
    S.RECEIVED: "marquer comme reçue",
    S.ACCEPTED: "accepter",
    S.DECLINED: "refuser",
    S.REDIRECTED: "réorienter",
    S.IN_PROGRESS: "commencer",
    S.CLOSED: "clôturer",
    S.CANCELLED: "annuler",
}

#: Where the referral stands, for messages: « Cette orientation a été clôturée ».
STATE_PHRASES = {
    S.DRAFT: "est encore un brouillon",
    S.SENT: "a été envoyée et n'est pas encore reçue",
    S.RECEIVED: "a été reçue et attend une réponse",
    S.ACCEPTED: "a été acceptée",
    S.DECLINED: "a été refusée",
    S.REDIRECTED: "a été réorientée",
    S.IN_PROGRESS: "est en cours",
    S.CLOSED: "a été clôturée",
    S.CANCELLED: "a été annulée",
}


def side_for(from_status: str, to_status: str) -> Side | None:
    """The side allowed to make this change, or None when the lifecycle does not allow it."""
    return TRANSITIONS.get((S(from_status), S(to_status)))


def allowed_next(status: str, side: Side) -> list[S]:
    """The states `side` may move a referral in `status` to (the buttons a page offers)."""
    return [to for (frm, to), who in TRANSITIONS.items() if frm == status and who == side]


def refusal_message(from_status: str, to_status: str, side: Side) -> str:
    """Why the change is refused, in French, for the person who tried."""
    verb = INFINITIVES[S(to_status)]
    allowed_side = side_for(from_status, to_status)
    if allowed_side is not None and allowed_side != side:
        if allowed_side == Side.SENDER:
            return f"Seule la structure qui a orienté la personne peut {verb} cette orientation."
        return f"Seul le partenaire à qui l'orientation est adressée peut {verb} cette orientation."
    pronoun = "l'" if verb[0] in "aeéiou" else "la "
    return f"Cette orientation {STATE_PHRASES[S(from_status)]} : on ne peut pas {pronoun}{verb}."
