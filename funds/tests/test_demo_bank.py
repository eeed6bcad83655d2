"""The demo's bank step: verified accounts, one sent batch with one return, idempotent."""

from __future__ import annotations

import pytest

from core.models import User
from funds import demo, selectors, services
from funds.bank_selectors import payees_without_account, returned_to_act_on
from funds.models import BankBatch, PayeeAccount, Payment
from members import demo as members_demo
from orgs import demo as orgs_demo
from programmes import demo as programmes_demo

pytestmark = pytest.mark.django_db


def test_demo_sends_one_batch_with_a_return():
    orgs_demo.build_tree()
    orgs_demo.build_accounts()
    members_demo.build({"members": 400})
    programmes_demo.build({"members": 400})
    line = demo.build({})
    assert "退回 1 笔" in line, line
    batch = BankBatch.objects.get()
    assert batch.state == BankBatch.State.RECONCILED and batch.count == 6
    assert PayeeAccount.objects.filter(status=PayeeAccount.Status.VERIFIED).exists()
    assert not PayeeAccount.objects.exclude(status=PayeeAccount.Status.VERIFIED).exists()
    returned = Payment.objects.get(status=Payment.Status.RETURNED)
    assert returned.return_reason == demo.RETURN_REASON
    caiwu = User.objects.get(username="caiwu")
    assert list(returned_to_act_on(caiwu)) == [returned]
    assert payees_without_account(caiwu).count() == 2
    confirmed = Payment.objects.filter(status=Payment.Status.CONFIRMED)
    assert confirmed.count() == 5
    assert selectors.account_balance(services.payable_account()) == sum(
        p.amount for p in Payment.objects.filter(status=Payment.Status.APPROVED)
    )
    assert "已存在" in demo.build({})
    assert BankBatch.objects.count() == 1
