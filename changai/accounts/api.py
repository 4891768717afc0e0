from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Membership, User


class MembershipSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name")
    role_label = serializers.CharField(source="get_role_display")

    class Meta:
        model = Membership
        fields = ["id", "org", "org_name", "role", "role_label", "title", "valid_from", "valid_to"]


class MeSerializer(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "memberships", "permissions"]

    def get_memberships(self, user) -> list[dict]:
        return MembershipSerializer(user.active_memberships(), many=True).data

    def get_permissions(self, user) -> list[str]:
        return sorted(user.get_all_permissions())


class MeView(APIView):
    """The signed-in user, their active memberships and permissions."""

    serializer_class = MeSerializer

    def get(self, request):
        return Response(MeSerializer(request.user).data)
