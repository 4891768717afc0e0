from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from .models import Job, Notification


@login_required
def job_list(request):
    jobs = Job.objects.visible_to(request.user).select_related("created_by")
    page_obj = Paginator(jobs, 20).get_page(request.GET.get("page"))
    return render(request, "core/job_list.html", {"page_obj": page_obj, "nav_active": "jobs"})


@login_required
def job_detail(request, job_pk):
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=job_pk)
    return render(request, "core/job_detail.html", {"job": job, "nav_active": "jobs"})


@login_required
def job_progress(request, job_pk):
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=job_pk)
    refresh = request.GET.get("refresh") == "1"
    return render(request, "core/_job_progress.html", {"job": job, "hx_refresh_on_finish": refresh})


@login_required
def notifications(request):
    items = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        items.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("notifications")
    page_obj = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page_obj": page_obj, "nav_active": "notifications"})
