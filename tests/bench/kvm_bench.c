// SPDX-License-Identifier: GPL-2.0-only
/*
 * Harness program of 'make bench' (not part of the series) on the selftest
 * library: the operations of KVM's VM-Enter/VM-Exit path that the series
 * touches, each repeated in marked windows.  The QEMU plugin insn_window.so
 * counts the test kernel's instructions in each window; this program measures
 * the wall time.  Every case starts with a case marker, runs one batch to
 * warm up and then BATCHES batches of OPS operations, each in its own window.
 *
 * Exits handled in KVM (CPUID, and INVD, which svm_exit_handlers_fastpath()
 * handles on CPUs with NRIPS and VMX always handles in its fastpath) are
 * marked by the guest around the instruction; KVM_RUN and ioctls are marked by this program around the
 * system call.  Wall time: of a batch's KVM_RUN divided by OPS for the
 * former, of each call for the latter.
 *
 * Output, one line per case, for scripts/bench.sh:
 *   @@BENCH NAME OPS BATCHES WALL_MIN_NS WALL_MEDIAN_NS
 */
#include <stdlib.h>
#include <sys/sysinfo.h>
#include <time.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"

#define OPS		100
#define BATCHES		20
#define VCPU_CPU	1

#define MARK_CASE()	asm volatile(".byte 0x66, 0x87, 0xd2" : : : "memory")
#define MARK_OPEN()	asm volatile(".byte 0x66, 0x87, 0xdb" : : : "memory")
#define MARK_CLOSE()	asm volatile(".byte 0x66, 0x87, 0xc9" : : : "memory")

enum guest_pkru { NO_PKRU, PKRU_SAME, PKRU_OTHER };

static enum guest_pkru pkru_mode;
static uint32_t pkru_value;

/* Either neither CR4.PKE nor XCR0.PKRU, or both and a PKRU value. */
static void guest_setup(void)
{
	uint64_t xcr0 = xgetbv(0);

	if (pkru_mode == NO_PKRU) {
		set_cr4(get_cr4() & ~X86_CR4_PKE);
		xsetbv(0, xcr0 & ~XFEATURE_MASK_PKRU);
	} else {
		set_cr4(get_cr4() | X86_CR4_PKE);
		xsetbv(0, xcr0 | XFEATURE_MASK_PKRU);
		wrpkru(pkru_value);
	}
	GUEST_SYNC(0);
}

static void guest_cpuid(void)
{
	uint32_t eax, ebx, ecx, edx;
	int i;

	guest_setup();
	for (;;) {
		for (i = 0; i < OPS; i++) {
			MARK_OPEN();
			__cpuid(0, 0, &eax, &ebx, &ecx, &edx);
			MARK_CLOSE();
		}
		GUEST_SYNC(1);
	}
}

static void guest_invd(void)
{
	int i;

	guest_setup();
	for (;;) {
		for (i = 0; i < OPS; i++) {
			MARK_OPEN();
			asm volatile("invd" : : : "memory");
			MARK_CLOSE();
		}
		GUEST_SYNC(1);
	}
}

static void guest_sync(void)
{
	guest_setup();
	for (;;)
		GUEST_SYNC(1);
}

enum op { GUEST_OPS, KVM_RUN_OP, GET_REGS_OP, GET_DEBUGREGS_OP };

struct bench_case {
	const char *name;
	void *guest_code;
	enum guest_pkru pkru;
	enum op op;
};

static const struct bench_case cases[] = {
	{ "cpuid-exit/no-pkru", guest_cpuid, NO_PKRU, GUEST_OPS },
	{ "cpuid-exit/pkru", guest_cpuid, PKRU_SAME, GUEST_OPS },
	{ "cpuid-exit/pkru-differs", guest_cpuid, PKRU_OTHER, GUEST_OPS },
	{ "invd-exit/no-pkru", guest_invd, NO_PKRU, GUEST_OPS },
	{ "invd-exit/pkru", guest_invd, PKRU_SAME, GUEST_OPS },
	{ "run-to-user/no-pkru", guest_sync, NO_PKRU, KVM_RUN_OP },
	{ "run-to-user/pkru", guest_sync, PKRU_SAME, KVM_RUN_OP },
	{ "get-regs", guest_sync, NO_PKRU, GET_REGS_OP },
	{ "get-debugregs", guest_sync, NO_PKRU, GET_DEBUGREGS_OP },
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return timespec_to_ns(ts);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void assert_sync(struct kvm_vcpu *vcpu, uint64_t stage)
{
	struct ucall uc;

	switch (get_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
		TEST_ASSERT(uc.args[1] == stage, "guest at stage %lu, expected %lu",
			    uc.args[1], stage);
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
	default:
		TEST_FAIL("unexpected exit %s", exit_reason_str(vcpu->run->exit_reason));
	}
}

/* One batch; returns its wall time per operation in ns. */
static uint64_t run_batch(struct kvm_vcpu *vcpu, enum op op, uint64_t *per_op)
{
	struct kvm_debugregs dregs;
	struct kvm_regs regs;
	uint64_t t0, t1;
	int i, r;

	if (op == GUEST_OPS) {
		t0 = now_ns();
		vcpu_run(vcpu);
		t1 = now_ns();
		assert_sync(vcpu, 1);
		return (t1 - t0) / OPS;
	}

	for (i = 0; i < OPS; i++) {
		t0 = now_ns();
		MARK_OPEN();
		switch (op) {
		case KVM_RUN_OP:
			r = __vcpu_run(vcpu);
			break;
		case GET_REGS_OP:
			r = __vcpu_ioctl(vcpu, KVM_GET_REGS, &regs);
			break;
		default:
			r = __vcpu_ioctl(vcpu, KVM_GET_DEBUGREGS, &dregs);
			break;
		}
		MARK_CLOSE();
		t1 = now_ns();
		TEST_ASSERT(!r, "operation %d failed: %d, errno %d", op, r, errno);
		if (op == KVM_RUN_OP)
			assert_sync(vcpu, 1);
		per_op[i] = t1 - t0;
	}
	return 0;
}

static void run_case(const struct bench_case *c, uint32_t task_pkru)
{
	static uint64_t wall[BATCHES * OPS];
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int b, n = 0;

	vm = vm_create_with_one_vcpu(&vcpu, c->guest_code);
	pkru_mode = c->pkru;
	pkru_value = c->pkru == PKRU_SAME ? task_pkru : 0;
	sync_global_to_guest(vm, pkru_mode);
	sync_global_to_guest(vm, pkru_value);
	vcpu_run(vcpu);
	assert_sync(vcpu, 0);

	MARK_CASE();
	run_batch(vcpu, c->op, wall);
	for (b = 0; b < BATCHES; b++) {
		if (c->op == GUEST_OPS) {
			wall[n++] = run_batch(vcpu, c->op, NULL);
		} else {
			run_batch(vcpu, c->op, &wall[n]);
			n += OPS;
		}
	}
	kvm_vm_free(vm);

	qsort(wall, n, sizeof(wall[0]), cmp_u64);
	printf("@@BENCH %s %d %d %lu %lu\n", c->name, OPS, BATCHES, wall[0], wall[n / 2]);
	ksft_test_result_pass("%s\n", c->name);
}

int main(int argc, char *argv[])
{
	uint32_t task_pkru;
	int i;

	TEST_REQUIRE(kvm_cpu_has(X86_FEATURE_PKU));
	TEST_REQUIRE(this_cpu_has(X86_FEATURE_OSPKE));

	task_pkru = rdpkru();
	TEST_ASSERT(task_pkru, "the task's PKRU is 0: PKRU_SAME and PKRU_OTHER would be one case");
	if (get_nprocs() > VCPU_CPU)
		pin_self_to_cpu(VCPU_CPU);

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(cases));
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i], task_pkru);
	ksft_finished();
}
