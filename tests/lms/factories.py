from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

import factory
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lms.accounts.roles import Role

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Faker("name", locale="zh_CN")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """roles=[Role.X, …]; without it, the factory's default roles."""
        if not create:
            return
        factory_roles = extracted if extracted is not None else kwargs.get("default", ())
        for role in factory_roles:
            self.groups.add(Group.objects.get(name=role))
        self.save()


class WorkerUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"w1390000{n:04d}")
    phone = factory.Sequence(lambda n: f"1390000{n:04d}")
    roles__default = (Role.WORKER,)


class StaffUserFactory(UserFactory):
    is_staff = True
    roles__default = (Role.REVIEWER,)


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(StaffUserFactory)
    name = "authenticator"
    confirmed = True


def give_backup_codes(user, codes=("12345678",)):
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="backup", defaults={"confirmed": True}
    )
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device
