/* SPDX-License-Identifier: MIT */
/* Every STATUS_* define in include/ntstatus.h has a name in OwStatusName's
 * table: the header is read at run time, so a new define without a table
 * entry fails here. */
#include "ktest.h"

int main(void)
{
    /* The source tree is where this file is: cut __FILE__ at tests/unit/. */
    char path[4096];
    snprintf(path, sizeof(path), "%s", __FILE__);
    char *cut = strstr(path, "tests/unit/test_status.c");
    if (cut == NULL) {
        fprintf(stderr, "cannot locate the source tree from %s\n", __FILE__);
        return OW_TEST_FAIL;
    }
    snprintf(cut, sizeof(path) - (size_t)(cut - path), "include/ntstatus.h");
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return OW_TEST_FAIL;
    }
    char line[512];
    int defines = 0;
    while (fgets(line, sizeof(line), f)) {
        char name[128];
        unsigned long value;
        if (sscanf(line, "#define %127s ((NTSTATUS)0x%lxL)", name, &value) != 2 ||
            strncmp(name, "STATUS_", 7) != 0)
            continue;
        defines++;
        NTSTATUS st;
        CHECK(OwStatusFromName(name, &st), "%s has no entry in src/kernel/status.c", name);
        CHECK(st == (NTSTATUS)value, "%s = 0x%08lx in the table, 0x%08lx in the header", name,
              (unsigned long)(ULONG)st, value);
        CHECK(strncmp(OwStatusName((NTSTATUS)value), "STATUS_", 7) == 0, "%s value unnamed", name);
    }
    fclose(f);
    CHECK(defines > 100, "only %d defines parsed from %s", defines, path);
    CHECK(strcmp(OwStatusName(STATUS_CONNECTION_REFUSED), "STATUS_CONNECTION_REFUSED") == 0, "name");
    CHECK(strcmp(OwStatusName(STATUS_SUCCESS), "STATUS_SUCCESS") == 0, "alias order");
    CHECK(strcmp(OwStatusName((NTSTATUS)0xC0001234), "NTSTATUS 0xC0001234") == 0, "unknown: %s",
          OwStatusName((NTSTATUS)0xC0001234));
    return ow_test_result("test_status");
}
