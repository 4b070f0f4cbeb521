/* SPDX-License-Identifier: MIT */
/* The registry routines drivers read their parameters with
 * (src/kernel/registry.c): ZwOpenKey, ZwQueryValueKey and
 * RtlQueryRegistryValues, whose table walk follows its page
 * (learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlqueryregistryvalues):
 *  - SUBKEY: "all following table entries are for that key ... until the end
 *    of the table or until another RTL_REGISTRY_SUBKEY or
 *    RTL_QUERY_REGISTRY_TOPKEY entry is seen"; a missing optional subkey
 *    therefore skips all of them, DIRECT and REQUIRED ones included;
 *  - Name NULL: "the QueryRoutine function ... is called for all values
 *    associated with the current registry key";
 *  - NOVALUE: one call with REG_NONE, NULL data, length zero;
 *  - a QueryRoutine's error ends the walk and is returned, except
 *    STATUS_BUFFER_TOO_SMALL, which is ignored. */
#include "ktest.h"

#define KT_SERVICE L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\kt"

/* Moved from test_device: values set, opened, queried, DIRECT entries. */
static void basics(void)
{
    ULONG port = 7000;
    WCHAR text[] = L"hello";
    CHECK_STATUS(OwRegistrySetValue(KT_SERVICE L"\\Parameters", L"Port", REG_DWORD, &port, sizeof(port)),
                 STATUS_SUCCESS);
    CHECK_STATUS(OwRegistrySetValue(KT_SERVICE L"\\Parameters", L"Greeting", REG_SZ, text, sizeof(text)),
                 STATUS_SUCCESS);

    /* ZwOpenKey + ZwQueryValueKey, relative opens, case-insensitive names. */
    UNICODE_STRING path, value;
    OBJECT_ATTRIBUTES oa;
    HANDLE svc, params;
    RtlInitUnicodeString(&path, L"\\REGISTRY\\MACHINE\\System\\CurrentControlSet\\Services\\KT");
    InitializeObjectAttributes(&oa, &path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    CHECK_STATUS(ZwOpenKey(&svc, KEY_READ, &oa), STATUS_SUCCESS);
    RtlInitUnicodeString(&path, L"Parameters");
    InitializeObjectAttributes(&oa, &path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, svc, NULL);
    CHECK_STATUS(ZwOpenKey(&params, KEY_READ, &oa), STATUS_SUCCESS);
    UCHAR buf[64];
    PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buf;
    ULONG got = 0;
    RtlInitUnicodeString(&value, L"port");
    CHECK_STATUS(ZwQueryValueKey(params, &value, KeyValuePartialInformation, info, sizeof(buf), &got),
                 STATUS_SUCCESS);
    CHECK(info->Type == REG_DWORD && info->DataLength == 4 && *(PULONG)info->Data == 7000, "Port");
    CHECK_STATUS(ZwQueryValueKey(params, &value, KeyValuePartialInformation, info, 4, &got),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK(got == FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data) + 4, "needed length %lu",
          (unsigned long)got);
    RtlInitUnicodeString(&value, L"Missing");
    CHECK_STATUS(ZwQueryValueKey(params, &value, KeyValuePartialInformation, info, sizeof(buf), &got),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    RtlInitUnicodeString(&value, L"Greeting");
    CHECK_STATUS(ZwQueryValueKey(params, &value, KeyValueFullInformation, buf, sizeof(buf), &got),
                 STATUS_SUCCESS);
    PKEY_VALUE_FULL_INFORMATION full = (PKEY_VALUE_FULL_INFORMATION)buf;
    CHECK(full->Type == REG_SZ && full->DataLength == sizeof(text) &&
          memcmp(buf + full->DataOffset, text, sizeof(text)) == 0, "full information");
    CHECK_STATUS(ZwClose(params), STATUS_SUCCESS);
    CHECK_STATUS(ZwClose(svc), STATUS_SUCCESS);
    CHECK_STATUS(ZwClose(svc), STATUS_INVALID_HANDLE);
    RtlInitUnicodeString(&path, L"\\Registry\\Machine\\Nope");
    InitializeObjectAttributes(&oa, &path, OBJ_CASE_INSENSITIVE, NULL, NULL);
    CHECK_STATUS(ZwOpenKey(&svc, KEY_READ, &oa), STATUS_OBJECT_NAME_NOT_FOUND);

    /* RtlQueryRegistryValues, DIRECT, with a default and a required value. */
    ULONG qport = 0, missing = 5, def = 99;
    UNICODE_STRING greeting = { 0, 0, NULL };
    RTL_QUERY_REGISTRY_TABLE table[4];
    RtlZeroMemory(table, sizeof(table));
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[0].Name = L"Port";
    table[0].EntryContext = &qport;
    table[1].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[1].Name = L"Greeting";
    table[1].EntryContext = &greeting;
    table[2].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[2].Name = L"Absent";
    table[2].EntryContext = &missing;
    table[2].DefaultType = REG_DWORD;
    table[2].DefaultData = &def;
    table[2].DefaultLength = sizeof(def);
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"kt\\Parameters", table, NULL, NULL),
                 STATUS_SUCCESS);
    CHECK(qport == 7000, "direct DWORD %lu", (unsigned long)qport);
    CHECK(missing == 99, "default %lu", (unsigned long)missing);
    CHECK(greeting.Length == 10 && memcmp(greeting.Buffer, L"hello", 10) == 0, "direct string");
    RtlFreeUnicodeString(&greeting);
    table[2].Flags |= RTL_QUERY_REGISTRY_REQUIRED;
    table[1].Flags = RTL_QUERY_REGISTRY_DIRECT;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, KT_SERVICE L"\\Parameters", table, NULL, NULL),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    RtlFreeUnicodeString(&greeting);
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_SERVICES, L"absent", table, NULL, NULL),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    OwRegistryClear();
}


struct seen {
    int calls;
    WCHAR names[8][16];
    ULONG types[8];
    ULONG data[8];
    NTSTATUS answer;           /* what the routine returns */
};

static NTSTATUS record(PWSTR ValueName, ULONG ValueType, PVOID ValueData, ULONG ValueLength, PVOID Context,
                       PVOID EntryContext)
{
    (void)Context;
    struct seen *s = EntryContext;
    int i = s->calls++;
    if (i < 8) {
        s->names[i][0] = 0;
        for (int k = 0; ValueName != NULL && ValueName[k] != 0 && k < 15; k++) {
            s->names[i][k] = ValueName[k];
            s->names[i][k + 1] = 0;
        }
        s->types[i] = ValueType;
        s->data[i] = (ValueData != NULL && ValueLength >= 4) ? *(ULONG *)ValueData : 0xffffffffU;
    }
    return s->answer;
}

static BOOLEAN wide_eq(const WCHAR *a, const WCHAR *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

#define KT_REG L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\kr"

static void set_dword(PCWSTR key, PCWSTR name, ULONG v)
{
    CHECK_STATUS(OwRegistrySetValue(key, name, REG_DWORD, &v, sizeof(v)), STATUS_SUCCESS);
}

/* Missing optional subkey followed by a DIRECT entry A, a routine entry B
 * and a REQUIRED entry C: none of them runs, and the call succeeds; a TOPKEY
 * entry then brings the focus back and D runs against the top key. */
static void missing_subkey_skips_its_entries(void)
{
    set_dword(KT_REG, L"D", 4);
    set_dword(KT_REG, L"B", 2);   /* same names at the top: must not be read */
    ULONG a = 0x1234, b_direct = 0;
    struct seen b = { 0 }, d = { 0 };
    RTL_QUERY_REGISTRY_TABLE t[7];
    RtlZeroMemory(t, sizeof(t));
    t[0].Flags = RTL_QUERY_REGISTRY_SUBKEY;
    t[0].Name = L"NoSuchSubkey";
    t[1].Flags = RTL_QUERY_REGISTRY_DIRECT;
    t[1].Name = L"A";
    t[1].EntryContext = &a;
    t[1].DefaultType = REG_DWORD;
    t[1].DefaultData = &b_direct;
    t[1].DefaultLength = sizeof(ULONG);
    t[2].QueryRoutine = record;
    t[2].Name = L"B";
    t[2].EntryContext = &b;
    t[3].QueryRoutine = record;
    t[3].Flags = RTL_QUERY_REGISTRY_REQUIRED;
    t[3].Name = L"C";
    t[3].EntryContext = &b;
    t[4].Flags = RTL_QUERY_REGISTRY_TOPKEY;
    t[4].Name = L"top";   /* ignored; an entry with no Name and no routine ends the table */
    t[5].QueryRoutine = record;
    t[5].Name = L"D";
    t[5].EntryContext = &d;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, KT_REG, t, NULL, NULL), STATUS_SUCCESS);
    CHECK(a == 0x1234, "entry A of the missing subkey ran (%#lx)", (unsigned long)a);
    CHECK(b.calls == 0, "entries B/C of the missing subkey ran %d time(s)", b.calls);
    CHECK(d.calls == 1 && d.data[0] == 4, "TOPKEY entry D: %d call(s)", d.calls);

    /* The same subkey marked REQUIRED ends the call. */
    t[0].Flags |= RTL_QUERY_REGISTRY_REQUIRED;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, KT_REG, t, NULL, NULL), STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(d.calls == 1, "entries after a missing REQUIRED subkey ran");

    /* An existing subkey: its entries read it. */
    set_dword(KT_REG L"\\Sub", L"B", 22);
    t[0].Flags = RTL_QUERY_REGISTRY_SUBKEY;
    t[0].Name = L"Sub";
    t[1].Flags = RTL_QUERY_REGISTRY_DIRECT;   /* A absent: default */
    t[3].Flags = 0;                          /* C absent, optional, no default: skipped */
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, KT_REG, t, NULL, NULL), STATUS_SUCCESS);
    CHECK(b.calls == 1 && b.data[0] == 22, "B from the subkey: %d call(s), %lu", b.calls,
          (unsigned long)b.data[0]);
    CHECK(a == 0, "A's default not stored (%#lx)", (unsigned long)a);
    OwRegistryClear();
}

/* A NULL Name: one call per value of the key, each with its own name. */
static void null_name_enumerates(void)
{
    set_dword(KT_REG, L"First", 1);
    set_dword(KT_REG, L"Second", 2);
    set_dword(KT_REG, L"Third", 3);
    set_dword(KT_REG L"\\Other", L"NotMine", 9);
    struct seen s = { 0 };
    RTL_QUERY_REGISTRY_TABLE t[2];
    RtlZeroMemory(t, sizeof(t));
    t[0].QueryRoutine = record;
    t[0].EntryContext = &s;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, KT_REG, t, NULL, NULL), STATUS_SUCCESS);
    CHECK(s.calls == 3, "NULL Name: %d call(s), want one per value (3)", s.calls);
    ULONG sum = 0;
    for (int i = 0; i < s.calls && i < 8; i++) {
        CHECK(s.types[i] == REG_DWORD, "call %d type %lu", i, (unsigned long)s.types[i]);
        sum += s.data[i];
        CHECK(wide_eq(s.names[i], L"First") || wide_eq(s.names[i], L"Second") || wide_eq(s.names[i], L"Third"),
              "call %d has another key's value", i);
    }
    CHECK(sum == 6, "values seen sum to %lu", (unsigned long)sum);

    /* The routine's error ends the walk and is the result... */
    struct seen e = { .answer = STATUS_ACCESS_DENIED };
    t[0].EntryContext = &e;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, KT_REG, t, NULL, NULL), STATUS_ACCESS_DENIED);
    CHECK(e.calls == 1, "walk went on after an error: %d call(s)", e.calls);
    /* ...except STATUS_BUFFER_TOO_SMALL, which is ignored. */
    struct seen small = { .answer = STATUS_BUFFER_TOO_SMALL };
    t[0].EntryContext = &small;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, KT_REG, t, NULL, NULL), STATUS_SUCCESS);
    CHECK(small.calls == 3, "STATUS_BUFFER_TOO_SMALL stopped the walk: %d call(s)", small.calls);

    /* A key without values: the entry is skipped, or fails when REQUIRED. */
    struct seen none = { 0 };
    t[0].EntryContext = &none;
    set_dword(KT_REG L"\\Empty\\Child", L"X", 1);   /* creates Empty, valueless */
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, KT_REG L"\\Empty", t, NULL, NULL), STATUS_SUCCESS);
    CHECK(none.calls == 0, "valueless key: %d call(s)", none.calls);
    t[0].Flags = RTL_QUERY_REGISTRY_REQUIRED;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, KT_REG L"\\Empty", t, NULL, NULL),
                 STATUS_OBJECT_NAME_NOT_FOUND);

    /* NOVALUE: just one callback, REG_NONE, no data. */
    struct seen nv = { 0 };
    t[0].Flags = RTL_QUERY_REGISTRY_NOVALUE;
    t[0].EntryContext = &nv;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, KT_REG, t, NULL, NULL), STATUS_SUCCESS);
    CHECK(nv.calls == 1 && nv.types[0] == REG_NONE && nv.data[0] == 0xffffffffU, "NOVALUE: %d call(s)", nv.calls);

    /* DIRECT needs a Name. */
    ULONG out = 0;
    t[0].QueryRoutine = NULL;
    t[0].Flags = RTL_QUERY_REGISTRY_DIRECT;
    t[0].Name = NULL;
    t[0].EntryContext = &out;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, KT_REG, t, NULL, NULL), STATUS_SUCCESS);
    OwRegistryClear();
}

static void typecheck(void)
{
    set_dword(KT_REG, L"Port", 80);
    ULONG out = 0;
    RTL_QUERY_REGISTRY_TABLE t[2];
    RtlZeroMemory(t, sizeof(t));
    t[0].Flags = RTL_QUERY_REGISTRY_DIRECT | RTL_QUERY_REGISTRY_TYPECHECK;
    t[0].Name = L"Port";
    t[0].EntryContext = &out;
    t[0].DefaultType = (REG_SZ << RTL_QUERY_REGISTRY_TYPECHECK_SHIFT) | REG_NONE;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, KT_REG, t, NULL, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    t[0].DefaultType = (REG_DWORD << RTL_QUERY_REGISTRY_TYPECHECK_SHIFT) | REG_NONE;
    CHECK_STATUS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE, KT_REG, t, NULL, NULL), STATUS_SUCCESS);
    CHECK(out == 80, "typechecked DIRECT read %lu", (unsigned long)out);
    OwRegistryClear();
}

int main(void)
{
    basics();
    missing_subkey_skips_its_entries();
    null_name_enumerates();
    typecheck();
    CHECK(OwPoolReportLeaks() == 0, "pool leaked");
    return ow_test_result("test_registry");
}
