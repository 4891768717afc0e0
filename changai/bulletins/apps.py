from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "changai.bulletins"
    label = "bulletins"
    verbose_name = "专报"
