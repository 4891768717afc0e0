import random

from changai.workers import cleaning, pii
from changai.workers.demo import QIYE_WORKERS, load_demo_workers
from changai.workers.models import Worker


def test_demo_workers_have_valid_numbers_and_a_few_careers(cast):
    made = load_demo_workers(random.Random(2026))
    assert made > QIYE_WORKERS
    home = Worker.objects.filter(enterprise=cast.jiangyin_firm)
    assert QIYE_WORKERS - 1 <= home.count() <= QIYE_WORKERS + 2  # one left, up to two moved in
    for worker in Worker.objects.all()[:40]:
        assert cleaning.is_valid_id_number(pii.decrypt(worker.id_cipher))
    assert Worker.objects.filter(enterprise__isnull=True).count() == 1
    assert load_demo_workers(random.Random(2026)) == 0  # idempotent
