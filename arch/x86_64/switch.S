/*
 * context_switch(u64 *save_rsp, u64 new_rsp): save the callee-saved registers
 * on the current stack, store its RSP in *save_rsp, switch to new_rsp and pop
 * the next thread's registers. A new thread's stack is prepared by
 * thread_create() so that the final ret lands in thread_entry.
 */
	.text
	.globl context_switch
context_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.globl thread_entry
thread_entry:
	xorl %ebp, %ebp
	call thread_start
	ud2
