"""Bulletins through the API: series and issues to read (scoped like the pages), items to send and decide."""

from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from changai.api.services import call_service as _call
from changai.orgs.api import ScopedModelPermissions
from changai.orgs.models import Org

from . import permissions, services
from .models import Article, Issue, Item, Series


class SeriesSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = Series
        fields = [
            "id",
            "org",
            "org_name",
            "name",
            "header",
            "issuing_office",
            "report_to",
            "copy_to",
            "start_year",
            "issued_in_start_year",
            "issued_before",
            "accepts_items",
            "is_active",
        ]


class ArticleSerializer(serializers.ModelSerializer):
    # Plain strings: the choice sets would collide by name with other apps' in the schema.
    kind = serializers.CharField(read_only=True)
    source_org_name = serializers.CharField(source="source_org.name", default="", read_only=True)
    figures = serializers.SerializerMethodField(help_text="数据专栏的数据：签发后为定格的数据，草稿为实时汇总")

    class Meta:
        model = Article
        fields = [
            "id",
            "kind",
            "position",
            "title",
            "author",
            "body",
            "source",
            "source_org",
            "source_org_name",
            "item",
            "period",
            "indicator_codes",
            "top_n",
            "figures",
        ]

    def get_figures(self, article) -> dict | None:
        from .content import figures_for

        return figures_for(article) if article.kind == Article.Kind.FIGURES else None


class IssueSerializer(serializers.ModelSerializer):
    series_name = serializers.CharField(source="series.name", read_only=True)
    status = serializers.CharField(read_only=True)
    number_label = serializers.CharField(read_only=True)
    docx_url = serializers.SerializerMethodField()

    class Meta:
        model = Issue
        fields = [
            "id",
            "series",
            "series_name",
            "status",
            "title",
            "year",
            "number",
            "total_number",
            "number_label",
            "issue_date",
            "report_to",
            "copy_to",
            "signed_at",
            "docx_sha256",
            "docx_url",
        ]

    def get_docx_url(self, issue) -> str:
        return reverse("bulletins:issue_docx", kwargs={"bulletin_pk": issue.pk})


class IssueDetailSerializer(IssueSerializer):
    articles = ArticleSerializer(many=True, read_only=True)

    class Meta(IssueSerializer.Meta):
        fields = [*IssueSerializer.Meta.fields, "articles"]


class ItemSerializer(serializers.ModelSerializer):
    org = serializers.PrimaryKeyRelatedField(queryset=Org.objects.none(), help_text="投稿单位（本人所在单位）")
    series = serializers.PrimaryKeyRelatedField(queryset=Series.objects.none(), help_text="投往上级的专报系列")
    org_name = serializers.CharField(source="org.name", read_only=True)
    series_name = serializers.CharField(source="series.name", read_only=True)
    status = serializers.CharField(read_only=True)
    issue = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = [
            "id",
            "org",
            "org_name",
            "series",
            "series_name",
            "title",
            "body",
            "source",
            "status",
            "submitted_at",
            "decided_at",
            "decline_reason",
            "issue",
        ]
        read_only_fields = ["submitted_at", "decided_at", "decline_reason"]
        extra_kwargs = {"source": {"required": False, "allow_blank": True}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["org"].queryset = Org.objects.filter(pk__in=permissions.own_org_ids(request.user))
            self.fields["series"].queryset = Series.objects.open_to(request.user)

    def get_issue(self, item) -> int | None:
        article = getattr(item, "article", None)
        return article.issue_id if article else None


class DecideSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[("accept", "采用"), ("decline", "不采用")])
    issue = serializers.IntegerField(required=False, allow_null=True, help_text="编入的草稿；不填则新建一期草稿")
    title = serializers.CharField(required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True)
    source = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, help_text="不采用的原因（必填）")


class ViewToAct(ScopedModelPermissions):
    """The service function checks the finer rights: reading the model is enough to ask."""

    perms_map = {**ScopedModelPermissions.perms_map, "POST": ["%(app_label)s.view_%(model_name)s"]}


class SeriesViewSet(viewsets.ReadOnlyModelViewSet):
    """Bulletin series of the offices in scope and of the offices above the user's orgs."""

    serializer_class = SeriesSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["org", "accepts_items", "is_active"]
    search_fields = ["name", "header", "issuing_office"]

    def get_queryset(self):
        return Series.objects.visible_to(self.request.user).select_related("org").order_by("org__path", "pk")


class IssueViewSet(viewsets.ReadOnlyModelViewSet):
    """Signed issues in scope (and drafts of the user's own office), with their articles in the detail."""

    serializer_class = IssueSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["series", "year", "status"]
    search_fields = ["search_text"]

    def get_queryset(self):
        issues = Issue.objects.visible_to(self.request.user).select_related("series__org")
        if self.action == "retrieve":
            articles = Article.objects.select_related("source_org").order_by("position", "pk")
            issues = issues.prefetch_related(Prefetch("articles", queryset=articles))
        return issues.order_by("-signed_at", "-created_at", "-pk")

    def get_serializer_class(self):
        return IssueDetailSerializer if self.action == "retrieve" else IssueSerializer


class ItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Items sent up (投稿): a lower level sends them; the office of the series accepts or declines them."""

    serializer_class = ItemSerializer
    permission_classes = [ScopedModelPermissions]
    filterset_fields = ["series", "org", "status"]
    search_fields = ["title", "body", "org__name"]

    def get_queryset(self):
        return (
            Item.objects.visible_to(self.request.user)
            .select_related("org", "series")
            .prefetch_related("article")
            .order_by("-submitted_at", "-pk")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        org, series = data.pop("org"), data.pop("series")
        serializer.instance = _call(services.submit_item, self.request.user, org, series, **data)

    @extend_schema(request=DecideSerializer, responses=ItemSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ViewToAct])
    def decide(self, request, pk=None, format=None):
        item = self.get_object()
        payload = DecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if data["action"] == "decline":
            _call(services.decline_item, request.user, item, data.get("reason", ""))
        else:
            issue = None
            if data.get("issue"):
                issue = Issue.objects.visible_to(request.user).filter(pk=data["issue"]).first()
                if issue is None:
                    raise ApiValidationError({"issue": "找不到这期专报草稿。"})
            fields = {key: data.get(key, "") for key in ("title", "body", "source")}
            _call(services.accept_item, request.user, item, issue, **fields)
        item = self.get_queryset().get(pk=item.pk)
        return Response(ItemSerializer(item, context=self.get_serializer_context()).data)


ROUTES = [
    ("bulletin-series", SeriesViewSet, "bulletin-series"),
    ("bulletin-issues", IssueViewSet, "bulletin-issue"),
    ("bulletin-items", ItemViewSet, "bulletin-item"),
]
