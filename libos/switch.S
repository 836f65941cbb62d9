/* switch.S: the ring-3 context switch — save callee-saved registers, swap stacks, restore. */

    .text
    .globl sched_switch
    /* void sched_switch(uint64_t *save_rsp, uint64_t next_rsp) */
sched_switch:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

    /* A new thread's first return lands here, with its struct thread in %r12. */
    .globl sched_trampoline
sched_trampoline:
    mov %r12, %rdi
    call sched_thread_start
    ud2
