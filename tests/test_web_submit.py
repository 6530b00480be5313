"""The one way a view sends its form to a service (core.web.submit_form) and runs a button's
action (core.web.submit_action): the service's refusal lands on the form or in an error message,
nothing is said or answered unless it wrote."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory

from justedroit.core.web import submit_action, submit_form


class NameForm(forms.Form):
    name = forms.CharField(label="Nom")


def request_of(method: str, data: dict | None = None):
    request = getattr(RequestFactory(), method)("/", data or {})
    request._messages = CookieStorage(request)
    return request


def said(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def refused(data):
    raise ValidationError("Ce nom est déjà pris.")


def send(request, form, write, **kwargs):
    return submit_form(
        request,
        form,
        write,
        said=lambda name: f"{name} enregistré.",
        then=lambda name: HttpResponse(name),
        **kwargs,
    )


def test_a_written_form_says_what_was_written_and_answers():
    request = request_of("post", {"name": "Léa"})
    response = send(request, NameForm(request.POST), lambda data: data["name"].upper())
    assert response.content.decode() == "LÉA"
    assert said(request) == [("success", "LÉA enregistré.")]


def test_nothing_is_written_on_a_get_or_an_invalid_form():
    written = []
    for request, data in ((request_of("get"), {"name": "Léa"}), (request_of("post"), {})):
        assert send(request, NameForm(data), written.append) is None
        assert said(request) == []
    assert written == []


def test_the_service_s_refusal_lands_on_the_form_or_on_the_field_named():
    request = request_of("post", {"name": "Léa"})
    form = NameForm(request.POST)
    assert send(request, form, refused) is None
    assert form.non_field_errors() == ["Ce nom est déjà pris."]
    assert said(request) == []
    form = NameForm(request.POST)
    assert send(request, form, refused, error_field="name") is None
    assert form.errors == {"name": ["Ce nom est déjà pris."]}


def test_a_button_s_action_says_its_result_or_its_refusal():
    request = request_of("post")
    assert submit_action(request, lambda: 3, said=lambda n: f"{n} tâches closes.")
    assert not submit_action(request, lambda: refused({}), said=lambda _: "jamais dit")
    assert said(request) == [("success", "3 tâches closes."), ("error", "Ce nom est déjà pris.")]
