"""What the settings tests share: the ministry's admin's client and a person's membership."""

from html.parser import HTMLParser

from accounts.models import Membership


def membership_of(world, persona, organisation=None) -> Membership:
    user = world.people[persona] if isinstance(persona, str) else persona
    return Membership.objects.get(user=user, organisation=organisation or world.ministry)


def admin_client(world, client_for):
    return client_for(world.people["org_admin"])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


class _Fields(HTMLParser):
    """The ids of a page's form fields (not hidden ones) and of what its labels are for."""

    def __init__(self):
        super().__init__()
        self.fields, self.labelled = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.fields.append(attrs.get("id"))
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])


def unlabelled_fields(html: str) -> list:
    """Form fields without a visible <label for=…> (what axe found in the admin's inlines)."""
    parser = _Fields()
    parser.feed(html)
    return [field for field in parser.fields if field not in parser.labelled]
