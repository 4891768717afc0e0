"""Bulletin records at a secret org, for the URL walk of changai/tests/test_authorization.py."""

from datetime import date

from django.core.files.base import ContentFile
from django.utils import timezone

from changai.bulletins.models import Article, Issue, IssueVersion, Item, ItemEvent, ItemFile, Series


def secrets(secret) -> tuple[dict, list]:
    org, name = secret.org, secret.name
    series = Series.objects.create(
        org=org, name=f"{name}专报", header=f"{name}秘密 专报", issuing_office=f"{name}产改办", start_year=2026
    )
    signed = Issue.objects.create(
        series=series,
        title=f"{name}秘密专报",
        status=Issue.Status.SIGNED,
        year=2026,
        number=1,
        total_number=1,
        issue_date=date(2026, 1, 5),
        signed_at=timezone.now(),
        docx=ContentFile(f"PK\x03\x04 {name}".encode(), name="secret.docx"),
        pdf=ContentFile(f"%PDF-1.4 {name}".encode(), name="secret.pdf"),
        search_text=name,
    )
    article = Article.objects.create(
        issue=signed, kind=Article.Kind.INFO, title=f"{name}秘密信息", body="秘密", source=name, source_org=org
    )
    IssueVersion.objects.create(
        issue=signed, number=1, note=f"{name}签发", snapshot={"title": name}, author=secret.user
    )
    draft = Issue.objects.create(series=series, title=f"{name}秘密草稿", search_text=name)
    item = Item.objects.create(
        series=series, org=org, title=f"{name}秘密投稿", body="秘密", source=name, submitted_by=secret.user
    )
    ItemEvent.objects.create(item=item, text=f"{name}投稿", actor=secret.user)
    attachment = ItemFile.objects.create(
        item=item, file=ContentFile(f"%PDF-1.4 {name}".encode(), name="secret.pdf"), name=f"{name}.pdf", size=12
    )
    values = {
        "bulletin_pk": signed.pk,
        "bulletin_article_pk": article.pk,
        "bulletin_series_pk": series.pk,
        "bulletin_item_pk": item.pk,
        "bulletin_file_pk": attachment.pk,
    }
    return values, [series, signed, draft, item]
