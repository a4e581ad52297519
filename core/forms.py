from django.forms.renderers import TemplatesSetting


class PlannerFormRenderer(TemplatesSetting):
    """Every form, Django's auth forms included, renders with the NL Design System markup."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
