"""Every form is drawn by the shared templates (core/forms/): a summary of the errors at the top,
linked to the fields, and each field's error between its label and its input, tied to the input
for screen readers — whatever a page calls (`{{ form }}`, `as_p`, `as_div`)."""

import re

import pytest
from django import forms
from django.urls import reverse

from justedroit.core.forms import AuditFilterForm
from justedroit.core.roles import Role
from justedroit.entitlements.forms import RecomputeForm


def test_the_error_sits_between_the_label_and_the_input_of_its_own_field():
    form = AuditFilterForm({"household_number": "12", "date_from": "1999-01-01"})
    assert not form.is_valid()
    page = str(form)
    label = page.index('<label for="id_household_number"')
    error = page.index('id="id_household_number_error"')
    field = page.index('<input type="text" name="household_number"')
    assert label < error < field
    assert page.index('<label for="id_date_from"') > field  # not under the previous field
    tag = re.search(r'<input type="text" name="household_number"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in tag and 'aria-describedby="id_household_number_error"' in tag


def test_the_summary_comes_first_and_links_each_error_to_its_field():
    form = RecomputeForm({"first_month": "2022-07", "last_month": "2022-06", "reason": ""})
    assert not form.is_valid()
    page = form.as_p()
    summary = page.index('class="error-summary"')
    assert summary < page.index("<label")
    assert "Le formulaire contient 2 erreurs" in page
    assert '<a href="#id_reason">Motif : Ce champ est obligatoire.</a>' in page
    assert "Le mois de fin précède le mois de début." in page  # the form's own error, listed


@pytest.mark.parametrize("layout", ["as_p", "as_div", "as_table", "as_ul"])
def test_every_layout_a_page_asks_for_is_the_shared_one(layout):
    form = RecomputeForm({})
    form.is_valid()
    assert getattr(form, layout)() == str(form)


def test_a_valid_form_shows_no_summary():
    class Simple(forms.Form):
        name = forms.CharField(label="Nom")

    form = Simple({"name": "Léa"})
    assert form.is_valid() and "error" not in str(form)


@pytest.mark.django_db
def test_a_page_shows_the_form_s_own_error_once(client, make_user):
    """The shared renderer lists the form's own errors: a page printing them too said it twice."""
    client.force_login(make_user(Role.DATA_PROTECTION_OFFICER))
    response = client.post(reverse("data_protection:subject_export"), {"format": "html"})
    assert response.status_code == 400
    assert response.content.decode().count("Indiquez un NIR ou un numéro allocataire.") == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        ("quality:supervision", {"form": "plan"}, "id_agent"),
        ("reception:planning_closures", {"site": "poitiers"}, "id_reason"),
    ],
)
def test_pages_that_drew_their_fields_by_hand_use_the_shared_renderer(
    client, make_user, url, data, field
):
    """The quality pages looped over their fields, reception's planning pages had a renderer of
    their own: both now give the shared summary and the error beside its field."""
    client.force_login(make_user(Role.MANAGER))
    page = client.post(reverse(url), data).content.decode()
    assert page.index('class="error-summary"') < page.index(f'<label for="{field}"')
    assert f'<a href="#{field}">' in page and f'id="{field}_error"' in page
