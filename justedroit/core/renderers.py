"""Web layer: the one form renderer. Every form, whatever the page calls (`{{ form }}`,
`form.as_p`, `form.as_div`, a single field's `as_field_group`), is drawn by the shared templates
core/forms/form.html and core/forms/field.html: an error summary at the top whose links lead to
the fields, then each field with its label, help text and its own error just above the input
(`aria-describedby` and `aria-invalid` link them for screen readers)."""

from django.forms.renderers import DjangoTemplates

FORM_TEMPLATE = "core/forms/form.html"
FIELD_TEMPLATE = "core/forms/field.html"
# Django's layouts a page may still ask for by name: they all become the shared one.
SHARED = {
    f"django/forms/{layout}.html": FORM_TEMPLATE for layout in ("div", "p", "table", "ul")
} | {"django/forms/field.html": FIELD_TEMPLATE}


class FormRenderer(DjangoTemplates):
    form_template_name = FORM_TEMPLATE
    field_template_name = FIELD_TEMPLATE

    def get_template(self, template_name):
        return super().get_template(SHARED.get(template_name, template_name))
