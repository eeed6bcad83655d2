"""Issue 10.4: credit codes normalised everywhere (half-width, upper case, no spaces), unique among
active unions, matched by the tax file the same way."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from core.validators import normalize_credit_code
from orgs.models import Organisation
from orgs.services import organisation_close, organisation_create, organisation_update
from programmes.services import dues_import

pytestmark = pytest.mark.django_db
K = Organisation.Kind

ASCII = "91350100M000100Y43"  # 北京顺鑫物流有限公司 in the test district (firm_a)
OTHER = "91110113MA01E9XA1B"


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def _valid_other() -> str:
    from core.validators import credit_code_check_char

    return OTHER[:17] + credit_code_check_char(OTHER[:17])


def test_one_normal_form():
    assert normalize_credit_code(full_width(ASCII.lower())) == ASCII
    assert normalize_credit_code(" 9135 0100\u3000M000 100Y 43 ") == ASCII
    assert normalize_credit_code(None) == ""


def test_service_stores_the_normalised_code(district):
    code = _valid_other()
    org = organisation_create(
        actor=district.user("town_a"),
        parent=district.town_a,
        name="顺义新材料公司工会",
        kind=K.ENTERPRISE,
        credit_code=full_width(code.lower()),
    )
    org.refresh_from_db()
    assert org.credit_code == code
    # lookups compare the normal form too
    assert Organisation.objects.get(credit_code=full_width(code)) == org


def test_second_active_union_of_one_enterprise_is_refused_with_a_clear_message(district):
    with pytest.raises(ValidationError) as exc:
        organisation_create(
            actor=district.user("town_a"),
            parent=district.town_a,
            name="顺鑫物流第二工会",
            kind=K.ENTERPRISE,
            credit_code=full_width(ASCII),
        )
    message = "；".join(exc.value.messages)
    assert f"统一社会信用代码 {ASCII} 已登记在“北京顺鑫物流有限公司工会”" in message
    assert "同一单位只能有一个正常状态的工会" in message
    assert not Organisation.objects.filter(name="顺鑫物流第二工会").exists()
    # An officer who may not see the other union is told it exists, not where it is.
    with pytest.raises(ValidationError) as exc:
        organisation_create(
            actor=district.user("town_b"),
            parent=district.town_b,
            name="顺鑫物流后沙峪工会",
            kind=K.ENTERPRISE,
            credit_code=ASCII,
        )
    message = "；".join(exc.value.messages)
    assert "不在您管理范围内" in message and "北京顺鑫物流" not in message
    # Editing another union to the same code is refused the same way.
    with pytest.raises(ValidationError):
        organisation_update(
            actor=district.user("town_a"), organisation=district.union_a, data={"credit_code": full_width(ASCII)}
        )


def test_code_of_a_closed_union_may_be_registered_again(district):
    from datetime import date

    organisation_close(
        actor=district.user("admin"), organisation=district.firm_a, closed_on=date(2026, 1, 5), reason="注销"
    )
    again = organisation_create(
        actor=district.user("town_a"),
        parent=district.town_a,
        name="顺鑫物流新工会",
        kind=K.ENTERPRISE,
        credit_code=ASCII,
    )
    assert again.credit_code == ASCII


def test_form_normalises_and_names_the_duplicate(client, district):
    client.force_login(district.user("town_a"))
    url = reverse("orgs:create", args=[district.town_a.code])
    dup = client.post(url, {"name": "顺鑫物流第二工会", "kind": K.ENTERPRISE, "credit_code": full_width(ASCII)})
    assert dup.status_code == 200
    assert "已登记在“北京顺鑫物流有限公司工会”" in dup.content.decode()
    assert not Organisation.objects.filter(name="顺鑫物流第二工会").exists()
    code = _valid_other()
    spaced = " ".join(code[i : i + 4] for i in range(0, 18, 4))  # 22 characters as pasted
    ok = client.post(url, {"name": "顺义新材料公司工会", "kind": K.ENTERPRISE, "credit_code": full_width(spaced)})
    assert ok.status_code == 302, ok.content.decode()
    assert Organisation.objects.get(name="顺义新材料公司工会").credit_code == code


def test_tax_file_ascii_row_matches_a_union_typed_full_width(district):
    code = _valid_other()
    org = organisation_create(
        actor=None, parent=district.town_a, name="顺义新材料公司工会", kind=K.ENTERPRISE, credit_code=full_width(code)
    )
    content = f"统一社会信用代码,单位名称,年度,工资总额,已缴工会经费\n{code},顺义新材料有限公司,2026,100000,2000\n"
    result = dues_import(
        actor=district.user("finance"), district=district.root, filename="2026.csv", content=content.encode()
    )
    assert result.ok and result.matched == 1 and result.unmatched == []
    assert org.dues.get().year == 2026


def _migration():
    return importlib.import_module("orgs.migrations.0003_credit_code_normalised")


def _store_raw(org: Organisation, code: str) -> None:
    # As rows were stored before the fix (the field normalises every write now).
    with connection.cursor() as cur:
        cur.execute("UPDATE orgs_organisation SET credit_code = %s WHERE id = %s", [code, org.pk])


def test_data_migration_normalises_stored_codes(district):
    code = _valid_other()
    _store_raw(district.union_a, full_width(code.lower()))
    _migration().normalise_codes(apps, None)
    assert Organisation.objects.values_list("credit_code", flat=True).get(pk=district.union_a.pk) == code


def test_data_migration_stops_and_names_two_active_unions_of_one_code(district):
    _store_raw(district.union_a, full_width(ASCII))
    with pytest.raises(RuntimeError) as exc:
        _migration().normalise_codes(apps, None)
    assert "沙坨村工会联合会" in str(exc.value) and "北京顺鑫物流有限公司工会" in str(exc.value)
