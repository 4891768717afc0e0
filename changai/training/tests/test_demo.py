import random
from datetime import date

from changai.careers.demo import load_demo_careers
from changai.careers.models import CareerMove, TitleApplication
from changai.certificates.models import Level
from changai.training.demo import load_demo_training
from changai.training.models import Attendance, EducationUpgrade, Enrolment, ScholarshipPayment, TrainingClass
from changai.training.tests.factories import certificate, worker


def test_the_demo_loaders_run_on_the_demo_workers_once(cast):
    assert load_demo_training(random.Random(2026)) == 0  # no workers yet: nothing to show
    people = [worker(cast.jiangyin_firm if n % 2 else cast.line_firm, grade="技能三级") for n in range(40)]
    for person in people[:20]:
        certificate(person, Level.SENIOR, date(2018, 5, 1))
    person_times = load_demo_training(random.Random(2026))
    assert person_times == Attendance.objects.count() > 0
    assert TrainingClass.objects.count() == 4
    assert Enrolment.objects.filter(completed=True).exists()
    assert EducationUpgrade.objects.exists() and ScholarshipPayment.objects.exists()
    assert load_demo_training(random.Random(2026)) == 0
    made = load_demo_careers(random.Random(2026))
    assert made == CareerMove.objects.count() + TitleApplication.objects.count() > 0
    assert TitleApplication.objects.exists()
    assert load_demo_careers(random.Random(2026)) == 0
