import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changai.settings")

app = Celery("changai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
