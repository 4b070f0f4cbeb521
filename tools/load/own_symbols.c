/* SPDX-License-Identifier: MIT */
/* A driver that defines functions with libc's names (KSOCKET's connect,
 * send, getaddrinfo…) and calls them expects its calls to reach its own
 * definitions, as they do in a Windows driver image. Built as a plain
 * `-shared -fPIC` object and loaded after libc, its calls go through its
 * GOT, which the dynamic linker fills from the global scope first: libc's
 * connect (or a sanitizer's interceptor of it) wins and the driver crashes.
 *
 * RTLD_DEEPBIND would fix the lookup order, but AddressSanitizer refuses to
 * run with it. So after dlopen we do what -Wl,-Bsymbolic does at link time:
 * every dynamic relocation of the driver that names a symbol the driver
 * itself defines is pointed at that definition. The same code runs in the
 * plain and the sanitizer builds of openwsk-load. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* dlinfo */
#endif
#include "own_symbols.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__)
#define OW_R_JUMP_SLOT R_X86_64_JUMP_SLOT
#define OW_R_GLOB_DAT  R_X86_64_GLOB_DAT
#define OW_R_ABS64     R_X86_64_64
#elif defined(__aarch64__)
#define OW_R_JUMP_SLOT R_AARCH64_JUMP_SLOT
#define OW_R_GLOB_DAT  R_AARCH64_GLOB_DAT
#define OW_R_ABS64     R_AARCH64_ABS64
#endif

typedef struct {
    ElfW(Addr) Base;
    const ElfW(Sym) *Symtab;
    const char *Strtab;
    const ElfW(Rela) *Rela[2];
    size_t RelaCount[2];
    uintptr_t RelroStart, RelroEnd;
} OW_OBJECT;

static void AddName(OW_OWN_SYMBOLS *r, const char *name)
{
    size_t used = strlen(r->Names), len = strlen(name);
    /* Listed already? (a name can have several references) */
    for (const char *p = r->Names; (p = strstr(p, name)) != NULL; p += len)
        if ((p == r->Names || p[-1] == ' ') && (p[len] == ',' || p[len] == '\0'))
            return;
    if (used + strlen(name) + 8 >= sizeof(r->Names)) {
        if (used + 5 < sizeof(r->Names) && strcmp(r->Names + used - 3, "...") != 0)
            strcat(r->Names, ", ...");
        return;
    }
    if (used)
        strcat(r->Names, ", ");
    strcat(r->Names, name);
}

/* glibc rewrites most d_ptr values to run-time addresses; some ports do not. */
static uintptr_t DynPtr(const OW_OBJECT *o, ElfW(Addr) p)
{
    return p < o->Base ? (uintptr_t)(o->Base + p) : (uintptr_t)p;
}

static int FindRelro(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    OW_OBJECT *o = data;
    if (info->dlpi_addr != o->Base)
        return 0;
    long page = sysconf(_SC_PAGESIZE);
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_GNU_RELRO) {
            uintptr_t start = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
            o->RelroStart = start & ~(uintptr_t)(page - 1);
            o->RelroEnd = (start + info->dlpi_phdr[i].p_memsz) & ~(uintptr_t)(page - 1);
        }
    return 1;
}

static int Describe(void *handle, OW_OBJECT *o)
{
    struct link_map *lm = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) != 0 || lm == NULL)
        return -1;
    memset(o, 0, sizeof(*o));
    o->Base = lm->l_addr;
    ElfW(Addr) rela = 0, jmprel = 0;
    size_t relasz = 0, pltrelsz = 0;
    long pltrel = DT_RELA;
    for (const ElfW(Dyn) *d = lm->l_ld; d->d_tag != DT_NULL; d++) {
        switch (d->d_tag) {
        case DT_SYMTAB:   o->Symtab = (const ElfW(Sym) *)DynPtr(o, d->d_un.d_ptr); break;
        case DT_STRTAB:   o->Strtab = (const char *)DynPtr(o, d->d_un.d_ptr); break;
        case DT_RELA:     rela = d->d_un.d_ptr; break;
        case DT_RELASZ:   relasz = d->d_un.d_val; break;
        case DT_JMPREL:   jmprel = d->d_un.d_ptr; break;
        case DT_PLTRELSZ: pltrelsz = d->d_un.d_val; break;
        case DT_PLTREL:   pltrel = (long)d->d_un.d_val; break;
        }
    }
    if (o->Symtab == NULL || o->Strtab == NULL || pltrel != DT_RELA)
        return -1;
    if (rela) {
        o->Rela[0] = (const ElfW(Rela) *)DynPtr(o, rela);
        o->RelaCount[0] = relasz / sizeof(ElfW(Rela));
    }
    if (jmprel) {
        o->Rela[1] = (const ElfW(Rela) *)DynPtr(o, jmprel);
        o->RelaCount[1] = pltrelsz / sizeof(ElfW(Rela));
    }
    dl_iterate_phdr(FindRelro, o);
    return 0;
}

static int Writable(uintptr_t slot)
{
    long page = sysconf(_SC_PAGESIZE);
    void *start = (void *)(slot & ~(uintptr_t)(page - 1));
    /* Two pages when the slot straddles a boundary. */
    size_t len = ((slot + sizeof(void *) - 1) & ~(uintptr_t)(page - 1)) == (uintptr_t)start ? (size_t)page
                                                                                          : 2 * (size_t)page;
    return mprotect(start, len, PROT_READ | PROT_WRITE);
}

int OwBindOwnDefinitions(void *handle, OW_OWN_SYMBOLS *r)
{
    memset(r, 0, sizeof(*r));
#ifndef OW_R_JUMP_SLOT
    (void)handle;
    r->Failure = "this architecture's relocations are not known to openwsk-load";
    return -1;
#else
    OW_OBJECT o;
    if (Describe(handle, &o) != 0) {
        r->Failure = "the driver's dynamic section could not be read";
        return -1;
    }
    int opened_relro = 0;
    for (int pass = 0; pass < 2; pass++) {   /* pass 0 rebinds, pass 1 verifies */
        for (int t = 0; t < 2; t++) {
            for (size_t i = 0; i < o.RelaCount[t]; i++) {
                const ElfW(Rela) *rel = &o.Rela[t][i];
                unsigned type = (unsigned)ELF64_R_TYPE(rel->r_info);
                size_t symi = ELF64_R_SYM(rel->r_info);
                if (symi == 0 || (type != OW_R_JUMP_SLOT && type != OW_R_GLOB_DAT && type != OW_R_ABS64))
                    continue;
                const ElfW(Sym) *sym = &o.Symtab[symi];
                unsigned kind = ELF64_ST_TYPE(sym->st_info);
                if (sym->st_shndx == SHN_UNDEF || ELF64_ST_BIND(sym->st_info) == STB_LOCAL ||
                    (kind != STT_FUNC && kind != STT_OBJECT))
                    continue;
                uintptr_t own = o.Base + sym->st_value + (type == OW_R_ABS64 ? (uintptr_t)rel->r_addend : 0);
                uintptr_t *slot = (uintptr_t *)(o.Base + rel->r_offset);
                if (*slot == own)
                    continue;
                if (pass == 1) {
                    r->Remaining++;
                    continue;
                }
                if (Writable((uintptr_t)slot) != 0) {
                    r->Failure = "the driver's GOT could not be made writable";
                    continue;
                }
                opened_relro |= (uintptr_t)slot >= o.RelroStart && (uintptr_t)slot < o.RelroEnd;
                *slot = own;
                r->Rebound++;
                AddName(r, o.Strtab + sym->st_name);
            }
        }
    }
    /* What was read-only after relocation is read-only again. */
    if (opened_relro && o.RelroEnd > o.RelroStart)
        mprotect((void *)o.RelroStart, o.RelroEnd - o.RelroStart, PROT_READ);
    return r->Remaining == 0 ? 0 : -1;
#endif
}

/* Looks `name` up in the file's full symbol table (.symtab, kept unless the
 * object was stripped) and in .dynsym for a C++-mangled form. */
const char *OwWhyNotExported(const char *path, const char *name, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    void *map = MAP_FAILED;
    if (fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof(ElfW(Ehdr)))
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return NULL;
    const char *why = NULL;
    const unsigned char *file = map;
    const ElfW(Ehdr) *eh = map;
    size_t fsize = (size_t)st.st_size;
    char mangled[64];
    int mlen = snprintf(mangled, sizeof(mangled), "_Z%zu%s", strlen(name), name);
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_shoff == 0 || eh->e_shoff + (size_t)eh->e_shnum * sizeof(ElfW(Shdr)) > fsize)
        goto out;
    const ElfW(Shdr) *sh = (const ElfW(Shdr) *)(file + eh->e_shoff);
    for (int s = 0; s < eh->e_shnum && why == NULL; s++) {
        if ((sh[s].sh_type != SHT_SYMTAB && sh[s].sh_type != SHT_DYNSYM) || sh[s].sh_link >= eh->e_shnum)
            continue;
        const ElfW(Shdr) *strs = &sh[sh[s].sh_link];
        if (sh[s].sh_offset + sh[s].sh_size > fsize || strs->sh_offset + strs->sh_size > fsize)
            continue;
        const ElfW(Sym) *syms = (const ElfW(Sym) *)(file + sh[s].sh_offset);
        const char *names = (const char *)(file + strs->sh_offset);
        for (size_t i = 0; i < sh[s].sh_size / sizeof(ElfW(Sym)) && why == NULL; i++) {
            if (syms[i].st_name >= strs->sh_size || syms[i].st_shndx == SHN_UNDEF)
                continue;
            const char *n = names + syms[i].st_name;
            if (strcmp(n, name) == 0) {
                unsigned vis = ELF64_ST_VISIBILITY(syms[i].st_other);
                if (vis == STV_HIDDEN || vis == STV_INTERNAL)
                    snprintf(buf, size, "%s is defined but hidden (built with -fvisibility=hidden?): "
                             "declare it DECLSPEC_EXPORT or build without -fvisibility=hidden", name);
                else if (ELF64_ST_BIND(syms[i].st_info) == STB_LOCAL)
                    snprintf(buf, size, "%s is defined but local (static, or made local by a version "
                             "script): export it", name);
                else
                    continue;
                why = buf;
            } else if (strncmp(n, mangled, (size_t)mlen) == 0) {
                snprintf(buf, size, "%s is defined as a C++ name (%s): declare it extern \"C\"", name, n);
                why = buf;
            }
        }
    }
out:
    munmap(map, fsize);
    return why;
}
