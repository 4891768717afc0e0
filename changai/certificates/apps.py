from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "changai.certificates"
    label = "certificates"
    verbose_name = "技能等级证书"
