from __future__ import annotations

from datetime import date

import factory

from members import fake
from members.models import Membership, Person
from members.services import id_index, mobile_index


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        n = factory.Sequence(lambda i: 1000 + i)

    # A name is a name (the importer refuses digits): 测试零零一二 rather than 测试0012.
    name = factory.Sequence(
        lambda i: "测试" + f"{i:04d}".translate(str.maketrans("0123456789", "零一二三四五六七八九"))
    )
    id_number = factory.LazyAttribute(lambda o: fake.id_number(o.n))
    id_number_index = factory.LazyAttribute(lambda o: id_index(o.id_number))
    sex = factory.LazyAttribute(lambda o: "M" if int(o.id_number[16]) % 2 else "F")
    birth_date = factory.LazyAttribute(
        lambda o: date(int(o.id_number[6:10]), int(o.id_number[10:12]), int(o.id_number[12:14]))
    )
    mobile = factory.LazyAttribute(lambda o: fake.mobile(o.n))
    mobile_index = factory.LazyAttribute(lambda o: mobile_index(o.mobile))
    address = "北京市顺义区仁和镇沙坨村1号"


class MembershipFactory(factory.django.DjangoModelFactory):
    """A person with one active membership; pass organisation=…"""

    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory, organisation=factory.SelfAttribute("..organisation"))
    member_no = factory.Sequence(lambda i: f"M{i:07d}")
    joined_on = date(2020, 1, 1)


def member(organisation, **person_fields) -> Membership:
    return MembershipFactory(organisation=organisation, **{f"person__{k}": v for k, v in person_fields.items()})
