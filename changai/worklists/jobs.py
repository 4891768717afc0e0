from changai.core.jobs import job_handler, start_job

from . import services


def schedule_supervision(user=None):
    return start_job("worklists.supervise", "每日督办巡查", user=user)


@job_handler("worklists.supervise")
def run_supervision(job):
    return services.supervise()
