"""The shape of every API error, for the OpenAPI schema (core.api.errors writes it)."""

from __future__ import annotations

from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    """The shape of every API error."""

    error = ErrorDetailSerializer()
