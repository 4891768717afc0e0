from django.contrib import admin

from .models import ImportBatch, Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "done", "total", "created_by", "created_at"]
    list_filter = ["status", "kind"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["filename", "importer_key", "status", "total_rows", "created_by", "created_at"]
    list_filter = ["status", "importer_key"]
