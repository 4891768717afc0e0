from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from changai.accounts.scope import root_orgs
from changai.orgs.services import subtree_counts


@login_required
def home(request):
    roots = list(root_orgs(request.user)[:20])
    counts = subtree_counts(roots)
    for org in roots:
        org.counts = counts[org.pk]
    return render(request, "home.html", {"roots": roots, "nav_active": "home"})
