from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("数据共享")

    def ready(self):
        # Refusals raised by the partner auth (before an operation runs) are answered as
        # problem details by the shared API; the exam and verify answers keep theirs.
        from lms.api import api

        from .auth import answer_problem
        from .problems import PartnerProblem

        api.add_exception_handler(PartnerProblem, answer_problem)
