/* SPDX-License-Identifier: MIT */
/* An in-memory registry: keys by full path (case-insensitive), values by
 * name. Enough for drivers that read their parameters: ZwOpenKey/ZwCreateKey
 * + ZwQueryValueKey, RtlQueryRegistryValues (DIRECT and query routines),
 * ZwSetValueKey. openwsk-load fills it through OwRegistrySetValue. */
#include "kernel.h"

#include <openwsk.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OW_KEY_MAGIC 0x4b676552U   /* "RegK" */

typedef struct OW_VALUE {
    struct OW_VALUE *Next;
    char *Key;                 /* lower-case UTF-8-ish (ASCII) key path */
    WCHAR *Name;               /* NUL-terminated */
    USHORT NameLength;         /* bytes, without the NUL */
    ULONG Type;
    ULONG DataLength;
    UCHAR *Data;
} OW_VALUE;

typedef struct OW_KEY {
    ULONG Magic;
    struct OW_KEY *Next;       /* open handles */
    char *Path;
} OW_KEY;

static pthread_mutex_t ow_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static OW_VALUE *ow_values;
static OW_KEY *ow_open_keys;
static char **ow_keys;        /* every key that exists */
static size_t ow_key_count;

/* Path to lower-case ASCII, separators normalised, trailing '\' dropped. */
static char *ow_key_text(const WCHAR *s, size_t units)
{
    char *out = malloc(units + 1);
    if (out == NULL)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < units && s[i] != 0; i++) {
        unsigned c = (USHORT)s[i];
        if (c == '/')
            c = '\\';
        if (c == '\\' && n > 0 && out[n - 1] == '\\')
            continue;
        out[n++] = c < 0x80 ? (char)(c >= 'A' && c <= 'Z' ? c + 32 : c) : '?';
    }
    while (n > 0 && out[n - 1] == '\\')
        n--;
    out[n] = '\0';
    return out;
}

static BOOLEAN ow_name_eq(const WCHAR *a, size_t alen, const WCHAR *b, size_t blen)
{
    if (alen != blen)
        return FALSE;
    for (size_t i = 0; i < alen; i++) {
        unsigned x = (USHORT)a[i], y = (USHORT)b[i];
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y)
            return FALSE;
    }
    return TRUE;
}

/* Under the lock. */
static BOOLEAN ow_key_exists(const char *path)
{
    for (size_t i = 0; i < ow_key_count; i++)
        if (strcmp(ow_keys[i], path) == 0)
            return TRUE;
    return FALSE;
}

/* Under the lock: the key and every parent. */
static BOOLEAN ow_key_create(const char *path)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return FALSE;
    size_t len = strlen(copy);
    for (size_t i = 1; i <= len; i++) {
        if (copy[i] != '\\' && copy[i] != '\0')
            continue;
        char saved = copy[i];
        copy[i] = '\0';
        if (!ow_key_exists(copy)) {
            char **grown = realloc(ow_keys, (ow_key_count + 1) * sizeof(*ow_keys));
            char *dup = strdup(copy);
            if (grown == NULL || dup == NULL) {
                free(dup);
                if (grown != NULL)
                    ow_keys = grown;
                free(copy);
                return FALSE;
            }
            ow_keys = grown;
            ow_keys[ow_key_count++] = dup;
        }
        copy[i] = saved;
    }
    free(copy);
    return TRUE;
}

/* Under the lock. */
static OW_VALUE *ow_value_find(const char *key, const WCHAR *name, size_t units)
{
    for (OW_VALUE *v = ow_values; v != NULL; v = v->Next)
        if (strcmp(v->Key, key) == 0 && ow_name_eq(v->Name, v->NameLength / sizeof(WCHAR), name, units))
            return v;
    return NULL;
}

static void ow_value_free(OW_VALUE *v)
{
    free(v->Key);
    free(v->Name);
    free(v->Data);
    free(v);
}

/* Under the lock. */
static NTSTATUS ow_value_set(const char *key, const WCHAR *name, size_t units, ULONG Type,
                             const VOID *Data, ULONG DataLength)
{
    if (!ow_key_create(key))
        return STATUS_INSUFFICIENT_RESOURCES;
    UCHAR *data = malloc(DataLength ? DataLength : 1);
    if (data == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (DataLength)
        memcpy(data, Data, DataLength);
    OW_VALUE *v = ow_value_find(key, name, units);
    if (v != NULL) {
        free(v->Data);
        v->Data = data;
        v->Type = Type;
        v->DataLength = DataLength;
        return STATUS_SUCCESS;
    }
    v = calloc(1, sizeof(*v));
    if (v == NULL || (v->Key = strdup(key)) == NULL ||
        (v->Name = calloc(units + 1, sizeof(WCHAR))) == NULL) {
        if (v != NULL)
            free(v->Key);
        free(v);
        free(data);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(v->Name, name, units * sizeof(WCHAR));
    v->NameLength = (USHORT)(units * sizeof(WCHAR));
    v->Type = Type;
    v->Data = data;
    v->DataLength = DataLength;
    v->Next = ow_values;
    ow_values = v;
    return STATUS_SUCCESS;
}

NTSTATUS OwRegistrySetValue(PCWSTR KeyPath, PCWSTR ValueName, ULONG Type, const VOID *Data,
                            ULONG DataLength)
{
    if (KeyPath == NULL)
        return STATUS_INVALID_PARAMETER;
    char *key = ow_key_text(KeyPath, ow_wcsnlen(KeyPath, SIZE_MAX));
    if (key == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    PCWSTR name = ValueName != NULL ? ValueName : L"";
    pthread_mutex_lock(&ow_reg_lock);
    NTSTATUS st = ow_value_set(key, name, ow_wcsnlen(name, SIZE_MAX), Type, Data, DataLength);
    pthread_mutex_unlock(&ow_reg_lock);
    free(key);
    return st;
}

VOID OwRegistryClear(void)
{
    pthread_mutex_lock(&ow_reg_lock);
    while (ow_values != NULL) {
        OW_VALUE *v = ow_values;
        ow_values = v->Next;
        ow_value_free(v);
    }
    for (size_t i = 0; i < ow_key_count; i++)
        free(ow_keys[i]);
    free(ow_keys);
    ow_keys = NULL;
    ow_key_count = 0;
    pthread_mutex_unlock(&ow_reg_lock);
}

/* ---- handles -------------------------------------------------------------- */
static OW_KEY *ow_key_ref(HANDLE Handle)
{
    OW_KEY *k = NULL;
    pthread_mutex_lock(&ow_reg_lock);
    for (OW_KEY *o = ow_open_keys; o != NULL; o = o->Next)
        if ((HANDLE)o == Handle) {
            k = o;
            break;
        }
    pthread_mutex_unlock(&ow_reg_lock);
    return k;
}

NTSTATUS ow_registry_close(HANDLE Handle)
{
    pthread_mutex_lock(&ow_reg_lock);
    OW_KEY **p = &ow_open_keys;
    while (*p != NULL && (HANDLE)*p != Handle)
        p = &(*p)->Next;
    OW_KEY *k = *p;
    if (k != NULL)
        *p = k->Next;
    pthread_mutex_unlock(&ow_reg_lock);
    if (k == NULL)
        return STATUS_INVALID_HANDLE;
    k->Magic = 0;
    free(k->Path);
    free(k);
    return STATUS_SUCCESS;
}

/* The full path named by ObjectAttributes (relative to RootDirectory if set). */
static char *ow_attr_path(POBJECT_ATTRIBUTES oa)
{
    if (oa == NULL || oa->ObjectName == NULL)
        return NULL;
    char *rel = ow_key_text(oa->ObjectName->Buffer ? oa->ObjectName->Buffer : L"",
                            oa->ObjectName->Length / sizeof(WCHAR));
    if (rel == NULL || oa->RootDirectory == NULL)
        return rel;
    OW_KEY *root = ow_key_ref(oa->RootDirectory);
    if (root == NULL) {
        free(rel);
        return NULL;
    }
    size_t n = strlen(root->Path) + 1 + strlen(rel) + 1;
    char *full = malloc(n);
    if (full != NULL)
        snprintf(full, n, *rel ? "%s\\%s" : "%s", root->Path, rel);
    free(rel);
    return full;
}

static NTSTATUS ow_open(PHANDLE KeyHandle, POBJECT_ATTRIBUTES oa, BOOLEAN Create, PULONG Disposition)
{
    if (KeyHandle == NULL)
        return STATUS_INVALID_PARAMETER;
    *KeyHandle = NULL;
    if (oa != NULL && oa->RootDirectory != NULL && ow_key_ref(oa->RootDirectory) == NULL)
        return STATUS_INVALID_HANDLE;
    char *path = ow_attr_path(oa);
    if (path == NULL)
        return STATUS_OBJECT_NAME_INVALID;
    OW_KEY *k = calloc(1, sizeof(*k));
    if (k == NULL) {
        free(path);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    pthread_mutex_lock(&ow_reg_lock);
    BOOLEAN exists = ow_key_exists(path);
    if (!exists && (!Create || !ow_key_create(path))) {
        pthread_mutex_unlock(&ow_reg_lock);
        free(path);
        free(k);
        return Create ? STATUS_INSUFFICIENT_RESOURCES : STATUS_OBJECT_NAME_NOT_FOUND;
    }
    k->Magic = OW_KEY_MAGIC;
    k->Path = path;
    k->Next = ow_open_keys;
    ow_open_keys = k;
    pthread_mutex_unlock(&ow_reg_lock);
    if (Disposition != NULL)
        *Disposition = exists ? REG_OPENED_EXISTING_KEY : REG_CREATED_NEW_KEY;
    *KeyHandle = (HANDLE)k;
    return STATUS_SUCCESS;
}

NTSTATUS ZwOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes)
{
    (void)DesiredAccess;
    return ow_open(KeyHandle, ObjectAttributes, FALSE, NULL);
}

NTSTATUS ZwCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                     ULONG TitleIndex, PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition)
{
    (void)DesiredAccess, (void)TitleIndex, (void)Class, (void)CreateOptions;
    return ow_open(KeyHandle, ObjectAttributes, TRUE, Disposition);
}

NTSTATUS ZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName,
                         KEY_VALUE_INFORMATION_CLASS Class, PVOID Info, ULONG Length,
                         PULONG ResultLength)
{
    if (ResultLength == NULL)
        return STATUS_INVALID_PARAMETER;
    *ResultLength = 0;
    OW_KEY *k = ow_key_ref(KeyHandle);
    if (k == NULL)
        return STATUS_INVALID_HANDLE;
    const WCHAR *name = ValueName && ValueName->Buffer ? ValueName->Buffer : L"";
    size_t units = ValueName && ValueName->Buffer ? ValueName->Length / sizeof(WCHAR) : 0;
    NTSTATUS st = STATUS_SUCCESS;
    pthread_mutex_lock(&ow_reg_lock);
    OW_VALUE *v = ow_value_find(k->Path, name, units);
    if (v == NULL) {
        st = STATUS_OBJECT_NAME_NOT_FOUND;
        goto out;
    }
    ULONG fixed, need;
    switch (Class) {
    case KeyValuePartialInformation:
    case KeyValuePartialInformationAlign64:
        fixed = (ULONG)FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data);
        need = fixed + v->DataLength;
        *ResultLength = need;
        if (Length < fixed) {
            st = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        {
            PKEY_VALUE_PARTIAL_INFORMATION p = Info;
            p->TitleIndex = 0;
            p->Type = v->Type;
            p->DataLength = v->DataLength;
            if (Length < need) {
                st = STATUS_BUFFER_OVERFLOW;
                break;
            }
            memcpy(p->Data, v->Data, v->DataLength);
        }
        break;
    case KeyValueBasicInformation:
        fixed = (ULONG)FIELD_OFFSET(KEY_VALUE_BASIC_INFORMATION, Name);
        need = fixed + v->NameLength;
        *ResultLength = need;
        if (Length < fixed) {
            st = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        {
            PKEY_VALUE_BASIC_INFORMATION b = Info;
            b->TitleIndex = 0;
            b->Type = v->Type;
            b->NameLength = v->NameLength;
            if (Length < need) {
                st = STATUS_BUFFER_OVERFLOW;
                break;
            }
            memcpy(b->Name, v->Name, v->NameLength);
        }
        break;
    case KeyValueFullInformation:
    case KeyValueFullInformationAlign64: {
        fixed = (ULONG)FIELD_OFFSET(KEY_VALUE_FULL_INFORMATION, Name);
        ULONG data_off = (fixed + v->NameLength + 7) & ~7U;
        need = data_off + v->DataLength;
        *ResultLength = need;
        if (Length < fixed) {
            st = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        PKEY_VALUE_FULL_INFORMATION f = Info;
        f->TitleIndex = 0;
        f->Type = v->Type;
        f->DataOffset = data_off;
        f->DataLength = v->DataLength;
        f->NameLength = v->NameLength;
        if (Length < need) {
            st = STATUS_BUFFER_OVERFLOW;
            break;
        }
        memcpy(f->Name, v->Name, v->NameLength);
        memcpy((UCHAR *)Info + data_off, v->Data, v->DataLength);
        break;
    }
    default:
        st = STATUS_INVALID_PARAMETER;
    }
out:
    pthread_mutex_unlock(&ow_reg_lock);
    return st;
}

NTSTATUS ZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type,
                       PVOID Data, ULONG DataSize)
{
    (void)TitleIndex;
    OW_KEY *k = ow_key_ref(KeyHandle);
    if (k == NULL)
        return STATUS_INVALID_HANDLE;
    const WCHAR *name = ValueName && ValueName->Buffer ? ValueName->Buffer : L"";
    size_t units = ValueName && ValueName->Buffer ? ValueName->Length / sizeof(WCHAR) : 0;
    pthread_mutex_lock(&ow_reg_lock);
    NTSTATUS st = ow_value_set(k->Path, name, units, Type, Data, DataSize);
    pthread_mutex_unlock(&ow_reg_lock);
    return st;
}

NTSTATUS ZwDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName)
{
    OW_KEY *k = ow_key_ref(KeyHandle);
    if (k == NULL)
        return STATUS_INVALID_HANDLE;
    const WCHAR *name = ValueName && ValueName->Buffer ? ValueName->Buffer : L"";
    size_t units = ValueName && ValueName->Buffer ? ValueName->Length / sizeof(WCHAR) : 0;
    pthread_mutex_lock(&ow_reg_lock);
    OW_VALUE **p = &ow_values;
    while (*p != NULL && !(strcmp((*p)->Key, k->Path) == 0 &&
                           ow_name_eq((*p)->Name, (*p)->NameLength / sizeof(WCHAR), name, units)))
        p = &(*p)->Next;
    OW_VALUE *v = *p;
    if (v != NULL)
        *p = v->Next;
    pthread_mutex_unlock(&ow_reg_lock);
    if (v == NULL)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    ow_value_free(v);
    return STATUS_SUCCESS;
}

NTSTATUS ZwFlushKey(HANDLE KeyHandle)
{
    return ow_key_ref(KeyHandle) ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
}

/* ---- RtlQueryRegistryValues ------------------------------------------------ */
static const char *const ow_rtl_roots[] = {
    "",                                                         /* ABSOLUTE */
    "\\registry\\machine\\system\\currentcontrolset\\services",   /* SERVICES */
    "\\registry\\machine\\system\\currentcontrolset\\control",    /* CONTROL */
    "\\registry\\machine\\software\\microsoft\\windows nt\\currentversion",
    "\\registry\\machine\\hardware\\devicemap",
    "\\registry\\user\\.default",
};

/* The key path for RelativeTo + Path (malloc'ed), or NULL. */
static char *ow_rtl_path(ULONG RelativeTo, PCWSTR Path)
{
    if (RelativeTo & RTL_REGISTRY_HANDLE) {
        OW_KEY *k = ow_key_ref((HANDLE)Path);
        return k ? strdup(k->Path) : NULL;
    }
    ULONG rel = RelativeTo & ~RTL_REGISTRY_OPTIONAL;
    if (rel >= RTL_REGISTRY_MAXIMUM)
        return NULL;
    char *tail = ow_key_text(Path ? Path : L"", Path ? ow_wcsnlen(Path, SIZE_MAX) : 0);
    if (tail == NULL)
        return NULL;
    const char *root = ow_rtl_roots[rel];
    size_t n = strlen(root) + 1 + strlen(tail) + 1;
    char *full = malloc(n);
    if (full != NULL)
        snprintf(full, n, "%s%s%s", root, *root && *tail && tail[0] != '\\' ? "\\" : "", tail);
    free(tail);
    return full;
}

/* DIRECT: store the value into EntryContext as Windows does. */
static NTSTATUS ow_direct(PRTL_QUERY_REGISTRY_TABLE q, ULONG Type, const VOID *Data, ULONG Length)
{
    if (q->EntryContext == NULL)
        return STATUS_INVALID_PARAMETER;
    switch (Type) {
    case REG_SZ:
    case REG_EXPAND_SZ:
    case REG_MULTI_SZ: {
        PUNICODE_STRING us = q->EntryContext;
        ULONG units = Length / sizeof(WCHAR);
        while (units > 0 && ((const WCHAR *)Data)[units - 1] == 0)
            units--;
        ULONG bytes = units * sizeof(WCHAR);
        if (bytes + sizeof(WCHAR) > 0xfffe)
            return STATUS_BUFFER_TOO_SMALL;
        if (us->Buffer == NULL) {
            us->Buffer = ow_pool_alloc_for(bytes + sizeof(WCHAR), 'grtS',
                                           "RtlQueryRegistryValues (a REG_SZ into an empty UNICODE_STRING; "
                                           "free with RtlFreeUnicodeString)");
            if (us->Buffer == NULL)
                return STATUS_INSUFFICIENT_RESOURCES;
            us->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
        } else if (us->MaximumLength < bytes) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        memcpy(us->Buffer, Data, bytes);
        if (us->MaximumLength >= bytes + sizeof(WCHAR))
            us->Buffer[units] = 0;
        us->Length = (USHORT)bytes;
        return STATUS_SUCCESS;
    }
    default:
        if (Length <= sizeof(ULONG)) {
            memcpy(q->EntryContext, Data, Length);
            return STATUS_SUCCESS;
        }
        /* Larger non-string data: a LONG-sized length prefix (negative) says the buffer size. */
        {
            LONG room = *(LONG *)q->EntryContext;
            if (room < 0 && (ULONG)-room >= Length) {
                memcpy(q->EntryContext, Data, Length);
                return STATUS_SUCCESS;
            }
            if (room >= 0 && Length <= 8 && Type == REG_QWORD) {
                memcpy(q->EntryContext, Data, Length);
                return STATUS_SUCCESS;
            }
            return STATUS_BUFFER_TOO_SMALL;
        }
    }
}

/* One value to an entry: DIRECT stores it, otherwise the QueryRoutine gets
 * it. A QueryRoutine's STATUS_BUFFER_TOO_SMALL is ignored, as documented. */
static NTSTATUS ow_query_one(PRTL_QUERY_REGISTRY_TABLE q, PWSTR Name, ULONG Type, const VOID *Data,
                             ULONG Length, PVOID Context)
{
    if (q->Flags & RTL_QUERY_REGISTRY_DIRECT)
        return ow_direct(q, Type, Data, Length);
    if (q->QueryRoutine == NULL)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS st = q->QueryRoutine(Name, Type, (PVOID)Data, Length, Context, q->EntryContext);
    return st == STATUS_BUFFER_TOO_SMALL ? STATUS_SUCCESS : st;
}

/* A copy of one value, taken under the lock so routines run without it. */
typedef struct OW_VALUE_COPY {
    WCHAR *Name;
    ULONG Type, Length;
    UCHAR *Data;               /* Length bytes + a WCHAR of zeros */
} OW_VALUE_COPY;

static BOOLEAN ow_value_copy(const OW_VALUE *v, OW_VALUE_COPY *c)
{
    c->Name = malloc(v->NameLength + sizeof(WCHAR));
    c->Data = malloc(v->DataLength + sizeof(WCHAR));
    if (c->Name == NULL || c->Data == NULL) {
        free(c->Name);
        free(c->Data);
        return FALSE;
    }
    memcpy(c->Name, v->Name, v->NameLength + sizeof(WCHAR));
    memcpy(c->Data, v->Data, v->DataLength);
    memset(c->Data + v->DataLength, 0, sizeof(WCHAR));
    c->Type = v->Type;
    c->Length = v->DataLength;
    return TRUE;
}

static void ow_value_copies_free(OW_VALUE_COPY *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].Name);
        free(c[i].Data);
    }
    free(c);
}

/* Copies every value of key, oldest first (*Count of them; *Out NULL when none). */
static NTSTATUS ow_values_of(const char *key, OW_VALUE_COPY **Out, size_t *Count)
{
    *Out = NULL;
    *Count = 0;
    pthread_mutex_lock(&ow_reg_lock);
    size_t n = 0;
    for (OW_VALUE *v = ow_values; v != NULL; v = v->Next)
        n += strcmp(v->Key, key) == 0;
    OW_VALUE_COPY *c = n ? calloc(n, sizeof(*c)) : NULL;
    size_t i = n;
    NTSTATUS st = (n && c == NULL) ? STATUS_INSUFFICIENT_RESOURCES : STATUS_SUCCESS;
    for (OW_VALUE *v = ow_values; NT_SUCCESS(st) && v != NULL; v = v->Next) {
        if (strcmp(v->Key, key) != 0)
            continue;
        if (!ow_value_copy(v, &c[i - 1]))   /* the list is newest first */
            st = STATUS_INSUFFICIENT_RESOURCES;
        else
            i--;
    }
    pthread_mutex_unlock(&ow_reg_lock);
    if (!NT_SUCCESS(st)) {
        for (size_t k = i; k < n; k++) {
            free(c[k].Name);
            free(c[k].Data);
        }
        free(c);
        return st;
    }
    *Out = c;
    *Count = n;
    return STATUS_SUCCESS;
}

/* An entry with a NULL Name (or a SUBKEY entry with a QueryRoutine): the
 * routine is called once per value of the current key. A key without
 * values skips the entry, or fails it when REQUIRED. */
static NTSTATUS ow_query_all(PRTL_QUERY_REGISTRY_TABLE q, const char *key, PVOID Context)
{
    if (q->QueryRoutine == NULL)
        return STATUS_INVALID_PARAMETER;   /* DIRECT needs a Name */
    OW_VALUE_COPY *c;
    size_t n;
    NTSTATUS st = ow_values_of(key, &c, &n);
    if (NT_SUCCESS(st) && n == 0 && (q->Flags & RTL_QUERY_REGISTRY_REQUIRED))
        st = STATUS_OBJECT_NAME_NOT_FOUND;
    for (size_t i = 0; NT_SUCCESS(st) && i < n; i++)
        st = ow_query_one(q, c[i].Name, c[i].Type, c[i].Data, c[i].Length, Context);
    ow_value_copies_free(c, n);
    return st;
}

/* An entry with a Name: its value, else its default, else (REQUIRED) failure. */
static NTSTATUS ow_query_named(PRTL_QUERY_REGISTRY_TABLE q, const char *key, PVOID Context)
{
    OW_VALUE_COPY c;
    BOOLEAN found = FALSE, copied = FALSE;
    pthread_mutex_lock(&ow_reg_lock);
    OW_VALUE *v = ow_value_find(key, q->Name, ow_wcsnlen(q->Name, SIZE_MAX));
    if (v != NULL) {
        found = TRUE;
        copied = ow_value_copy(v, &c);
    }
    pthread_mutex_unlock(&ow_reg_lock);
    if (found && !copied)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS st = STATUS_SUCCESS;
    if (found && (q->Flags & RTL_QUERY_REGISTRY_TYPECHECK) &&
        (q->DefaultType >> RTL_QUERY_REGISTRY_TYPECHECK_SHIFT) != c.Type) {
        st = STATUS_OBJECT_TYPE_MISMATCH;
    } else if (found) {
        st = ow_query_one(q, q->Name, c.Type, c.Data, c.Length, Context);
    } else if (q->Flags & RTL_QUERY_REGISTRY_REQUIRED) {
        st = STATUS_OBJECT_NAME_NOT_FOUND;
    } else if ((q->DefaultType & 0xffffff) != REG_NONE && q->DefaultData != NULL) {
        ULONG dtype = q->DefaultType & 0xffffff, dlen = q->DefaultLength;
        if (dlen == 0 && (dtype == REG_SZ || dtype == REG_EXPAND_SZ))
            dlen = (ULONG)((ow_wcsnlen(q->DefaultData, SIZE_MAX) + 1) * sizeof(WCHAR));
        st = ow_query_one(q, q->Name, dtype, q->DefaultData, dlen, Context);
    }
    if (copied) {
        free(c.Name);
        free(c.Data);
    }
    return st;
}

/* The key a SUBKEY (Name relative to the base) or TOPKEY entry focuses on. */
static char *ow_focus_key(const char *base, PRTL_QUERY_REGISTRY_TABLE q)
{
    if (!(q->Flags & RTL_QUERY_REGISTRY_SUBKEY) || q->Name == NULL)
        return strdup(base);
    char *sub = ow_key_text(q->Name, ow_wcsnlen(q->Name, SIZE_MAX));
    if (sub == NULL)
        return NULL;
    size_t n = strlen(base) + 1 + strlen(sub) + 1;
    char *key = malloc(n);
    if (key != NULL)
        snprintf(key, n, "%s\\%s", base, sub);
    free(sub);
    return key;
}

static BOOLEAN ow_table_end(const RTL_QUERY_REGISTRY_TABLE *q)
{
    return q->QueryRoutine == NULL && q->Name == NULL;
}

static BOOLEAN ow_changes_key(const RTL_QUERY_REGISTRY_TABLE *q)
{
    return (q->Flags & (RTL_QUERY_REGISTRY_SUBKEY | RTL_QUERY_REGISTRY_TOPKEY)) != 0;
}

/* Walks the table against the key tree. Documented rules followed: a SUBKEY
 * entry moves the focus until the next SUBKEY/TOPKEY entry or the end; a
 * missing optional subkey skips every entry up to there (a REQUIRED one ends
 * the call with STATUS_OBJECT_NAME_NOT_FOUND); a NULL Name means every value
 * of the key; NOVALUE means one call with REG_NONE. */
NTSTATUS RtlQueryRegistryValues(ULONG RelativeTo, PCWSTR Path, PRTL_QUERY_REGISTRY_TABLE QueryTable,
                                PVOID Context, PVOID Environment)
{
    (void)Environment;
    if (QueryTable == NULL)
        return STATUS_INVALID_PARAMETER;
    char *base = ow_rtl_path(RelativeTo, Path);
    if (base == NULL)
        return (RelativeTo & RTL_REGISTRY_HANDLE) ? STATUS_INVALID_HANDLE : STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&ow_reg_lock);
    BOOLEAN exists = ow_key_exists(base);
    pthread_mutex_unlock(&ow_reg_lock);
    if (!exists) {
        free(base);
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    char *key = strdup(base);
    NTSTATUS st = key ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    for (PRTL_QUERY_REGISTRY_TABLE q = QueryTable; NT_SUCCESS(st) && !ow_table_end(q); q++) {
        if (ow_changes_key(q)) {
            free(key);
            key = ow_focus_key(base, q);
            if (key == NULL) {
                st = STATUS_INSUFFICIENT_RESOURCES;
                break;
            }
            pthread_mutex_lock(&ow_reg_lock);
            BOOLEAN sub_exists = ow_key_exists(key);
            pthread_mutex_unlock(&ow_reg_lock);
            if (!sub_exists) {
                if (q->Flags & RTL_QUERY_REGISTRY_REQUIRED) {
                    st = STATUS_OBJECT_NAME_NOT_FOUND;
                    break;
                }
                while (!ow_table_end(q + 1) && !ow_changes_key(q + 1))
                    q++;   /* the missing subkey's entries */
                continue;
            }
            if (q->QueryRoutine != NULL)
                st = ow_query_all(q, key, Context);
            continue;
        }
        if (q->Flags & RTL_QUERY_REGISTRY_NOVALUE) {
            if (q->QueryRoutine == NULL)
                st = STATUS_INVALID_PARAMETER;
            else
                st = q->QueryRoutine(q->Name, REG_NONE, NULL, 0, Context, q->EntryContext);
            continue;
        }
        st = q->Name == NULL ? ow_query_all(q, key, Context) : ow_query_named(q, key, Context);
    }
    free(key);
    free(base);
    return st;
}

NTSTATUS RtlWriteRegistryValue(ULONG RelativeTo, PCWSTR Path, PCWSTR ValueName, ULONG ValueType,
                               PVOID ValueData, ULONG ValueLength)
{
    char *key = ow_rtl_path(RelativeTo, Path);
    if (key == NULL)
        return STATUS_INVALID_PARAMETER;
    PCWSTR name = ValueName ? ValueName : L"";
    pthread_mutex_lock(&ow_reg_lock);
    NTSTATUS st = ow_value_set(key, name, ow_wcsnlen(name, SIZE_MAX), ValueType, ValueData, ValueLength);
    pthread_mutex_unlock(&ow_reg_lock);
    free(key);
    return st;
}

NTSTATUS RtlCheckRegistryKey(ULONG RelativeTo, PWSTR Path)
{
    char *key = ow_rtl_path(RelativeTo, Path);
    if (key == NULL)
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&ow_reg_lock);
    BOOLEAN exists = ow_key_exists(key);
    pthread_mutex_unlock(&ow_reg_lock);
    free(key);
    return exists ? STATUS_SUCCESS : STATUS_OBJECT_NAME_NOT_FOUND;
}
