from django.core.exceptions import ValidationError


def apply_errors(exc: ValidationError, *forms) -> None:
    """Put a service's refusal next to the fields it names, or at the top of the first form."""
    forms = [f for f in forms if f is not None]
    if not forms:
        return
    if not hasattr(exc, "error_dict"):
        forms[0].add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        target = next((f for f in forms if field in f.fields), None)
        if target is None:
            forms[0].add_error(None, errors)
        else:
            target.add_error(field, errors)
