// SPDX-License-Identifier: GPL-2.0-only
/*
 * Harness program (not part of the series) on the selftest library: NMIs that
 * read the VMM task's memory while its vCPU runs must see the task's PKRU,
 * not the guest's.  nmi_uaccess.ko sends the NMIs by IPI, from a second
 * thread on another CPU, to the CPU of the vCPU thread, and reads a word of a
 * page with its own protection key with copy_from_user_nmi() and with
 * copy_from_user_nofault().
 *
 * Two cases: the task's PKRU allows the key and the guest's forbids it (every
 * read must succeed), and the reverse (every read must fail).  The guest
 * writes its PKRU after VM-Enter and spins, then puts the task's value back
 * before it exits with INVD (a fastpath exit where the CPU has one) and to
 * userspace, so that once it has run KVM finds nothing to load at VM-Enter.
 * The module counts the NMIs that found a PKRU other than the task's in the
 * register; there must be some.  Then, after KVM_RUN, the thread changes
 * its PKRU and the NMIs' reads must follow it.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"

#define NMI_CTL		"/sys/kernel/debug/nmi_uaccess/run"
#define NMI_MODULE	"/kvm/nmi/nmi_uaccess.ko"
#define NR_NMIS		5000
#define NR_NMIS_AFTER	1000
#define NMI_GAP_US	200
#define GUEST_SPIN	500000
#define MAGIC		0x6b766d706b727521ull
#define VCPU_CPU	1
#define SENDER_CPU	0

static volatile uint64_t *page;
static int pkey;

struct counts {
	unsigned int sent, lost, other, user, window, ok, fault, nf_ok, nf_fault;
};

static void guest_code(uint32_t pkru, uint32_t vmm_pkru)
{
	int i;

	set_cr4(get_cr4() | X86_CR4_PKE);
	for (;;) {
		wrpkru(pkru);
		for (i = 0; i < GUEST_SPIN; i++)
			asm volatile("" : : : "memory");
		wrpkru(vmm_pkru);
		asm volatile("invd" : : : "memory");
		GUEST_SYNC(0);
	}
}

static uint32_t task_pkru;
static unsigned int nr_nmis;

static void *sender(void *arg)
{
	struct counts *c = arg;
	char buf[128];
	int fd, n;

	pin_self_to_cpu(SENDER_CPU);
	fd = open(NMI_CTL, O_RDWR);
	TEST_ASSERT(fd >= 0, "open(%s) failed: %s", NMI_CTL, strerror(errno));
	n = snprintf(buf, sizeof(buf), "%d %lx %d %d %x", VCPU_CPU, (unsigned long)page,
		     nr_nmis, NMI_GAP_US, task_pkru);
	TEST_ASSERT(write(fd, buf, n) == n, "sending NMIs failed: %s", strerror(errno));
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	TEST_ASSERT(n > 0, "reading the NMI counts failed: %s", strerror(errno));
	buf[n] = 0;
	TEST_ASSERT(sscanf(buf, "sent %u lost %u other %u user %u window %u ok %u fault %u nf_ok %u nf_fault %u",
			   &c->sent, &c->lost, &c->other, &c->user, &c->window, &c->ok,
			   &c->fault, &c->nf_ok, &c->nf_fault) == 9,
		    "unexpected NMI counts: %s", buf);
	close(fd);
	return NULL;
}

static void report_reads(const char *name, const char *when, struct counts *c,
			 bool task_allows)
{
	ksft_test_result(task_allows ? !c->fault : !c->ok,
			 "%s%s: copy_from_user_nmi(): %u of %u reads %s\n", name, when,
			 task_allows ? c->fault : c->ok, c->ok + c->fault,
			 task_allows ? "failed where the task's PKRU allows them"
				     : "succeeded where the task's PKRU forbids them");
	ksft_test_result(task_allows ? !c->nf_fault : !c->nf_ok,
			 "%s%s: copy_from_user_nofault(): %u of %u reads %s\n", name, when,
			 task_allows ? c->nf_fault : c->nf_ok, c->nf_ok + c->nf_fault,
			 task_allows ? "failed where the task's PKRU allows them"
				     : "succeeded where the task's PKRU forbids them");
}

/*
 * Run the vCPU with @guest_pkru while the sender sends its NMIs, with
 * @pkru in this (the vCPU's) thread.  Then, with KVM_RUN done, switch this
 * thread to @other_pkru and spin in userspace under more NMIs: no window is
 * open any more, so they must find @other_pkru and read under it; a task
 * PKRU that KVM left published would have them switch back to @pkru.
 */
static void run_case(const char *name, uint32_t pkru, uint32_t other_pkru,
		     uint32_t guest_pkru, bool task_allows)
{
	struct counts c = {}, after = {};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	unsigned long runs = 0;
	pthread_t thread;
	struct ucall uc;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	task_pkru = pkru;
	nr_nmis = NR_NMIS;
	vcpu_args_set(vcpu, 2, guest_pkru, task_pkru);

	wrpkru(task_pkru);
	pthread_create(&thread, NULL, sender, &c);
	while (pthread_tryjoin_np(thread, NULL)) {
		vcpu_run(vcpu);
		TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
		default:
			TEST_FAIL("Unexpected ucall %lu", uc.cmd);
		}
		runs++;
	}
	TEST_ASSERT_EQ(rdpkru(), task_pkru);

	task_pkru = other_pkru;
	nr_nmis = NR_NMIS_AFTER;
	wrpkru(task_pkru);
	pthread_create(&thread, NULL, sender, &after);
	while (pthread_tryjoin_np(thread, NULL))
		;
	wrpkru(0);
	kvm_vm_free(vm);

	ksft_print_msg("%s: task PKRU 0x%x, guest PKRU 0x%x, %lu KVM_RUNs, NMIs: sent %u lost %u other %u user %u in the window %u; reads: copy_from_user_nmi() ok %u fault %u, copy_from_user_nofault() ok %u fault %u\n",
		       name, pkru, guest_pkru, runs, c.sent, c.lost, c.other,
		       c.user, c.window, c.ok, c.fault, c.nf_ok, c.nf_fault);
	TEST_ASSERT(c.window, "No NMI found a PKRU other than the task's: the test proves nothing");
	report_reads(name, "", &c, task_allows);

	ksft_print_msg("%s, after KVM_RUN: task PKRU 0x%x, NMIs: sent %u lost %u other %u user %u with another PKRU %u; reads: copy_from_user_nmi() ok %u fault %u, copy_from_user_nofault() ok %u fault %u\n",
		       name, other_pkru, after.sent, after.lost, after.other,
		       after.user, after.window, after.ok, after.fault,
		       after.nf_ok, after.nf_fault);
	TEST_ASSERT(after.user, "No NMI interrupted the thread in userspace");
	TEST_ASSERT_EQ(after.window, 0);
	report_reads(name, ", after KVM_RUN", &after, !task_allows);
}

int main(int argc, char *argv[])
{
	uint32_t pkru_allow, pkru_deny;
	int fd;

	TEST_REQUIRE(kvm_cpu_has(X86_FEATURE_PKU));
	TEST_REQUIRE(this_cpu_has(X86_FEATURE_OSPKE));
	TEST_REQUIRE(sysconf(_SC_NPROCESSORS_ONLN) > VCPU_CPU);

	if (access(NMI_CTL, W_OK)) {
		fd = open(NMI_MODULE, O_RDONLY);
		__TEST_REQUIRE(fd >= 0, "No %s: the harness's test module", NMI_MODULE);
		TEST_ASSERT(!syscall(SYS_finit_module, fd, "", 0),
			    "Loading %s failed: %s", NMI_MODULE, strerror(errno));
		close(fd);
	}

	page = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	TEST_ASSERT(page != MAP_FAILED, "mmap() failed");
	*page = MAGIC;
	pkey = pkey_alloc(0, 0);
	TEST_ASSERT(pkey > 0, "pkey_alloc() failed: %s", strerror(errno));
	TEST_ASSERT(!pkey_mprotect((void *)page, getpagesize(), PROT_READ | PROT_WRITE, pkey),
		    "pkey_mprotect() failed: %s", strerror(errno));
	TEST_ASSERT(!mlock((void *)page, getpagesize()), "mlock() failed");

	/* Keys other than 0 and @pkey are access-disabled throughout. */
	pkru_deny = 0x55555554;
	pkru_allow = pkru_deny & ~(3u << (2 * pkey));

	pin_self_to_cpu(VCPU_CPU);
	ksft_print_header();
	ksft_set_plan(8);
	run_case("task allows, guest forbids", pkru_allow, pkru_deny, pkru_deny, true);
	run_case("task forbids, guest allows", pkru_deny, pkru_allow, 0, false);
	ksft_finished();
}
