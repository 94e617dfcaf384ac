from __future__ import annotations

from rest_framework import serializers

from accounts.models import User


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=User._meta.get_field("email").max_length)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=User._meta.get_field("language").choices, required=False)


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name", "language", "desired_retention", "new_cards_per_day", "date_joined"]
        read_only_fields = ["id", "email", "date_joined"]


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()
