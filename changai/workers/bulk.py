"""Writing many workers at once: COPY on PostgreSQL (encrypting as the rows stream), bulk_create elsewhere.

Used by the worker importer's write(), so a sheet uploaded on the web and the benchmark in
bench/worker_import.py go through exactly the same code. Nothing here checks rows: the importer
has validated them (and holds the transaction) before it calls these functions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import pii
from .models import Employment, Worker

COPY_MIN_ROWS = 2_000  # below this bulk_create is as quick and simpler
_NONCE_BYTES = pii._NONCE_BYTES


def uses_copy() -> bool:
    return connection.vendor == "postgresql"


# ---------------------------------------------------------------------------- keyed hash and encryption


def sealer() -> Callable[[str], str]:
    """pii.encrypt with the key and helpers bound once, for loops over many values."""
    seal, urandom, b64 = pii._aead(settings.PII_ENCRYPTION_KEY).encrypt, os.urandom, base64.b64encode

    def encrypt(plain: str) -> str:
        if not plain:
            return ""
        nonce = urandom(_NONCE_BYTES)
        return b64(nonce + seal(nonce, plain.encode(), None)).decode("ascii")

    return encrypt


def hash_all(numbers: Iterable[str]) -> list[str]:
    """pii.keyed_hash of many normalised numbers."""
    key, new, sha256 = pii._hash_key(settings.PII_HASH_KEY), hmac.new, hashlib.sha256
    return [new(key, number.encode(), sha256).hexdigest() for number in numbers]


# ---------------------------------------------------------------------------- inserting

WORKER_FIELDS = (
    "id",
    "name",
    "id_hash",
    "id_cipher",
    "id_masked",
    "gender",
    "birth_date",
    "phone_cipher",
    "phone_masked",
    "education",
    "political_status",
    "enterprise_id",
    "occupation_id",
    "frontline",
    "hired_on",
    "sequence",
    "grade",
    "created_at",
    "updated_at",
)
EMPLOYMENT_FIELDS = (
    "worker_id",
    "enterprise_id",
    "hired_on",
    "left_on",
    "occupation_id",
    "frontline",
    "sequence",
    "grade",
    "ended_by",
    "leave_reason",
)


def existing_by_hash(hashes: Sequence[str]) -> list[tuple]:
    """(id_hash, pk, name, enterprise_id, hired_on) of the workers already stored under these hashes."""
    if not hashes:
        return []
    if not uses_copy():
        found = []
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            found.extend(
                Worker.objects.filter(id_hash__in=chunk).values_list(
                    "id_hash", "pk", "name", "enterprise_id", "hired_on"
                )
            )
        return found
    found = []
    with connection.cursor() as cursor:
        for start in range(0, len(hashes), 200_000):
            cursor.execute(
                "SELECT id_hash, id, name, enterprise_id, hired_on FROM workers_worker WHERE id_hash = ANY(%s)",
                [list(hashes[start : start + 200_000])],
            )
            found.extend(cursor.fetchall())
    return found


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """COPY tuples into a table (PostgreSQL); values are adapted by psycopg's binary-free text protocol."""
    statement = f"COPY {connection.ops.quote_name(table)} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        write = copy.write_row
        for row in rows:
            write(row)


def update_objects(model, objects: list, fields: Sequence[str]) -> None:
    """Save these fields of many instances: on PostgreSQL through COPY into a temporary table and one
    UPDATE … FROM (Django's bulk_update builds a CASE per field and row, seconds per thousand rows)."""
    if not objects:
        return
    if not uses_copy() or len(objects) < 200:
        model.objects.bulk_update(objects, fields, batch_size=500)
        return
    columns = [model._meta.get_field(name).column for name in fields]
    table, quote = model._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        selected = ", ".join(["id", *map(quote, columns)])
        cursor.execute(
            f"CREATE TEMP TABLE bulk_update_rows ON COMMIT DROP AS SELECT {selected} FROM {quote(table)} WITH NO DATA"
        )
    copy_rows(
        "bulk_update_rows",
        ["id", *columns],
        ((obj.pk, *(getattr(obj, model._meta.get_field(name).attname) for name in fields)) for obj in objects),
    )
    assignments = ", ".join(f"{quote(column)} = source.{quote(column)}" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bulk_update_rows")  # so the planner joins through the primary key, not a scan
        cursor.execute(
            f"UPDATE {quote(table)} AS target SET {assignments} FROM bulk_update_rows AS source "
            "WHERE target.id = source.id"
        )
        cursor.execute("DROP TABLE bulk_update_rows")


def insert_workers(rows: list[dict]) -> None:
    """Create a Worker and its open Employment per row.

    A row holds the plain normalised `number` and `phone`, its `id_hash`, `gender`, `birth_date` and the
    other fields by name; numbers are encrypted and masked here, on PostgreSQL while COPY streams (the
    database inserts on the other core meanwhile).
    """
    if not rows:
        return
    if uses_copy() and len(rows) >= COPY_MIN_ROWS:
        _copy_workers(rows)
    else:
        _bulk_create_workers(rows)


PLAIN_FIELDS = ("education", "political_status", "enterprise_id", "occupation_id", "frontline", "hired_on")


def _worker_values(rows: list[dict]):
    """(name, id_hash, id_cipher, id_masked, gender, birth_date, phone_cipher, phone_masked, education, …)."""
    encrypt, mask_id, mask_phone = sealer(), pii.mask_id_number, pii.mask_phone
    for row in rows:
        number, phone = row["number"], row["phone"]
        yield (
            row["name"],
            row["id_hash"],
            encrypt(number),
            mask_id(number),
            row["gender"],
            row["birth_date"],
            encrypt(phone),
            mask_phone(phone) if phone else "",
            *(row[name] for name in PLAIN_FIELDS),
            row["sequence"],
            row["grade"],
        )


def _copy_workers(rows: list[dict]) -> None:
    """COPY the workers (ids from the table's identity), then open their Employment with one INSERT … SELECT.

    The new rows are told apart by their id above the largest before the COPY and the COPY's own
    created_at, so workers others insert meanwhile are not touched.
    """
    now = timezone.now()
    worker_table, job_table = Worker._meta.db_table, Employment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {worker_table}")
        (largest,) = cursor.fetchone()
    copy_rows(worker_table, WORKER_FIELDS[1:], ((*values, now, now) for values in _worker_values(rows)))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {job_table} ({', '.join(EMPLOYMENT_FIELDS)}) "
            "SELECT id, enterprise_id, hired_on, NULL, occupation_id, frontline, sequence, grade, '', '' "
            f"FROM {worker_table} WHERE id > %s AND created_at = %s ORDER BY id",
            [largest, now],
        )
        if cursor.rowcount != len(rows):
            raise RuntimeError(f"opened {cursor.rowcount} employments for {len(rows)} new workers")


def _bulk_create_workers(rows: list[dict]) -> None:
    names = WORKER_FIELDS[1:-2]
    workers = Worker.objects.bulk_create(
        [Worker(**dict(zip(names, values, strict=True))) for values in _worker_values(rows)], batch_size=500
    )
    if any(worker.pk is None for worker in workers):  # backends that cannot return ids
        by_hash = dict(Worker.objects.filter(id_hash__in=[w.id_hash for w in workers]).values_list("id_hash", "pk"))
        for worker in workers:
            worker.pk = by_hash[worker.id_hash]
    Employment.objects.bulk_create(
        [
            Employment(
                worker_id=worker.pk,
                enterprise_id=row["enterprise_id"],
                hired_on=row["hired_on"],
                occupation_id=row["occupation_id"],
                frontline=row["frontline"],
                sequence=row["sequence"],
                grade=row["grade"],
            )
            for worker, row in zip(workers, rows, strict=True)
        ],
        batch_size=500,
    )
