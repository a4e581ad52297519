"""Django's own messages that its Dutch catalogue (Django 5.2) lacks, so a Dutch page would show them in English:
listed here so `make messages` extracts them and our catalogues translate them (LOCALE_PATHS come before
Django's). Delete an entry once Django's Dutch catalogue has it."""

from django.utils.translation import gettext_noop, ngettext_lazy

# The apostrophes are Django’s own (U+2019): the message ids must match them exactly.
MISSING_IN_DJANGOS_DUTCH = [
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
]
