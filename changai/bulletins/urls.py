from django.urls import path

from . import views

app_name = "bulletins"

urlpatterns = [
    path("", views.issue_list, name="list"),
    path("issues/new/", views.issue_create, name="issue_create"),
    path("issues/<int:bulletin_pk>/", views.issue_detail, name="issue_detail"),
    path("issues/<int:bulletin_pk>/edit/", views.issue_edit, name="issue_edit"),
    path("issues/<int:bulletin_pk>/articles/new/", views.article_create, name="article_create"),
    path("issues/<int:bulletin_pk>/articles/<int:bulletin_article_pk>/edit/", views.article_edit, name="article_edit"),
    path(
        "issues/<int:bulletin_pk>/articles/<int:bulletin_article_pk>/delete/",
        views.article_delete,
        name="article_delete",
    ),
    path("issues/<int:bulletin_pk>/articles/<int:bulletin_article_pk>/move/", views.article_move, name="article_move"),
    path("issues/<int:bulletin_pk>/review/", views.issue_review, name="issue_review"),
    path("issues/<int:bulletin_pk>/return/", views.issue_return, name="issue_return"),
    path("issues/<int:bulletin_pk>/sign/", views.issue_sign, name="issue_sign"),
    path("issues/<int:bulletin_pk>/docx/", views.issue_docx, name="issue_docx"),
    path("issues/<int:bulletin_pk>/pdf/", views.issue_pdf, name="issue_pdf"),
    path("issues/<int:bulletin_pk>/pdf/make/", views.issue_pdf_make, name="issue_pdf_make"),
    path("issues/<int:bulletin_pk>/versions/", views.issue_versions, name="issue_versions"),
    path("series/", views.series_list, name="series_list"),
    path("series/new/", views.series_create, name="series_create"),
    path("series/<int:bulletin_series_pk>/edit/", views.series_edit, name="series_edit"),
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:bulletin_item_pk>/", views.item_detail, name="item_detail"),
    path("items/<int:bulletin_item_pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:bulletin_item_pk>/withdraw/", views.item_withdraw, name="item_withdraw"),
    path("items/<int:bulletin_item_pk>/accept/", views.item_accept, name="item_accept"),
    path("items/<int:bulletin_item_pk>/decline/", views.item_decline, name="item_decline"),
    path("items/<int:bulletin_item_pk>/files/<int:bulletin_file_pk>/", views.item_file, name="item_file"),
]
