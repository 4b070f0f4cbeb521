/* SPDX-License-Identifier: MIT */
/* openwsk-load: run a whole WSK driver, built as a shared object from
 * unmodified sources, as a Linux process.
 *
 *   openwsk-load DRIVER.so [--param key=value]...
 *
 * Loads DRIVER.so (its kernel and WSK imports resolve against this
 * executable, which exports all of OpenWSK), calls DriverEntry with a
 * DRIVER_OBJECT (\Driver\<name>) and the registry path
 * \Registry\Machine\System\CurrentControlSet\Services\<name>, whose
 * Parameters subkey holds the --param values (REG_DWORD when the value is
 * an integer, REG_SZ otherwise). Runs until SIGINT or SIGTERM, then calls
 * DriverUnload and reports every pool tag, IRP, socket, device object,
 * symbolic link and timer still outstanding.
 *
 * Exit codes: 0 unloaded cleanly, 1 could not load or DriverEntry failed
 * (usage errors too), 2 something was still outstanding after unload. */
#include <ntddk.h>
#include <openwsk.h>

#include "load/own_symbols.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REG_SERVICES "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\"

static const char *Prog = "openwsk-load";

static void Usage(FILE *out)
{
    fprintf(out,
            "usage: openwsk-load DRIVER.so [--param key=value]...\n"
            "  Loads DRIVER.so, calls its DriverEntry, runs until SIGINT or SIGTERM,\n"
            "  calls DriverUnload and reports what is still outstanding.\n"
            "  --param key=value   a value under <RegistryPath>\\Parameters: REG_DWORD if\n"
            "                      value is an integer (123, 0x7b), REG_SZ otherwise\n"
            "exit: 0 clean unload, 1 load/DriverEntry failure, 2 leaks after unload\n");
}

/* UTF-8 to a NUL-terminated UTF-16 string (malloc'ed), through the one
 * converter (RtlUTF8ToUnicodeN: an invalid sequence becomes U+FFFD); NULL
 * when out of memory. */
static WCHAR *Widen(const char *s)
{
    ULONG in = (ULONG)strlen(s), need = 0;
    if (!NT_SUCCESS(RtlUTF8ToUnicodeN(NULL, 0, &need, s, in)))
        return NULL;
    WCHAR *w = calloc(need / sizeof(WCHAR) + 1, sizeof(WCHAR));
    if (w != NULL && !NT_SUCCESS(RtlUTF8ToUnicodeN(w, need, &need, s, in))) {
        free(w);
        w = NULL;
    }
    return w;
}

static BOOLEAN InitString(PUNICODE_STRING us, const char *s)
{
    us->Buffer = Widen(s);
    if (us->Buffer == NULL)
        return FALSE;
    size_t n = 0;
    while (us->Buffer[n])
        n++;
    us->Length = (USHORT)(n * sizeof(WCHAR));
    us->MaximumLength = (USHORT)(us->Length + sizeof(WCHAR));
    return TRUE;
}

static BOOLEAN ParseInteger(const char *s, ULONG *out)
{
    if (*s == '\0')
        return FALSE;
    char *end;
    errno = 0;
    if (*s == '-') {
        long long v = strtoll(s, &end, 0);
        if (errno || *end || v < -2147483648LL)
            return FALSE;
        *out = (ULONG)(LONG)v;
        return TRUE;
    }
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v > 0xffffffffULL)
        return FALSE;
    *out = (ULONG)v;
    return TRUE;
}

static NTSTATUS CreateKey(const char *path)
{
    UNICODE_STRING name;
    if (!InitString(&name, path))
        return STATUS_INSUFFICIENT_RESOURCES;
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    HANDLE key;
    NTSTATUS st = ZwCreateKey(&key, KEY_ALL_ACCESS, &oa, 0, NULL, 0, NULL);
    if (NT_SUCCESS(st))
        ZwClose(key);
    free(name.Buffer);
    return st;
}

static NTSTATUS SetParam(const char *key_path, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (eq == NULL || eq == kv)
        return STATUS_INVALID_PARAMETER;
    char *name = strndup(kv, (size_t)(eq - kv));
    WCHAR *wkey = Widen(key_path), *wname = name ? Widen(name) : NULL;
    NTSTATUS st = STATUS_INSUFFICIENT_RESOURCES;
    ULONG dword;
    if (wkey != NULL && wname != NULL) {
        if (ParseInteger(eq + 1, &dword)) {
            st = OwRegistrySetValue(wkey, wname, REG_DWORD, &dword, sizeof(dword));
        } else {
            WCHAR *wval = Widen(eq + 1);
            if (wval != NULL) {
                size_t n = 0;
                while (wval[n])
                    n++;
                st = OwRegistrySetValue(wkey, wname, REG_SZ, wval, (ULONG)((n + 1) * sizeof(WCHAR)));
                free(wval);
            }
        }
    }
    free(wkey);
    free(wname);
    free(name);
    return st;
}

static NTSTATUS NotSupported(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
}

/* "undefined symbol: Foo" in dlerror's text: Foo, or NULL. */
static char *MissingSymbol(const char *err)
{
    const char *p = strstr(err, "undefined symbol: ");
    if (p == NULL)
        return NULL;
    p += strlen("undefined symbol: ");
    size_t n = strcspn(p, " \t\n(,");
    return strndup(p, n);
}

int main(int argc, char **argv)
{
    /* Before any thread starts, so every thread inherits the mask and only
     * sigwait below sees these signals. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    /* A shell starts background jobs with SIGINT ignored; sigwait needs it delivered. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);

    /* openwsk-load or openwsk-load-asan: messages say which one ran. */
    if (argc > 0 && argv[0] != NULL && *argv[0] != '\0')
        Prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    const char *driver = NULL;
    int nparams = 0;
    const char **params = calloc((size_t)argc, sizeof(*params));
    if (params == NULL)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            Usage(stdout);
            free(params);
            return 0;
        } else if (strcmp(argv[i], "--param") == 0 && i + 1 < argc) {
            params[nparams++] = argv[++i];
        } else if (strncmp(argv[i], "--param=", 8) == 0) {
            params[nparams++] = argv[i] + 8;
        } else if (argv[i][0] == '-' || driver != NULL) {
            fprintf(stderr, "%s: unexpected argument '%s'\n", Prog, argv[i]);
            Usage(stderr);
            free(params);
            return 1;
        } else {
            driver = argv[i];
        }
    }
    if (driver == NULL) {
        Usage(stderr);
        free(params);
        return 1;
    }

    /* <name>: the file name up to its first dot. */
    const char *base = strrchr(driver, '/') ? strrchr(driver, '/') + 1 : driver;
    char *name = strndup(base, strcspn(base, "."));
    if (name == NULL || *name == '\0') {
        fprintf(stderr, "%s: cannot derive a driver name from '%s'\n", Prog, driver);
        free(name);
        free(params);
        return 1;
    }
    size_t len = strlen(REG_SERVICES) + strlen(name) + 32;
    char *service = malloc(len), *parameters = malloc(len), *drvname = malloc(len);
    if (service == NULL || parameters == NULL || drvname == NULL)
        return 1;
    snprintf(service, len, REG_SERVICES "%s", name);
    snprintf(parameters, len, "%s\\Parameters", service);
    snprintf(drvname, len, "\\Driver\\%s", name);

    int rc = 1;
    UNICODE_STRING reg_path = { 0 }, driver_name = { 0 }, service_key = { 0 };
    DRIVER_OBJECT *drv = calloc(1, sizeof(*drv));
    DRIVER_EXTENSION *ext = calloc(1, sizeof(*ext));
    void *handle = NULL;
    char *path = NULL;   /* the driver, as dlopen is given it */
    if (drv == NULL || ext == NULL || !InitString(&reg_path, service) ||
        !InitString(&driver_name, drvname) || !InitString(&service_key, name)) {
        fprintf(stderr, "%s: out of memory\n", Prog);
        goto out;
    }

    /* The service key and its Parameters, as the service control manager leaves them. */
    ULONG start = 3, type = 1;
    WCHAR *wservice = Widen(service), *wpath = Widen(driver);
    NTSTATUS st = CreateKey(parameters);
    if (NT_SUCCESS(st) && wservice != NULL && wpath != NULL) {
        size_t n = 0;
        while (wpath[n])
            n++;
        OwRegistrySetValue(wservice, L"ImagePath", REG_EXPAND_SZ, wpath, (ULONG)((n + 1) * sizeof(WCHAR)));
        OwRegistrySetValue(wservice, L"Start", REG_DWORD, &start, sizeof(start));
        OwRegistrySetValue(wservice, L"Type", REG_DWORD, &type, sizeof(type));
    }
    free(wservice);
    free(wpath);
    for (int i = 0; i < nparams && NT_SUCCESS(st); i++) {
        st = SetParam(parameters, params[i]);
        if (!NT_SUCCESS(st)) {
            fprintf(stderr, "%s: bad --param '%s' (want key=value)\n", Prog, params[i]);
            goto out;
        }
    }

    /* dlopen searches the library path for a bare name: a file here wins. */
    path = NULL;
    struct stat sb;
    if (strchr(driver, '/') == NULL && stat(driver, &sb) == 0) {
        path = malloc(strlen(driver) + 3);
        if (path != NULL)
            sprintf(path, "./%s", driver);
    }
    handle = dlopen(path ? path : driver, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *err = dlerror();
        char *sym = err ? MissingSymbol(err) : NULL;
        if (sym != NULL)
            fprintf(stderr, "%s: %s needs %s, which OpenWSK does not provide yet\n", Prog, driver, sym);
        else
            fprintf(stderr, "%s: cannot load %s: %s\n", Prog, driver, err ? err : "unknown error");
        free(sym);
        goto out;
    }
    /* The driver's calls to functions it defines itself (connect, send,
     * getaddrinfo… named like libc's) must reach its own definitions. */
    OW_OWN_SYMBOLS own;
    if (OwBindOwnDefinitions(handle, &own) != 0) {
        if (own.Failure != NULL)
            fprintf(stderr, "%s: %s: cannot check the driver's own definitions: %s\n", Prog, driver, own.Failure);
        fprintf(stderr,
                "%s: %s calls functions it defines itself (%s), but %u of those calls would reach the "
                "process's definitions of the same names (libc's); link the driver with -Wl,-Bsymbolic\n",
                Prog, driver, own.Names[0] ? own.Names : "unknown", own.Remaining);
        goto out;
    }
    if (own.Rebound)
        fprintf(stderr, "%s: %s defines %s itself: its calls go to its own definitions, not libc's\n", Prog,
                driver, own.Names);
    dlerror();
    PDRIVER_INITIALIZE entry = (PDRIVER_INITIALIZE)dlsym(handle, "DriverEntry");
    if (entry == NULL) {
        char why[512];
        const char *cause = OwWhyNotExported(path ? path : driver, "DriverEntry", why, sizeof(why));
        if (cause != NULL)
            fprintf(stderr, "%s: %s exports no DriverEntry: %s\n", Prog, driver, cause);
        else
            fprintf(stderr, "%s: %s has no DriverEntry\n", Prog, driver);
        goto out;
    }

    drv->Type = IO_TYPE_DRIVER;
    drv->Size = (CSHORT)sizeof(*drv);
    drv->DriverStart = handle;
    drv->DriverExtension = ext;
    drv->DriverName = driver_name;
    drv->DriverInit = entry;
    ext->DriverObject = drv;
    ext->ServiceKeyName = service_key;
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        drv->MajorFunction[i] = NotSupported;

    fprintf(stderr, "%s: loaded %s as %s\n", Prog, driver, drvname);
    st = entry(drv, &reg_path);
    if (KeGetCurrentIrql() != PASSIVE_LEVEL)
        fprintf(stderr, "%s: DriverEntry returned at IRQL %u (PASSIVE_LEVEL expected)\n", Prog,
                KeGetCurrentIrql());
    if (!NT_SUCCESS(st)) {
        fprintf(stderr, "%s: DriverEntry failed: %s\n", Prog, OwStatusName(st));
        OwKernelQuiesce();
        OwPoolReportLeaks();
        goto out;
    }
    fprintf(stderr, "%s: DriverEntry returned %s; running until SIGINT or SIGTERM\n", Prog,
            OwStatusName(st));
    fflush(stderr);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    fprintf(stderr, "%s: %s received, unloading\n", Prog, sig == SIGINT ? "SIGINT" : "SIGTERM");
    if (drv->DriverUnload != NULL)
        drv->DriverUnload(drv);
    else
        fprintf(stderr, "%s: the driver set no DriverUnload (Windows could not unload it)\n", Prog);

    /* Let queued work items and DPCs finish before counting. */
    ULONG timers = OwKernelQuiesce();
    ULONG pool = OwPoolReportLeaks();
    ULONG irps = OwIrpOutstandingCount();
    ULONG sockets = OwSocketsOutstanding();
    ULONG devices = OwDeviceOutstandingCount(), links = OwSymbolicLinkOutstandingCount();
    if (irps)
        fprintf(stderr, "IRPs: %lu allocated and not freed (IoAllocateIrp without IoFreeIrp)\n",
                (unsigned long)irps);
    if (sockets)
        fprintf(stderr, "WSK sockets: %lu still open (WskCloseSocket not called)\n",
                (unsigned long)sockets);
    if (devices)
        fprintf(stderr, "device objects: %lu not deleted (IoDeleteDevice)\n", (unsigned long)devices);
    if (links)
        fprintf(stderr, "symbolic links: %lu not deleted (IoDeleteSymbolicLink)\n", (unsigned long)links);
    if (timers)
        fprintf(stderr, "timers: %lu still set (KeCancelTimer)\n", (unsigned long)timers);
    if (pool + irps + sockets + devices + links + timers == 0) {
        fprintf(stderr, "%s: %s unloaded cleanly: no pool, IRP, socket, device or timer outstanding\n",
                Prog, name);
        rc = 0;
    } else {
        fprintf(stderr, "%s: %s left resources outstanding after DriverUnload\n", Prog, name);
        rc = 2;
    }

out:
    free(path);
    /* The driver stays mapped: a leaked timer or thread may still point into it. */
    free(reg_path.Buffer);
    free(driver_name.Buffer);
    free(service_key.Buffer);
    free(ext);
    free(drv);
    free(service);
    free(parameters);
    free(drvname);
    free(name);
    free(params);
    OwRegistryClear();
    return rc;
}
