/* SAL annotations and MSVC-only spellings, reduced to what GCC and Clang
 * accept, so that driver sources written for the WDK compile unchanged.
 * Annotations carry no meaning at run time: they all expand to nothing. */
#ifndef OPENWSK_SAL_H
#define OPENWSK_SAL_H

#define _In_
#define _In_opt_
#define _In_z_
#define _In_opt_z_
#define _In_reads_(n)
#define _In_reads_opt_(n)
#define _In_reads_bytes_(n)
#define _In_reads_bytes_opt_(n)
#define _Inout_
#define _Inout_opt_
#define _Inout_z_
#define _Inout_updates_(n)
#define _Inout_updates_bytes_(n)
#define _Inout_updates_bytes_opt_(n)
#define _Out_
#define _Out_opt_
#define _Out_writes_(n)
#define _Out_writes_opt_(n)
#define _Out_writes_bytes_(n)
#define _Out_writes_bytes_opt_(n)
#define _Out_writes_bytes_to_(n, m)
#define _Out_writes_bytes_to_opt_(n, m)
#define _Out_writes_to_(n, m)
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Outptr_result_buffer_(n)
#define _Deref_out_
#define _Deref_out_opt_
#define _Reserved_
#define _Pre_
#define _Post_
#define _Pre_notnull_
#define _Pre_null_
#define _Post_invalid_
#define _Post_ptr_invalid_
#define _Post_writable_byte_size_(n)
#define _Post_satisfies_(x)
#define _Post_equal_to_(x)
#define _Ret_maybenull_
#define _Ret_notnull_
#define _Ret_range_(a, b)
#define _Result_nullonfailure_
#define _Success_(x)
#define _Check_return_
#define _Must_inspect_result_
#define _Use_decl_annotations_
#define _Function_class_(x)
#define _Dispatch_type_(x)
#define _At_(x, y)
#define _At_buffer_(a, b, c, d)
#define _When_(x, y)
#define _Field_size_(n)
#define _Field_size_opt_(n)
#define _Field_size_bytes_(n)
#define _Field_size_bytes_opt_(n)
#define _Field_size_part_(n, m)
#define _Field_range_(a, b)
#define _Field_z_
#define _Null_terminated_
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define _Analysis_assume_(x)
#define _Analysis_mode_(x)
#define _Printf_format_string_
#define _Strict_type_match_
#define _Literal_
#define _Notliteral_
#define _Interlocked_operand_
#define _Kernel_float_used_
#define _Kernel_requires_resource_held_(x)
#define _Kernel_clear_do_init_(x)
#define _Requires_lock_held_(x)
#define _Requires_lock_not_held_(x)
#define _Acquires_lock_(x)
#define _Releases_lock_(x)
#define _Guarded_by_(x)
#define _IRQL_requires_(x)
#define _IRQL_requires_min_(x)
#define _IRQL_requires_max_(x)
#define _IRQL_requires_same_
#define _IRQL_raises_(x)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(k, x)
#define _IRQL_restores_global_(k, x)
#define _IRQL_always_function_max_(x)
#define _IRQL_always_function_min_(x)
#define _IRQL_is_cancel_
#define _Kernel_requires_resource_not_held_(x)
#define __drv_allocatesMem(x)
#define __drv_freesMem(x)
#define __drv_aliasesMem
#define __drv_when(c, a)
#define __drv_requiresIRQL(x)
#define __drv_maxIRQL(x)
#define __drv_minIRQL(x)
#define __drv_savesIRQL
#define __drv_restoresIRQL
#define __drv_setsIRQL(x)
#define __drv_raisesIRQL(x)
#define __drv_sameIRQL
#define __drv_dispatchType(x)
#define __drv_completionType(x)
#define __drv_functionClass(x)
#define __drv_strictTypeMatch(x)
#define __drv_preferredFunction(f, why)
#define __drv_reportError(x)
#define __drv_valueIs(x)
#define __drv_useCancelIRQL
#define __drv_neverHold(x)
#define __drv_mustHold(x)
#define __drv_arg(x, y)
#define __in
#define __in_opt
#define __out
#define __out_opt
#define __inout
#define __inout_opt
#define __deref_out
#define __checkReturn
#define __bcount(n)
#define __in_bcount(n)
#define __out_bcount(n)
#define __ecount(n)

#endif
