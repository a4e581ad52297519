"""What accounts tells the rest of the house, without importing it (the audit trail listens)."""

from django.dispatch import Signal

# sender: the user's class; kwargs: user, request, and for changes the names of the fields that changed.
account_changed = Signal()
password_changed = Signal()
password_reset_requested = Signal()  # kwargs: email, request (the account may not exist: nobody is told)
