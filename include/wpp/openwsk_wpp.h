/* SPDX-License-Identifier: MIT */
/* WPP stand-in: lets driver sources that trace with WPP build without the
 * WDK's trace preprocessor (tracewpp). `openwsk-tmh` writes one <file>.tmh
 * per source file that includes this header and defines the project's own
 * trace functions (the `FUNC Name(...)` lines of its WPP config); every
 * message goes to DbgPrintEx (so OPENWSK_DBGPRINT_LEVEL filters it) as
 * "[FLAG] message", with %!STATUS!, %!FUNC!, %!LINE!, %!FILE!, %!HRESULT!,
 * %!IPADDR!, %!PORT!, %!bool! translated (other %!X! print their argument
 * in hex). */
#ifndef OPENWSK_WPP_H
#define OPENWSK_WPP_H

#include <wdm.h>

EXTERN_C_START

VOID OwWppTrace(ULONG Level, PCSTR Flag, PCSTR File, ULONG Line, PCSTR Function, PCSTR Format, ...);

EXTERN_C_END

/* evntrace.h levels */
#ifndef TRACE_LEVEL_NONE
#define TRACE_LEVEL_NONE        0
#define TRACE_LEVEL_CRITICAL    1
#define TRACE_LEVEL_FATAL       1
#define TRACE_LEVEL_ERROR       2
#define TRACE_LEVEL_WARNING     3
#define TRACE_LEVEL_INFORMATION 4
#define TRACE_LEVEL_VERBOSE     5
#endif

/* Control GUIDs and bits declare nothing: every flag is enabled. */
#define WPP_DEFINE_CONTROL_GUID(Name, Guid, ...)
#define WPP_DEFINE_BIT(Name)
#define WPP_LEVEL_ENABLED(Flags) 1
#define WPP_LEVEL_LOGGER(Flags) 0
#define WPP_FLAG_ENABLED(Flags) 1
#define WPP_CONTROL(Bit) ((struct { int Level; ULONG Flags[1]; }){ 255, { 0xffffffffU } })

#define WPP_INIT_TRACING(DriverObject, RegistryPath) ((void)(DriverObject), (void)(RegistryPath))
#define WPP_CLEANUP(DriverObject) ((void)(DriverObject))
#define WPP_SYSTEMCONTROL(DriverObject) ((void)(DriverObject))
#define WPP_SYSTEMCONTROL2(DriverObject, RegistryPath) ((void)(DriverObject), (void)(RegistryPath))

#define OW_WPP_CALL(Level, FlagText, ...) \
    OwWppTrace((ULONG)(Level), FlagText, __FILE__, __LINE__, __func__, __VA_ARGS__)

/* The WDK's built-in trace functions. */
#define DoTraceMessage(Flag, ...) OW_WPP_CALL(TRACE_LEVEL_INFORMATION, #Flag, __VA_ARGS__)
#define DoTraceLevelMessage(Level, Flag, ...) OW_WPP_CALL(Level, #Flag, __VA_ARGS__)
/* The WDK templates' project function; openwsk-tmh redefines it from the config. */
#ifndef TraceEvents
#define TraceEvents(Level, Flags, ...) OW_WPP_CALL(Level, #Flags, __VA_ARGS__)
#endif

#endif /* OPENWSK_WPP_H */
