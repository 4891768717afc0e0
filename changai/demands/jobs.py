from changai.core.jobs import job_handler, start_job

from . import services


def schedule_supervision(user=None):
    return start_job("demands.supervise", "诉求办理每日巡查", user=user)


@job_handler("demands.supervise")
def run_supervision(job):
    return services.supervise()
