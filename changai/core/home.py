from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from changai.accounts.scope import root_orgs
from changai.dashboards.views import dashboard
from changai.orgs.services import subtree_counts


@login_required
def home(request):
    """The dashboard of the user's scope; a plain overview for accounts that may not read figures."""
    if request.user.has_perm("indicators.view_indicator"):
        return dashboard(request, nav_active="home")
    roots = list(root_orgs(request.user)[:20])
    counts = subtree_counts(roots)
    for org in roots:
        org.counts = counts[org.pk]
    return render(request, "home.html", {"roots": roots, "nav_active": "home"})
