/*
 * Interrupt and exception entry. Every vector has a stub that makes the stack
 * look the same (a zero error code where the CPU pushes none, then the vector
 * number) and jumps to trap_common, which saves the general registers as a
 * struct trap_frame and calls trap_dispatch(frame). The CPU aligned RSP to 16
 * before pushing; the frame is 176 bytes, so the call is ABI-aligned.
 */
	.text


	.macro trap_stub vec
	.balign 16
trap_stub_\vec:
	.if !(\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
	pushq $0
	.endif
	pushq $\vec
	jmp trap_common
	.endm

	.altmacro
	.set vec, 0
	.rept 256
	trap_stub %vec
	.set vec, vec + 1
	.endr

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp			/* vector and error code */
	iretq

	.macro stub_addr vec
	.quad trap_stub_\vec
	.endm

	.section .rodata
	.balign 8
	.globl trap_stubs
trap_stubs:
	.set vec, 0
	.rept 256
	stub_addr %vec
	.set vec, vec + 1
	.endr
