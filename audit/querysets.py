from django.db.models import Q


def filter_entries(
    entries, *, action="", subject_type="", subject_id="", actor="", since=None, until=None
):
    """The auditor's filters over the log (reads only)."""
    if action:
        entries = entries.filter(action=action)
    if subject_type:
        entries = entries.filter(subject_type=subject_type)
    if subject_id:
        entries = entries.filter(subject_id=subject_id)
    if actor:
        entries = entries.filter(
            Q(actor_id=int(actor)) if actor.isdigit() else Q(actor__email__iexact=actor)
        )
    if since:
        entries = entries.filter(recorded_at__gte=since)
    if until:
        entries = entries.filter(recorded_at__lt=until)
    return entries
