"""The interface in Russian and Kazakh: the supplier registration page, a BIN error from the
form, and the plural forms of the catalogues (locale/ru, locale/kk)."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

REGISTER_URL = "suppliers:supplier-register"
WRONG_CHECK_DIGIT_BIN = "940140000386"  # the check digit should be 5


@pytest.fixture(autouse=True)
def _language_does_not_leak():
    """LocaleMiddleware activates the request's language for the whole thread and the test
    client never resets it, so a later test calling gettext would see Russian or Kazakh."""
    with translation.override(translation.get_language()):
        yield


def client_in(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def errors_of_field(html: str, field_id: str) -> str:
    match = re.search(
        rf'<ul class="errorlist" id="{re.escape(field_id)}_errors"[^>]*>(.*?)</ul>', html, re.S
    )
    return match.group(1) if match else ""


def test_supplier_register_page_renders_in_russian(db):
    response = client_in("ru").get(reverse(REGISTER_URL))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert "Регистрация компании в качестве поставщика" in html
    assert "БИН / ИИН" in html
    assert "Индивидуальный предприниматель" in html
    assert "Вы (администратор компании)" in html
    assert ">Зарегистрировать</button>" in html
    assert "Register a company as a supplier" not in html


def test_supplier_register_page_renders_in_kazakh(db):
    response = client_in("kk").get(reverse(REGISTER_URL))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="kk">' in html
    assert "Компанияны өнім беруші ретінде тіркеу" in html
    assert "БСН / ЖСН" in html
    assert "Жеке кәсіпкер" in html
    assert "Сіз (компания әкімшісі)" in html
    assert ">Тіркеу</button>" in html
    assert "Register a company as a supplier" not in html


def test_bin_check_digit_error_is_shown_in_russian(db):
    response = client_in("ru").post(
        reverse(REGISTER_URL),
        {
            "bin": WRONG_CHECK_DIGIT_BIN,
            "legal_name": "ТОО «Арал Фарма»",
            "region": "almaty_city",
            "address": "Алматы, пр. Абая, 10",
            "contact_email": "office@aralpharma.kz",
            "account-full_name": "Айгерим Нурлановна",
            "account-email": "founder@aralpharma.kz",
            "account-password": "violet-harbour-lantern-42",
        },
    )

    assert response.status_code == 200
    errors = errors_of_field(response.content.decode(), "id_bin")
    assert "Контрольная цифра (последняя цифра) должна быть 5, а не 6" in errors
    assert "check digit" not in errors


def test_plural_forms_follow_russian_and_kazakh_grammar():
    singular, plural = "%(counter)s supplier found.", "%(counter)s suppliers found."

    def found(language: str, n: int) -> str:
        with translation.override(language):
            return translation.ngettext(singular, plural, n) % {"counter": n}

    assert found("ru", 1) == "Найден 1 поставщик."
    assert found("ru", 3) == "Найдено 3 поставщика."
    assert found("ru", 5) == "Найдено 5 поставщиков."
    assert found("ru", 11) == "Найдено 11 поставщиков."
    assert found("ru", 21) == "Найден 21 поставщик."
    assert found("kk", 1) == "1 өнім беруші табылды."
    assert found("kk", 5) == "5 өнім беруші табылды."
