"""Policies built through the services, so the checks, receipts, notifications and timeline are exercised."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from changai.policies import services

BODY = "一、支持企业开展职工技能等级自主评价。\n二、对新取得高级工以上证书的一线职工给予补贴。"


def draft(cast, user="jiangyin", issuer=None, **extra):
    """A draft to every enterprise below the issuer (江阴市 by default), as its office would write it."""
    fields = {
        "title": "关于支持产业工人技能提升的若干措施",
        "doc_number": "澄产改办〔2025〕5号",
        "body": BODY,
        "effective_from": date(2025, 1, 1),
        "target_kinds": ["enterprise"],
    }
    fields.update(extra)
    return services.create_policy(cast.users[user], issuer=issuer or cast.jiangyin, **fields)


def published(cast, user="jiangyin", issuer=None, **extra):
    policy = draft(cast, user, issuer, **extra)
    return services.publish_policy(cast.users[user], policy)


def pdf(name="实施细则.pdf", content=b"%PDF-1.4 test document"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def receipt_orgs(policy) -> set[str]:
    return set(policy.receipts.values_list("org__name", flat=True))
